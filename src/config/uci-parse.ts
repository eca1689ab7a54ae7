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

/** Thrown inside the parser only; caught per statement (never escapes `parseUci`). */
class StatementError {
  constructor(
    readonly loc: UciLocation,
    readonly message: string,
  ) {}
}

interface Token {
  readonly text: string;
  readonly loc: UciLocation;
  /** libuci wrote its terminator over an unquoted `;`: the rest of the line is lost. */
  readonly truncatesLine: boolean;
}

const isSpace = (c: string): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
/** Blanks that do not end the line. */
const isBlank = (c: string): boolean => c !== '\n' && isSpace(c);

class Parser {
  private pos = 0;
  private line = 1;
  private col = 1;
  /** Set when libuci would have lost the rest of the current line. */
  private truncated = false;
  /** The last argument read was a `;` (libuci then does not skip the line break after it). */
  private semicolonLast = false;
  readonly errors: UciDiagnostic[] = [];
  readonly warnings: UciDiagnostic[] = [];
  readonly sections: MutSection[] = [];
  private current: MutSection | null = null;
  private reopened = new Set<MutSection>();
  packageName: string | null = null;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  private cur(): string {
    if (this.truncated) return this.text[this.pos] === '\n' ? '\n' : '';
    return this.text[this.pos] ?? '';
  }

  private at(offset: number): string {
    return this.text[this.pos + offset] ?? '';
  }

  private advance(): void {
    const c = this.text[this.pos];
    if (c === undefined) return;
    this.pos++;
    if (c === '\n') {
      this.line++;
      this.col = 1;
    } else this.col++;
  }

  private loc(): UciLocation {
    return { line: this.line, column: this.col };
  }

  private diag(loc: UciLocation, message: string): UciDiagnostic {
    return { file: this.file, line: loc.line, column: loc.column, message };
  }

  private warn(loc: UciLocation, message: string): void {
    this.warnings.push(this.diag(loc, message));
  }

  private skipBlanks(): void {
    while (!this.truncated && isBlank(this.cur())) this.advance();
  }

  /** Skip to the end of the physical line (the newline itself stays). */
  private skipRestOfLine(): void {
    while (this.pos < this.text.length && this.text[this.pos] !== '\n') this.advance();
  }

  /**
   * A backslash at the cursor. Returns true when it escaped a character (cursor then on it),
   * false when it joined the next line or ended the input (cursor after the line break).
   */
  private backslash(): boolean {
    this.advance();
    const c = this.cur();
    if (c === '') return false;
    if (c === '\n') {
      this.advance();
      return false;
    }
    if (c === '\r' && this.at(1) === '\n') {
      this.advance();
      this.advance();
      return false;
    }
    return true;
  }

  private singleQuoted(out: string[]): void {
    const open = this.loc();
    this.advance();
    for (;;) {
      const c = this.cur();
      if (c === '') throw new StatementError(open, "unterminated ' (quote opened here)");
      if (c === "'") {
        this.advance();
        return;
      }
      out.push(c);
      this.advance();
    }
  }

  private doubleQuoted(out: string[]): void {
    const open = this.loc();
    this.advance();
    for (;;) {
      const c = this.cur();
      if (c === '') throw new StatementError(open, 'unterminated " (quote opened here)');
      if (c === '"') {
        this.advance();
        return;
      }
      if (c === '\\') {
        if (!this.backslash()) continue;
      }
      out.push(this.cur());
      this.advance();
    }
  }

