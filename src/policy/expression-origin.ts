/**
 * Where each expression of a policy came from, so that a compiler message points at the
 * place in the file the user wrote it (`path:line:column: error: …`, the form option
 * errors have): an inline `criteria`/`exemption` value in the configuration, or a line of
 * a criteria file.
 */
import type { ConfigSource } from '../config/policy-config.js';
import type { Runtime } from '../runtime/types.js';
import { printable } from '../util/printable.js';
import type { ExprDiagnostic } from './expr/index.js';

export type PolicyIo = Pick<Runtime, 'readFile' | 'readTextFile' | 'readDir' | 'stat'>;

/** The place of an expression's first character, and what holds it (for the message). */
export interface Origin {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** e.g. `section 'games' option 'criteria'`, `criteria of action 'games'`. */
  readonly what: string;
}

export interface PlacedExpression {
  readonly text: string;
  readonly origin: Origin;
}

/**
 * An option value's origin: its location is that of the value as written, which may
 * start with a quote (`list criteria 'app == x'`); the expression starts after it.
 */
export function valueOrigin(configText: string, source: ConfigSource, what: string): Origin {
  const line = configText.split('\n')[source.line - 1] ?? '';
  const c = line[source.column - 1];
  const column = c === "'" || c === '"' ? source.column + 1 : source.column;
  return { file: source.file, line: source.line, column, what };
}

/** Lines of a criteria file: one expression per line; blank lines and `#` comments skipped. */
export function criteriaLines(text: string, file: string, what: string): PlacedExpression[] {
  const out: PlacedExpression[] = [];
  text.split('\n').forEach((raw, i) => {
    const l = raw.replace(/\r$/, '');
    const t = l.trim();
    if (t === '' || t.startsWith('#')) return;
    out.push({ text: t, origin: { file, line: i + 1, column: l.length - l.trimStart().length + 1, what } });
  });
  return out;
}

/** A criteria path names a file, or a directory whose files are read in name order. */
export async function readCriteriaPath(io: PolicyIo, path: string, what: string): Promise<PlacedExpression[]> {
  const st = await io.stat(path);
  if (st === null) throw new Error('no such file or directory');
  if (!st.isDirectory) return criteriaLines(await io.readTextFile(path), path, what);
  const entries = (await io.readDir(path)).filter((e) => e.isFile && !e.name.startsWith('.')).map((e) => e.name).sort();
  const out: PlacedExpression[] = [];
  for (const name of entries) out.push(...criteriaLines(await io.readTextFile(`${path}/${name}`), `${path}/${name}`, what));
  return out;
}

/** The expression quoted, long ones cut, for one-line messages. */
function shown(source: string): string {
  const s = source.length > 120 ? source.slice(0, 117) + '...' : source;
  return JSON.stringify(s);
}

/** A compiler diagnostic at the place in the file its expression came from. */
export function placedMessage(o: Origin, severity: 'error' | 'warning', d: ExprDiagnostic): string {
  const line = o.line + d.line - 1;
  const column = d.line === 1 ? o.column + d.column - 1 : d.column;
  return printable(`${o.file}:${line}:${column}: ${severity}: ${o.what}: ${d.message} (in ${shown(d.source)})`);
}
