/**
 * Lexer for flow expressions. Turns `other_ip == 10.0.0.0/8 && app != 'netify.reddit';` into
 * tokens carrying their offset in the source, so every later error can name a column.
 *
 * Address literals are lexed before identifiers because MACs and IPv6 addresses may start
 * with letters (`ac:de:48:00:11:22`, `fe80::1`); a run that is not a valid address and is
 * glued to letters falls back to an identifier (`face`, `ac:games`).
 */
import { parseCidr, parseMac, type Cidr } from '../../net/address.js';

export type CompactCode = 'ai' | 'pi' | 'ac' | 'pc';

export type OpText = '==' | '!=' | '<=' | '>=' | '<' | '>' | '&&' | '||' | '!' | '(' | ')' | ';' | '*';

export type Token =
  | { readonly kind: 'str'; readonly value: string; readonly pos: number; readonly end: number }
  | { readonly kind: 'num'; readonly value: number; readonly pos: number; readonly end: number }
  | { readonly kind: 'bool'; readonly value: boolean; readonly pos: number; readonly end: number }
  | { readonly kind: 'ip'; readonly value: Cidr; readonly text: string; readonly prefix: boolean; readonly pos: number; readonly end: number }
  | { readonly kind: 'mac'; readonly value: string; readonly pos: number; readonly end: number }
  | { readonly kind: 'group'; readonly value: string; readonly pos: number; readonly end: number }
  | { readonly kind: 'ident'; readonly value: string; readonly pos: number; readonly end: number }
  | {
      readonly kind: 'compact';
      readonly code: CompactCode;
      readonly value: string;
      readonly valuePos: number;
      readonly pos: number;
      readonly end: number;
    }
  | { readonly kind: 'op'; readonly value: OpText; readonly pos: number; readonly end: number }
  | { readonly kind: 'eof'; readonly pos: number; readonly end: number };

export interface LexError {
  readonly message: string;
  readonly pos: number;
}

export type LexResult = { readonly ok: true; readonly tokens: Token[] } | { readonly ok: false; readonly error: LexError };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const IDENT_CHAR = /[A-Za-z0-9_]/;
const HEX_NUMBER = /0[xX][0-9a-fA-F]+/y;
const ADDRESS_RUN = /[0-9A-Fa-f:.]+(?:\/[0-9]+)?/y;
const DASHED_MAC = /[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5}/y;
const COMPACT = /(ai|pi|ac|pc):/iy;
const COMPACT_VALUE = /[A-Za-z0-9_.+\-/]+/y;
const GROUP_NAME = /[A-Za-z0-9_][A-Za-z0-9_.-]*/y;
const TWO_CHAR_OPS = new Set(['==', '!=', '<=', '>=', '&&', '||']);
const ONE_CHAR_OPS = new Set(['<', '>', '!', '(', ')', ';', '*']);

function stickyMatch(re: RegExp, src: string, pos: number): string | null {
  re.lastIndex = pos;
  const m = re.exec(src);
  return m ? m[0] : null;
}