  /** libuci `parse_str`: one argument made of bare, quoted and escaped pieces. */
  private parseStr(): Token {
    const loc = this.loc();
    const start = this.pos;
    const out: string[] = [];
    let truncatesLine = false;
    do {
      const c = this.cur();
      if (c === "'") this.singleQuoted(out);
      else if (c === '"') this.doubleQuoted(out);
      else if (c === '#') {
        this.skipRestOfLine();
        break;
      } else if (c === '' || c === '\n') break;
      else if (c === ';') {
        // libuci writes its terminator at the output position; when nothing was unquoted or
        // unescaped, that is the `;` itself and the rest of the line is gone.
        const text = out.join('');
        if (text.length === this.pos - start) {
          truncatesLine = true;
          this.advance();
          const restLoc = this.loc();
          const restStart = this.pos;
          this.skipRestOfLine();
          const rest = this.text.slice(restStart, this.pos).trim();
          if (rest !== '' && !rest.startsWith('#')) {
            this.warn(
              restLoc,
              `libuci ignores the rest of the line after an unquoted value followed by ';' (${JSON.stringify(rest)}); ` +
                'quote the value or start a new line',
            );
          }
          this.truncated = true;
        }
        break;
      } else if (c === '\\') {
        if (!this.backslash()) continue;
        out.push(this.cur());
        this.advance();
      } else {
        out.push(c);
        this.advance();
      }
    } while (this.cur() !== '' && !isSpace(this.cur()));
    return { text: out.join(''), loc, truncatesLine };
  }

  /** libuci `next_arg`: skip blanks, then a `;` (an empty argument) or one argument. */
  private nextArg(): Token {
    this.skipBlanks();
    const loc = this.loc();
    if (this.cur() === ';') {
      this.advance();
      this.semicolonLast = true;
      return { text: '', loc, truncatesLine: false };
    }
    this.semicolonLast = false;
    return this.parseStr();
  }

  private required(what: string): Token {
    const t = this.nextArg();
    if (t.text === '') throw new StatementError(t.loc, `insufficient arguments: ${what} expected`);
    return t;
  }

  /** libuci `assert_eol` (strict): one more argument on the line is an error. */
  private assertEol(): void {
    const t = this.nextArg();
    if (t.text !== '') throw new StatementError(t.loc, `too many arguments (unexpected ${JSON.stringify(t.text)})`);
  }

  private statement(word: string, wordLoc: UciLocation): void {
    switch (word) {
      case 'p':
      case 'package':
        return this.packageStatement();
      case 'c':
      case 'config':
        return this.configStatement();
      case 'o':
      case 'option':
        return this.optionStatement(false, wordLoc);
      case 'l':
      case 'list':
        return this.optionStatement(true, wordLoc);
      default:
        throw new StatementError(
          wordLoc,
          `invalid command ${JSON.stringify(word)}; expected 'package', 'config', 'option' or 'list'`,
        );
    }
  }

  private packageStatement(): void {
    const t = this.required('package name');
    if (!PACKAGE_RE.test(t.text)) throw new StatementError(t.loc, `invalid character in package name ${JSON.stringify(t.text)}`);
    this.assertEol();
    if (this.packageName === null && this.sections.length === 0) this.packageName = t.text;
    else this.warn(t.loc, `'package ${t.text}' ignored: a file holds one package (libuci ignores it when loading a file)`);
  }

  private configStatement(): void {
    const typeTok = this.required('section type');
    if (!isUciType(typeTok.text)) {
      throw new StatementError(typeTok.loc, `invalid character in section type ${JSON.stringify(typeTok.text)}`);
    }
    const nameTok = this.nextArg();
    if (nameTok.text !== '' && !isUciName(nameTok.text)) {
      throw new StatementError(
        nameTok.loc,
        `invalid character in section name ${JSON.stringify(nameTok.text)}; names are letters, digits and '_'`,
      );
    }
    this.assertEol();
    const type = typeTok.text;
    if (nameTok.text === '') {
      const s: MutSection = { type, name: '', anonymous: true, options: [], loc: typeTok.loc };
      this.sections.push(s);
      s.name = anonymousSectionName(this.sections.length, type);
      this.current = s;
      return;
    }
    const name = nameTok.text;
    const prev = this.sections.find((s) => s.name === name);
    if (prev) {
      if (prev.type !== type) {
        this.current = null;
        throw new StatementError(
          typeTok.loc,
          `section '${name}' of type '${type}' overwrites the earlier section of type '${prev.type}' (line ${prev.loc.line})`,
        );
      }
      if (!this.reopened.has(prev)) {
        this.reopened.add(prev);
        this.warn(
          nameTok.loc,
          `section '${name}' (${type}) is opened again; its options merge into the one on line ${prev.loc.line}, as libuci does`,
        );
      }
      this.current = prev;
      return;
    }
    const s: MutSection = { type, name, anonymous: false, options: [], loc: typeTok.loc };
    this.sections.push(s);
    this.current = s;
  }

