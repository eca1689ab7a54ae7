/**
 * UCI text → model, behaving like libuci's file parser (openwrt/uci file.c, list.c) with the
 * library's default strict flags, so what flowsieve reads is what `uci show` shows:
 *
 *  - statements `package <name>`, `config <type> [<name>]`, `option <name> <value>`,
 *    `list <name> <value>` (libuci also takes the one-letter forms `p`, `c`, `o`, `l`);
 *  - arguments: bare words, '…' (literal, may span lines), "…" (backslash escapes the next
 *    character); pieces written next to each other concatenate (`'a'"b"c` is `abc`); outside
 *    single quotes a backslash escapes the next character and a backslash at the end of a
 *    line joins the next line; `#` outside quotes comments out the rest of the line;
 *  - `;` after a quoted argument separates statements; after a bare word libuci overwrites it
 *    with the string terminator and loses the rest of the line (we warn and do the same);
 *  - names are [A-Za-z0-9_]; types are printable ASCII without blanks;
 *  - a repeated `config` with the same name reopens the section (options merge; a different
 *    type is an error in strict mode), a repeated `option` replaces the value in place,
 *    `list` appends (turning an earlier `option` into the list's first item), an `option`
 *    with an empty value is ignored, an empty `list` item is kept;
 *  - anonymous sections get libuci's generated names: `cfg` + section counter (2 hex digits)
 *    + djb hash of the type (4 hex digits), e.g. `cfg01e63d`; messages call them `@type[i]`.
 *
 * Errors carry file, line and column (1-based). Parsing never throws: after an error the rest
 * of the line is skipped (as libuci does) so that every error in the file is reported.
 *
 * Longer than the house's ~450 lines on purpose: libuci's grammar, with its quirks and
 * their messages, kept in one place so it can be read against file.c.
 */

export interface UciLocation {
  readonly line: number;
  readonly column: number;
}

export interface UciOption {
  readonly name: string;
  /** `option`: one string; `list`: its items in order. */
  readonly value: string | readonly string[];
  /** Where the option was (last) set; for a list, its first item. */
  readonly loc: UciLocation;
  /** For a list: where each item came from. */
  readonly itemLocs?: readonly UciLocation[];
}

export interface UciSection {
  readonly type: string;
  /** The given name, or libuci's generated `cfgNNHHHH` for an anonymous section. */
  readonly name: string;
  readonly anonymous: boolean;
  readonly options: readonly UciOption[];
  /** Where the section was first opened. */
  readonly loc: UciLocation;
}

export interface UciPackage {
  /** Package name: from a `package` line, else the file's base name. */
  readonly name: string;
  /** File name used in messages. */
  readonly file: string;
  readonly sections: readonly UciSection[];
}

export interface UciDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type UciParseResult =
  | { readonly ok: true; readonly package: UciPackage; readonly warnings: readonly UciDiagnostic[] }
  | {
      readonly ok: false;
      readonly errors: readonly UciDiagnostic[];
      readonly warnings: readonly UciDiagnostic[];
      /** What could be read around the errors (for tools that want to keep going). */
      readonly partial: UciPackage;
    };

// ------------------------------------------------------------------ names

const NAME_RE = /^[A-Za-z0-9_]+$/;
const PACKAGE_RE = /^[A-Za-z0-9_-]+$/;

/** libuci `uci_validate_name`: letters, digits, underscore. */
export function isUciName(s: string): boolean {
  return NAME_RE.test(s);
}

/** libuci `uci_validate_type`: printable ASCII (33–126), not empty. */
export function isUciType(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 33 || c > 126) return false;
  }
  return true;
}

/** libuci's djb hash (signed `char` on the usual targets; types are ASCII, so no difference). */
function djbhash(hash: number, str: string): number {
  let h = hash === -1 ? 5381 : hash;
  for (let i = 0; i < str.length; i++) h = (Math.imul(h, 33) + str.charCodeAt(i)) >>> 0;
  return h & 0x7fffffff;
}

