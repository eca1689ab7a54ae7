/**
 * Flow expressions: Netify-compatible criteria (`app == 'netify.youtube' && other_port == 443;`)
 * compiled once into fast evaluators over FlowRecords. See docs/expressions.md.
 *
 *     const c = compileCriteria(["category == 'games';", 'ai:steam'], { groups });
 *     if (!c.ok) report(c.errors); else if (c.evaluate(record)) act();
 *
 * Errors and warnings name the offending source string and the column (1-based, and the
 * line for multi-line sources); callers add the action/file they came from.
 */
import { build } from './build.js';
import { checkStatements } from './check.js';
import type { CompileContext, Diagnostic, Matcher } from './ir.js';
import { simplify } from './simplify.js';
import { type ExprNode, parseExpression, printExpr } from './parser.js';

export type { CompileContext, Matcher } from './ir.js';
export type { AddressGroup, AddressGroups, GroupsError, GroupsResult, GroupDefinition } from './groups.js';
export { buildGroups, groupsFromLists, parseGroupsFile } from './groups.js';
export { ATTRIBUTES, findAttribute } from './attributes.js';
export type { AttrDef, AttrType } from './attributes.js';
export { parseExpression, printExpr } from './parser.js';
export type { ExprNode } from './parser.js';

/** A problem in one criteria string. */
export interface ExprDiagnostic {
  readonly message: string;
  /** 1-based column within `line`. */
  readonly column: number;
  /** 1-based line (criteria read from files may span lines). */
  readonly line: number;
  /** The criteria string the problem is in. */
  readonly source: string;
  /** Position of that string in the criteria array (0 for a single string). */
  readonly index: number;
}

export type ExprError = ExprDiagnostic;
export type ExprWarning = ExprDiagnostic;

export type CompiledCriteria =
  | {
      readonly ok: true;
      readonly evaluate: Matcher;
      readonly warnings: readonly ExprWarning[];
    }
  | { readonly ok: false; readonly errors: readonly ExprError[]; readonly warnings: readonly ExprWarning[] };

/** 0-based offset → 1-based line and column. */
export function locate(src: string, pos: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(Math.max(pos, 0), src.length);
  for (let i = 0; i < end; i++) {
    if (src.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

function diagnostic(sources: readonly string[], d: Diagnostic): ExprDiagnostic {
  const src = sources[d.index] ?? '';
  return { message: d.message, source: src, index: d.index, ...locate(src, d.pos) };
}

/**
 * Compile criteria: one string or an array of strings (an array is an OR of its entries, and
 * so are several `;`-terminated statements in one string). Never throws.
 */
export function compileCriteria(source: string | readonly string[], ctx: CompileContext = {}): CompiledCriteria {
  const sources: readonly string[] = typeof source === 'string' ? [source] : source;
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  if (sources.length === 0) {
    return { ok: false, errors: [{ message: 'no criteria given', column: 1, line: 1, source: '', index: 0 }], warnings: [] };
  }
  const parsed: { index: number; statements: readonly ExprNode[] }[] = [];
  sources.forEach((src, index) => {
    if (typeof src !== 'string') {
      errors.push({ message: 'criteria must be a string', index, pos: 0 });
      return;
    }
    const p = parseExpression(src);
    if (!p.ok) {
      errors.push({ message: p.error.message, index, pos: p.error.pos });
      return;
    }
    for (const w of p.warnings) warnings.push({ message: w.message, index, pos: w.pos });
    parsed.push({ index, statements: p.statements });
  });
  // Check what did parse even when another entry failed: one pass reports every problem.
  const checked = checkStatements(parsed, ctx);
  errors.push(...checked.errors);
  warnings.push(...checked.warnings);
  const byPlace = (a: Diagnostic, b: Diagnostic): number => a.index - b.index || a.pos - b.pos;
  const outWarnings = warnings.sort(byPlace).map((w) => diagnostic(sources, w));
  if (errors.length > 0) return { ok: false, errors: errors.sort(byPlace).map((e) => diagnostic(sources, e)), warnings: outWarnings };
  return { ok: true, evaluate: build(simplify(checked.ir)), warnings: outWarnings };
}

/** `"app == x": column 8: unexpected …` — the one-line form for logs and `flowsieve check`. */
export function formatDiagnostic(d: ExprDiagnostic): string {
  const where = d.line > 1 ? `line ${d.line}, column ${d.column}` : `column ${d.column}`;
  const src = d.source.length > 120 ? d.source.slice(0, 117) + '...' : d.source;
  return `${JSON.stringify(src)}: ${where}: ${d.message}`;
}

/**
 * How the parser grouped each statement, fully parenthesised (`a && b || c` →
 * `((a && b) || c)`); null with the error when the source does not parse.
 */
export function explainCriteria(source: string): { ok: true; statements: string[] } | { ok: false; error: ExprError } {
  const p = parseExpression(source);
  if (!p.ok) return { ok: false, error: diagnostic([source], { message: p.error.message, index: 0, pos: p.error.pos }) };
  return { ok: true, statements: p.statements.map(printExpr) };
}

/** Compile many independent criteria (one evaluator each); for benchmarks and bulk checks. */
export function compileMany(sources: readonly (string | readonly string[])[], ctx: CompileContext = {}): CompiledCriteria[] {
  return sources.map((s) => compileCriteria(s, ctx));
}