  private optionStatement(list: boolean, wordLoc: UciLocation): void {
    const section = this.current;
    if (!section) throw new StatementError(wordLoc, 'option/list command found before the first section');
    const nameTok = this.required('option name');
    if (!isUciName(nameTok.text)) {
      throw new StatementError(
        nameTok.loc,
        `invalid character in option name ${JSON.stringify(nameTok.text)}; names are letters, digits and '_'`,
      );
    }
    const valueTok = this.nextArg();
    this.assertEol();
    const name = nameTok.text;
    const value = valueTok.text;
    const idx = section.options.findIndex((o) => o.name === name);
    const prev = idx >= 0 ? section.options[idx] : undefined;
    if (list) {
      if (!prev) {
        section.options.push({ name, value: [value], loc: valueTok.loc, itemLocs: [valueTok.loc] });
      } else if (typeof prev.value === 'string') {
        // libuci turns the string into the list's first item, in the option's place.
        section.options[idx] = { name, value: [prev.value, value], loc: prev.loc, itemLocs: [prev.loc, valueTok.loc] };
      } else {
        prev.value.push(value);
        (prev.itemLocs ??= []).push(valueTok.loc);
      }
      return;
    }
    if (value === '') {
      this.warn(nameTok.loc, `option '${name}' has an empty value; libuci ignores it` + (prev ? ' and keeps the earlier value' : ''));
      return;
    }
    if (!prev) {
      section.options.push({ name, value, loc: valueTok.loc });
      return;
    }
    if (typeof prev.value !== 'string') {
      this.warn(nameTok.loc, `option '${name}' replaces the list given on line ${prev.loc.line}`);
    } else if (prev.value !== value) {
      this.warn(nameTok.loc, `option '${name}' is set again; ${JSON.stringify(value)} replaces ${JSON.stringify(prev.value)} (line ${prev.loc.line})`);
    }
    section.options[idx] = { name, value, loc: valueTok.loc };
  }

  run(): void {
    while (this.pos < this.text.length) {
      this.truncated = false;
      this.skipBlanks();
      const c = this.cur();
      if (c === '') {
        this.skipRestOfLine();
      } else if (c === '\n') {
        this.advance();
        continue;
      } else if (c === '#') {
        this.skipRestOfLine();
        continue;
      } else {
        try {
          this.lineStatements();
        } catch (e) {
          if (!(e instanceof StatementError)) throw e;
          this.errors.push(this.diag(e.loc, e.message));
          this.skipRestOfLine();
        }
      }
      if (this.cur() === '\n') this.advance();
    }
  }

  /** The statements of one line (libuci `uci_parse_line`: more than one after `;`). */
  private lineStatements(): void {
    this.semicolonLast = false;
    for (;;) {
      if (this.semicolonLast) {
        // libuci looks for the next command with strtok(" \t") right after the `;`: a line
        // break there is read as a command word and rejected.
        this.semicolonLast = false;
        while (this.cur() === ' ' || this.cur() === '\t') this.advance();
        const c = this.cur();
        if (c !== '' && c !== '#' && isSpace(c)) {
          throw new StatementError(this.loc(), "invalid command: a ';' must be followed by another command on the same line");
        }
      }
      this.skipBlanks();
      const c = this.cur();
      if (c === '' || c === '\n') return;
      if (c === '#') {
        this.skipRestOfLine();
        return;
      }
      const wordLoc = this.loc();
      let word = '';
      while (this.cur() !== '' && !isSpace(this.cur())) {
        word += this.cur();
        this.advance();
      }
      if (word.startsWith('#')) {
        this.skipRestOfLine();
        return;
      }
      // libuci skips the command word and the one blank after it.
      if (isBlank(this.cur())) this.advance();
      this.statement(word, wordLoc);
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