/** Name libuci gives an anonymous section: counter = sections allocated so far, hash of type. */
export function anonymousSectionName(counter: number, type: string): string {
  const hash = djbhash(-1, type) % 65536;
  return `cfg${counter.toString(16).padStart(2, '0')}${hash.toString(16).padStart(4, '0')}`;
}

/** How messages name a section: its name, or `@type[i]` (i counts all sections of the type). */
export function sectionRef(pkg: UciPackage, section: UciSection): string {
  if (!section.anonymous) return section.name;
  let i = 0;
  for (const s of pkg.sections) {
    if (s === section) break;
    if (s.type === section.type) i++;
  }
  return `@${section.type}[${i}]`;
}

/**
 * Find a section by name or libuci's extended form `@type[i]` / `@type[-1]` / `@[i]`.
 * With `type`, a plain name must also have that type.
 */
export function findSection(pkg: UciPackage, ref: string, type?: string): UciSection | undefined {
  const m = /^@([^[\]]*)\[(-?\d+)\]$/.exec(ref);
  if (!m) return pkg.sections.find((s) => s.name === ref && (type === undefined || s.type === type));
  const t = m[1] === '' ? undefined : m[1];
  if (type !== undefined && t !== undefined && t !== type) return undefined;
  const want = t ?? type;
  const list = pkg.sections.filter((s) => want === undefined || s.type === want);
  let idx = Number(m[2]);
  if (idx < 0) idx += list.length;
  return list[idx];
}

/** An option's value as a list (an `option` is a one-item list). */
export function optionValues(o: UciOption): readonly string[] {
  return typeof o.value === 'string' ? [o.value] : o.value;
}

export function getOption(section: UciSection, name: string): UciOption | undefined {
  return section.options.find((o) => o.name === name);
}

export function formatUciDiagnostic(d: UciDiagnostic, severity: 'error' | 'warning' = 'error'): string {
  return `${d.file}:${d.line}:${d.column}: ${severity}: ${d.message}`;
}

// ------------------------------------------------------------------ model under construction

interface MutOption {
  name: string;
  value: string | string[];
  loc: UciLocation;
  itemLocs?: UciLocation[];
}

interface MutSection {
  type: string;
  name: string;
  anonymous: boolean;
  options: MutOption[];
  loc: UciLocation;
}

/** Thrown inside the parser only; caught per line (never escapes `parseUci`). */
class LineError {
  constructor(
    readonly index: number,
    readonly message: string,
  ) {}
}

interface Arg {
  readonly text: string;
  /** Buffer index where the argument starts (for its location). */
  readonly index: number;
}

/** C `isspace` in the "C" locale. */
const isSpace = (c: string): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

const NUL = '\0';

/**
 * The parser works like libuci's: a line buffer filled by `getln` (a trailing backslash or an
 * open quote appends the next line), arguments decoded in place, `\0` written where libuci
 * writes its terminators. Mirroring the buffer keeps its corner cases identical (what a `;`
 * or a blank after an empty quoted argument does at the end of a line, for instance).
 */
class Parser {
  /** Line buffer, one character per slot; `\0` marks where libuci ends a string. */
  private buf: string[] = [];
  /** Source offset of each buffer slot (for locations). */
  private src: number[] = [];
  private pos = 0;
  /** Next unread offset in the text. */
  private next = 0;
  private readonly lineStarts: number[] = [0];
  readonly errors: UciDiagnostic[] = [];
  readonly warnings: UciDiagnostic[] = [];
  readonly sections: MutSection[] = [];
  private current: MutSection | null = null;
  private readonly reopened = new Set<MutSection>();
  packageName: string | null = null;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  // ---------------------------------------------------------------- buffer

  /** libuci `uci_getln`: replace the buffer from `offset` on with the next line of input. */
  private getln(offset: number): void {
    this.buf.length = offset;
    this.src.length = offset;
    if (this.next >= this.text.length) return;
    const nl = this.text.indexOf('\n', this.next);
    const end = nl < 0 ? this.text.length : nl + 1;
    for (let i = this.next; i < end; i++) {
      this.buf.push(this.text[i]!);
      this.src.push(i);
    }
    this.next = end;
  }

  private ch(i: number): string {
    return i < this.buf.length ? this.buf[i]! : NUL;
  }

