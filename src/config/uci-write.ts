/**
 * Model → UCI text, in the layout `uci export` writes (libuci `uci_export_package`): an
 * optional `package` line, then each section as `config <type> ['<name>']` with its options
 * and list items indented by a tab, values in single quotes (a `'` inside becomes `'\''`).
 *
 * The text parses back to the same model with `parseUci` (names of anonymous sections are
 * regenerated identically, since they depend only on position and type). Two things the
 * format cannot hold are left out: an `option` with an empty value (libuci ignores
 * `option x ''`) and an empty list.
 */
import type { UciPackage, UciSection } from './uci-parse.js';

export interface UciWriteOptions {
  /** Write a `package <name>` line first (as `uci export` does). Default false. */
  readonly header?: boolean;
  /** Comment lines for the top of the file (without the leading `# `). */
  readonly preamble?: readonly string[];
  /** Comment lines to put above a section, by section object. */
  readonly sectionComments?: ReadonlyMap<UciSection, readonly string[]>;
}

/** Quote a value for UCI: single quotes, each `'` written as `'\''`. */
export function quoteUci(value: string): string {
  return `'${value.split("'").join("'\\''")}'`;
}

/** A word that needs no quotes (names, ordinary types). */
function bare(word: string): string {
  return /^[A-Za-z0-9_.:@/+=-]+$/.test(word) ? word : quoteUci(word);
}

function comment(lines: readonly string[]): string {
  // A comment line cannot hold a line break; each physical line gets its own `#`.
  return lines
    .flatMap((l) => l.split('\n'))
    .map((l) => (l === '' ? '#\n' : `# ${l}\n`))
    .join('');
}

export function writeUci(pkg: UciPackage, opts: UciWriteOptions = {}): string {
  let out = '';
  if (opts.preamble && opts.preamble.length) out += comment(opts.preamble);
  if (opts.header) out += `package ${bare(pkg.name)}\n`;
  for (const s of pkg.sections) {
    out += '\n';
    const notes = opts.sectionComments?.get(s);
    if (notes && notes.length) out += comment(notes);
    out += `config ${bare(s.type)}`;
    if (!s.anonymous) out += ` ${quoteUci(s.name)}`;
    out += '\n';
    for (const o of s.options) {
      if (typeof o.value === 'string') {
        if (o.value !== '') out += `\toption ${o.name} ${quoteUci(o.value)}\n`;
      } else {
        for (const item of o.value) out += `\tlist ${o.name} ${quoteUci(item)}\n`;
      }
    }
  }
  return out + '\n';
}