export function lex(src: string): LexResult {
  const tokens: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    // `#` starts a comment to the end of the line (criteria files); never inside strings.
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    const start = i;

    if (c === "'") {
      const r = readString(src, i);
      if (!r.ok) return r;
      i = r.end;
      tokens.push({ kind: 'str', value: r.value, pos: start, end: i });
      continue;
    }

    if (c === '"') {
      return { ok: false, error: { message: "strings use single quotes ('…'), not double quotes", pos: start } };
    }

    if (c === '@') {
      const name = stickyMatch(GROUP_NAME, src, i + 1);
      if (name === null) return { ok: false, error: { message: "expected a group name after '@'", pos: start } };
      i += 1 + name.length;
      tokens.push({ kind: 'group', value: name, pos: start, end: i });
      continue;
    }

    const two = src.slice(i, i + 2);
    if (TWO_CHAR_OPS.has(two)) {
      i += 2;
      tokens.push({ kind: 'op', value: two as OpText, pos: start, end: i });
      continue;
    }
    if (c === '=') return { ok: false, error: { message: "'=' is not an operator; use '==' to compare", pos: start } };
    if (c === '&') return { ok: false, error: { message: "single '&' is not an operator; use '&&' or 'and'", pos: start } };
    if (c === '|') return { ok: false, error: { message: "single '|' is not an operator; use '||' or 'or'", pos: start } };
    if (ONE_CHAR_OPS.has(c)) {
      i++;
      tokens.push({ kind: 'op', value: c as OpText, pos: start, end: i });
      continue;
    }

    // Numbers and addresses.
    const hex = stickyMatch(HEX_NUMBER, src, i);
    if (hex !== null && !IDENT_CHAR.test(src[i + hex.length] ?? '')) {
      i += hex.length;
      tokens.push({ kind: 'num', value: parseInt(hex.slice(2), 16), pos: start, end: i });
      continue;
    }
    const dashed = stickyMatch(DASHED_MAC, src, i);
    if (dashed !== null && !IDENT_CHAR.test(src[i + dashed.length] ?? '') && src[i + dashed.length] !== '-') {
      i += dashed.length;
      tokens.push({ kind: 'mac', value: dashed.toLowerCase().replace(/-/g, ':'), pos: start, end: i });
      continue;
    }
    const run = stickyMatch(ADDRESS_RUN, src, i);
    if (run !== null && !IDENT_CHAR.test(src[i + run.length] ?? '')) {
      const hasSep = run.includes(':') || run.includes('.');
      if (!hasSep && /^[0-9]+$/.test(run)) {
        i += run.length;
        tokens.push({ kind: 'num', value: Number(run), pos: start, end: i });
        continue;
      }
      if (hasSep || /^[0-9]/.test(run)) {
        const mac = run.includes('/') ? null : parseMac(run);
        if (mac !== null) {
          i += run.length;
          tokens.push({ kind: 'mac', value: mac, pos: start, end: i });
          continue;
        }
        const cidr = parseCidr(run);
        if (cidr !== null) {
          i += run.length;
          tokens.push({ kind: 'ip', value: cidr, text: run, prefix: run.includes('/'), pos: start, end: i });
          continue;
        }
        // `ac:face` is a compact term whose value happens to be hex, not a broken address.
        if (!compactAt(src, i)) {
          if (/^[0-9]+\//.test(run)) {
            return { ok: false, error: { message: `invalid prefix '${run}' (a prefix needs an IP address before '/')`, pos: start } };
          }
          return { ok: false, error: { message: `invalid address '${run}'`, pos: start } };
        }
      }
    }

    if (compactAt(src, i)) {
      const code = src.slice(i, i + 2).toLowerCase() as CompactCode;
      const valuePos = i + 3;
      if (src[valuePos] === "'") {
        const r = readString(src, valuePos);
        if (!r.ok) return r;
        i = r.end;
        tokens.push({ kind: 'compact', code, value: r.value, valuePos, pos: start, end: i });
        continue;
      }
      const v = stickyMatch(COMPACT_VALUE, src, valuePos);
      if (v === null) return { ok: false, error: { message: `expected a name after '${code}:'`, pos: valuePos } };
      i = valuePos + v.length;
      tokens.push({ kind: 'compact', code, value: v, valuePos, pos: start, end: i });
      continue;
    }

    const ident = stickyMatch(IDENT, src, i);
    if (ident !== null) {
      i += ident.length;
      const lower = ident.toLowerCase();
      if (lower === 'and') tokens.push({ kind: 'op', value: '&&', pos: start, end: i });
      else if (lower === 'or') tokens.push({ kind: 'op', value: '||', pos: start, end: i });
      else if (lower === 'true' || lower === 'false') tokens.push({ kind: 'bool', value: lower === 'true', pos: start, end: i });
      else tokens.push({ kind: 'ident', value: ident, pos: start, end: i });
      continue;
    }

    if (/[0-9]/.test(c)) {
      // Digits glued to letters: `12abc`, `0x` without digits, `1.5x`.
      const word = /[0-9A-Za-z_.:]+/y;
      const w = stickyMatch(word, src, i) ?? c;
      return { ok: false, error: { message: `invalid number or address '${w}'`, pos: start } };
    }
    return { ok: false, error: { message: `unexpected character '${c}'`, pos: start } };
  }
  tokens.push({ kind: 'eof', pos: n, end: n });
  return { ok: true, tokens };
}

/**
 * Single-quoted string starting at `start`. The only escape is `\'` (a quote); every other
 * backslash is kept as written, so regular expressions (`'rx:^a\.b$'`) pass through unchanged
 * (and `\'` means a quote in a RegExp too).
 */
function readString(src: string, start: number): { ok: true; value: string; end: number } | { ok: false; error: LexError } {
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const d = src[i]!;
    if (d === '\\' && src[i + 1] === "'") {
      value += "'";
      i += 2;
      continue;
    }
    if (d === "'") return { ok: true, value, end: i + 1 };
    value += d;
    i++;
  }
  return { ok: false, error: { message: 'unterminated string (missing closing quote)', pos: start } };
}

/** `ai:`, `pi:`, `ac:`, `pc:` at `i`, not glued to a longer identifier before it. */
function compactAt(src: string, i: number): boolean {
  if (i > 0 && IDENT_CHAR.test(src[i - 1]!)) return false;
  COMPACT.lastIndex = i;
  return COMPACT.test(src);
}