  private cur(): string {
    return this.ch(this.pos);
  }

  /** Line and column of a buffer slot (past the end: just after the last character). */
  private locOf(index: number): UciLocation {
    let off: number;
    if (index < this.src.length) off = this.src[index]!;
    else off = this.src.length ? this.src[this.src.length - 1]! + 1 : this.next;
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: off - this.lineStarts[lo]! + 1 };
  }

  private diag(loc: UciLocation, message: string): UciDiagnostic {
    return { file: this.file, line: loc.line, column: loc.column, message };
  }

  private warn(index: number, message: string): void {
    this.warnings.push(this.diag(this.locOf(index), message));
  }

  /** The rest of the buffer as text, up to the first `\0`, trimmed (for messages). */
  private restText(from: number): string {
    let s = '';
    for (let i = from; i < this.buf.length && this.buf[i] !== NUL; i++) s += this.buf[i];
    return s.trim();
  }

  // ---------------------------------------------------------------- lexing (file.c)

  private skipWhitespace(): void {
    while (this.cur() !== NUL && isSpace(this.cur())) this.pos++;
  }

  /** libuci `parse_backslash`: true if the next character is to be taken literally. */
  private parseBackslash(): boolean {
    this.pos++;
    const c = this.cur();
    if (c === NUL || c === '\n' || (c === '\r' && this.ch(this.pos + 1) === '\n' && this.ch(this.pos + 2) === NUL)) {
      this.getln(this.pos);
      return false;
    }
    return true;
  }

  private addc(target: { i: number }): void {
    this.buf[target.i] = this.buf[this.pos]!;
    target.i++;
    this.pos++;
  }

  private parseDoubleQuote(target: { i: number }): void {
    const open = this.pos;
    this.pos++;
    for (;;) {
      const c = this.cur();
      if (c === '"') {
        this.pos++;
        return;
      }
      if (c === NUL) {
        this.getln(this.pos);
        if (this.cur() === NUL) throw new LineError(open, 'unterminated " (the quote opened here is never closed)');
        continue;
      }
      if (c === '\\' && !this.parseBackslash()) continue;
      this.addc(target);
    }
  }

  private parseSingleQuote(target: { i: number }): void {
    const open = this.pos;
    this.pos++;
    for (;;) {
      const c = this.cur();
      if (c === "'") {
        this.pos++;
        return;
      }
      if (c === NUL) {
        this.getln(this.pos);
        if (this.cur() === NUL) throw new LineError(open, "unterminated ' (the quote opened here is never closed)");
        continue;
      }
      this.addc(target);
    }
  }

  /** libuci `parse_str`: one argument of bare, quoted and escaped pieces, decoded in place. */
  private parseStr(target: { i: number }): void {
    let next = true;
    loop: do {
      switch (this.cur()) {
        case "'":
          this.parseSingleQuote(target);
          break;
        case '"':
          this.parseDoubleQuote(target);
          break;
        case '#':
          this.buf[this.pos] = NUL;
          break loop;
        case NUL:
          break loop;
        case ';':
          next = false;
          break loop;
        case '\\':
          if (!this.parseBackslash()) continue;
          this.addc(target);
          break;
        default:
          this.addc(target);
      }
    } while (this.cur() !== NUL && !isSpace(this.cur()));
    if (this.cur() !== NUL && next) this.pos++;
    if (!next && target.i === this.pos) {
      // The terminator lands on the `;` itself: libuci loses the rest of the line.
      const rest = this.restText(this.pos + 1);
      if (rest !== '' && !rest.startsWith('#')) {
        this.warn(
          this.pos + 1,
          `libuci ignores the rest of the line after an unquoted value followed by ';' (${JSON.stringify(rest)}); ` +
            'put a blank before the ; or start a new line',
        );
      }
    }
    this.buf[target.i] = NUL;
  }

  /** The string stored at a buffer slot (up to its `\0`). */
  private strAt(i: number): string {
    let s = '';
    for (; i < this.buf.length && this.buf[i] !== NUL; i++) s += this.buf[i];
    return s;
  }

  /** libuci `next_arg`. */
  private nextArg(required: string | null): Arg {
    this.skipWhitespace();
    const val = this.pos;
    if (this.cur() === ';') {
      this.buf[this.pos] = NUL;
      this.pos++;
    } else {
      this.parseStr({ i: val });
    }
    const text = this.strAt(val);
    if (text === '' && required !== null) throw new LineError(val, `insufficient arguments: ${required} expected`);
    return { text, index: val };
  }

  /** libuci `assert_eol` in strict mode. */
  private assertEol(): void {
    this.skipWhitespace();
    const a = this.nextArg(null);
    if (a.text !== '') throw new LineError(a.index, `too many arguments (unexpected ${JSON.stringify(a.text)})`);
  }

  /** Skip the command word (strtok made its delimiter a `\0`) as `uci_increase_pos` does. */
  private skipCommand(wordEnd: number, what: string): void {
    const add = wordEnd - this.pos + 1;
    if (this.pos + add > this.buf.length) throw new LineError(this.pos, `${what} without arguments`);
    this.pos += add;
  }

  // ---------------------------------------------------------------- statements

  private parsePackage(): void {
    const a = this.nextArg('package name');
    if (!PACKAGE_RE.test(a.text)) throw new LineError(a.index, `invalid character in package name ${JSON.stringify(a.text)}`);
    this.assertEol();
    if (this.packageName === null && this.sections.length === 0) this.packageName = a.text;
    else this.warn(a.index, `'package ${a.text}' ignored: a file holds one package (libuci ignores it when loading a file)`);
  }

  private parseConfig(): void {
    const typeArg = this.nextArg('section type');
    if (!isUciType(typeArg.text)) {
      throw new LineError(typeArg.index, `invalid character in section type ${JSON.stringify(typeArg.text)}`);
    }
    const nameArg = this.nextArg(null);
    if (nameArg.text !== '' && !isUciName(nameArg.text)) {
      throw new LineError(
        nameArg.index,
        `invalid character in section name ${JSON.stringify(nameArg.text)}; names are letters, digits and '_'`,
      );
    }
    this.assertEol();
    const type = typeArg.text;
    const loc = this.locOf(typeArg.index);
    if (nameArg.text === '') {
      const s: MutSection = { type, name: '', anonymous: true, options: [], loc };
      this.sections.push(s);
      s.name = anonymousSectionName(this.sections.length, type);
      this.current = s;
      return;
    }
    const name = nameArg.text;
    const prev = this.sections.find((s) => s.name === name);
    if (prev) {
      if (prev.type !== type) {
        throw new LineError(
          typeArg.index,
          `section '${name}' of type '${type}' overwrites the earlier section of type '${prev.type}' (line ${prev.loc.line})`,
        );
      }
      if (!this.reopened.has(prev)) {
        this.reopened.add(prev);
        this.warn(
          nameArg.index,
          `section '${name}' (${type}) is opened again; its options merge into the one on line ${prev.loc.line}, as libuci does`,
        );
      }
      this.current = prev;
      return;
    }
    const s: MutSection = { type, name, anonymous: false, options: [], loc };
    this.sections.push(s);
    this.current = s;
  }

  private parseOption(list: boolean, wordIndex: number): void {
    const section = this.current;
    if (!section) throw new LineError(wordIndex, 'option/list command found before the first section');
    const nameArg = this.nextArg('option name');
    if (!isUciName(nameArg.text)) {
      throw new LineError(
        nameArg.index,
        `invalid character in option name ${JSON.stringify(nameArg.text)}; names are letters, digits and '_'`,
      );
    }
    const valueArg = this.nextArg(null);
    this.assertEol();
    const name = nameArg.text;
    const value = valueArg.text;
    const valueLoc = this.locOf(valueArg.index);
    const idx = section.options.findIndex((o) => o.name === name);
    const prev = idx >= 0 ? section.options[idx] : undefined;
    if (list) {
      if (!prev) {
        section.options.push({ name, value: [value], loc: valueLoc, itemLocs: [valueLoc] });
      } else if (typeof prev.value === 'string') {
        // libuci turns the string into the list's first item, in the option's place.
        section.options[idx] = { name, value: [prev.value, value], loc: prev.loc, itemLocs: [prev.loc, valueLoc] };
      } else {
        prev.value.push(value);
        (prev.itemLocs ??= []).push(valueLoc);
      }
      return;
    }
    if (value === '') {
      this.warn(nameArg.index, `option '${name}' has an empty value; libuci ignores it` + (prev ? ' and keeps the earlier value' : ''));
      return;
    }
    if (!prev) {
      section.options.push({ name, value, loc: valueLoc });
      return;
    }
    if (typeof prev.value !== 'string') {
      this.warn(nameArg.index, `option '${name}' replaces the list given on line ${prev.loc.line}`);
    } else if (prev.value !== value) {
      this.warn(
        nameArg.index,
        `option '${name}' is set again; ${JSON.stringify(value)} replaces ${JSON.stringify(prev.value)} (line ${prev.loc.line})`,
      );
    }
    section.options[idx] = { name, value, loc: valueLoc };
  }

  /** libuci `uci_parse_line`: the commands of one line (several when `;` separates them). */
  private parseLine(): void {
    this.skipWhitespace();
    for (;;) {
      // strtok(cur, " \t"): skips blanks and tabs (not line breaks), ends the word with `\0`.
      let i = this.pos;
      while (this.ch(i) === ' ' || this.ch(i) === '\t') i++;
      if (this.ch(i) === NUL) return;
      const start = i;
      while (this.ch(i) !== NUL && this.ch(i) !== ' ' && this.ch(i) !== '\t') i++;
      const word = this.buf.slice(start, i).join('');
      if (i < this.buf.length) this.buf[i] = NUL;
      if (word.startsWith('#')) return;
      switch (word) {
        case 'p':
        case 'package':
          this.skipCommand(i, 'package');
          this.parsePackage();
          break;
        case 'c':
        case 'config':
          this.skipCommand(i, 'config');
          this.parseConfig();
          break;
        case 'o':
        case 'option':
          this.skipCommand(i, 'option');
          this.parseOption(false, start);
          break;
        case 'l':
        case 'list':
          this.skipCommand(i, 'list');
          this.parseOption(true, start);
          break;
        default: {
          const bareWord = word.replace(/\s+$/, '');
          const needs: Record<string, string> = { package: 'a name', config: 'a section type', option: 'a name and a value', list: 'a name and a value' };
          const full = { p: 'package', c: 'config', o: 'option', l: 'list' }[bareWord] ?? bareWord;
          if (needs[full]) throw new LineError(start, `insufficient arguments: '${bareWord}' needs ${needs[full]}`);
          const shown = word.trim() === '' ? 'a line break after ;' : JSON.stringify(word.replace(/\s+$/, ''));
          throw new LineError(
            start,
            word.trim() === ''
              ? `invalid command: ${shown} (a ';' must be followed by another command on the same line)`
              : `invalid command ${shown}; expected 'package', 'config', 'option' or 'list'`,
          );
        }
      }
    }
  }

  run(): void {
    while (this.next < this.text.length) {
      this.pos = 0;
      this.getln(0);
      if (this.buf.length === 0) continue;
      try {
        this.parseLine();
      } catch (e) {
        if (!(e instanceof LineError)) throw e;
        this.errors.push(this.diag(this.locOf(e.index), e.message));
      }
    }
  }
}

/** Base name of a path, for the package name. */
function baseName(file: string): string {
  const i = file.lastIndexOf('/');
  return i >= 0 ? file.slice(i + 1) : file;
}

/** Parse UCI text. `file` names the source in messages (and is the default package name). */
export function parseUci(text: string, file: string): UciParseResult {
  const p = new Parser(text, file);
  try {
    p.run();
  } catch (e) {
    // Only a bug can get here; report it instead of crashing the caller.
    p.errors.push({ file, line: 1, column: 1, message: `internal parser error: ${String(e)}` });
  }
  const pkg: UciPackage = { name: p.packageName ?? baseName(file), file, sections: p.sections };
  if (p.errors.length > 0) return { ok: false, errors: p.errors, warnings: p.warnings, partial: pkg };
  return { ok: true, package: pkg, warnings: p.warnings };
}
