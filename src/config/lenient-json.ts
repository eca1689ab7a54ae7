/**
 * A JSON reader for hand-written configuration files: every value keeps its line and column,
 * and the slips people (and the reference's own documentation) make are read with a warning
 * instead of rejected:
 *
 *   - a missing `,` between members or items, and a trailing `,` before `}` or `]`;
 *   - `...` placeholders (elided content in documentation examples) — skipped;
 *   - `//` and `/* … *\/` comments;
 *   - a fragment: members without the surrounding `{ }` are read as one object;
 *   - a repeated key (the later value wins, as in JSON.parse).
 *
 * Anything else (an unterminated string, a stray character) is an error with its position.
 * Never throws.
 */

export interface JsonLocation {
  readonly line: number;
  readonly column: number;
}

export interface JsonMember {
  readonly key: string;
  readonly keyLoc: JsonLocation;
  readonly value: JsonNode;
}

export type JsonNode =
  | { readonly kind: 'object'; readonly members: readonly JsonMember[]; readonly loc: JsonLocation }
  | { readonly kind: 'array'; readonly items: readonly JsonNode[]; readonly loc: JsonLocation }
  | { readonly kind: 'string'; readonly value: string; readonly loc: JsonLocation }
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly loc: JsonLocation }
  | { readonly kind: 'bool'; readonly value: boolean; readonly loc: JsonLocation }
  | { readonly kind: 'null'; readonly loc: JsonLocation };

export interface JsonMessage {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type JsonResult =
  | { readonly ok: true; readonly value: JsonNode; readonly warnings: readonly JsonMessage[] }
  | { readonly ok: false; readonly error: JsonMessage; readonly warnings: readonly JsonMessage[] };

class JsonError {
  constructor(
    readonly loc: JsonLocation,
    readonly message: string,
  ) {}
}

class Reader {
  private pos = 0;
  private line = 1;
  private col = 1;
  readonly warnings: JsonMessage[] = [];

  constructor(private readonly text: string) {}

  loc(): JsonLocation {
    return { line: this.line, column: this.col };
  }

  private warn(loc: JsonLocation, message: string): void {
    this.warnings.push({ line: loc.line, column: loc.column, message });
  }

  private peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }

  private advance(n = 1): void {
    for (let i = 0; i < n && this.pos < this.text.length; i++) {
      if (this.text[this.pos] === '\n') {
        this.line++;
        this.col = 1;
      } else this.col++;
      this.pos++;
    }
  }

  /** At `"key":` (a member, not a lone string value)? */
  atMemberStart(): boolean {
    return /^"(?:[^"\\\n]|\\.)*"\s*:/.test(this.text.slice(this.pos, this.pos + 4096));
  }

  /** Note that the input is a fragment (members without braces). */
  fragment(loc: JsonLocation): void {
    this.warn(loc, 'not a complete JSON object: read as the members of one (a documentation fragment?)');
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Blanks and comments. */
  skip(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\ufeff') {
        this.advance();
      } else if (c === '/' && this.peek(1) === '/') {
        const loc = this.loc();
        while (!this.atEnd() && this.peek() !== '\n') this.advance();
        this.warn(loc, 'comment ignored (JSON has no comments)');
      } else if (c === '/' && this.peek(1) === '*') {
        const loc = this.loc();
        const end = this.text.indexOf('*/', this.pos + 2);
        if (end < 0) throw new JsonError(loc, 'unterminated /* comment');
        this.advance(end + 2 - this.pos);
        this.warn(loc, 'comment ignored (JSON has no comments)');
      } else return;
    }
  }

  /** A `...` placeholder at the cursor: skip it (and warn). */
  skipEllipsis(): boolean {
    if (this.text.startsWith('...', this.pos)) {
      const loc = this.loc();
      this.advance(3);
      this.warn(loc, "'...' placeholder (elided content) ignored");
      return true;
    }
    return false;
  }

  private string(): string {
    const open = this.loc();
    this.advance();
    let out = '';
    for (;;) {
      if (this.atEnd()) throw new JsonError(open, 'unterminated string');
      const c = this.peek();
      if (c === '"') {
        this.advance();
        return out;
      }
      if (c === '\n') throw new JsonError(open, 'unterminated string (line break inside it)');
      if (c === '\\') {
        const e = this.peek(1);
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in simple) {
          out += simple[e];
          this.advance(2);
          continue;
        }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) {
          out += String.fromCharCode(parseInt(this.text.slice(this.pos + 2, this.pos + 6), 16));
          this.advance(6);
          continue;
        }
        throw new JsonError(this.loc(), `invalid escape \\${e}`);
      }
      out += c;
      this.advance();
    }
  }

  value(): JsonNode {
    this.skip();
    const loc = this.loc();
    const c = this.peek();
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'string', value: this.string(), loc };
    const num = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos, this.pos + 64));
    if (num) {
      this.advance(num[0].length);
      return { kind: 'number', value: Number(num[0]), text: num[0], loc };
    }
    for (const [word, node] of [
      ['true', { kind: 'bool', value: true, loc }],
      ['false', { kind: 'bool', value: false, loc }],
      ['null', { kind: 'null', loc }],
    ] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.advance(word.length);
        return node;
      }
    }
    if (this.atEnd()) throw new JsonError(loc, 'unexpected end of input: a value expected');
    throw new JsonError(loc, `unexpected ${JSON.stringify(c)}: a value expected`);
  }

  /**
   * Entries up to `close` (a '}', ']', or '' for a fragment that runs to the end of the
   * input), between the separators a hand-written file gets wrong: a doubled or trailing
   * ',' is warned about and ignored, a missing one is warned about, and a `...` placeholder
   * stands for entries (a ',' after it is optional). `entry` reads one entry at the cursor;
   * `missingComma` says that no ',' came before it, for it to warn where that is known.
   */
  private sequence(close: string, entry: (missingComma: boolean) => void): void {
    let needComma = false;
    let afterEllipsis = false;
    let lastComma: JsonLocation | null = null;
    for (;;) {
      this.skip();
      if (close === '' ? this.atEnd() : this.peek() === close) {
        if (lastComma) this.warn(lastComma, "trailing ',' ignored");
        if (close) this.advance();
        return;
      }
      if (this.atEnd()) throw new JsonError(this.loc(), `unexpected end of input: '${close}' expected`);
      if (this.peek() === ',') {
        if (!needComma && !afterEllipsis) this.warn(this.loc(), "extra ',' ignored");
        lastComma = this.loc();
        needComma = false;
        afterEllipsis = false;
        this.advance();
        continue;
      }
      if (this.skipEllipsis()) {
        needComma = false;
        afterEllipsis = true;
        lastComma = null;
        continue;
      }
      afterEllipsis = false;
      entry(needComma);
      needComma = true;
      lastComma = null;
    }
  }

  /** Members up to `close` ('}' or ''); the cursor is after the `{` (or at the start). */
  members(close: string): JsonMember[] {
    const members: JsonMember[] = [];
    this.sequence(close, (missingComma) => {
      if (this.peek() !== '"') throw new JsonError(this.loc(), `unexpected ${JSON.stringify(this.peek())}: a "key" expected`);
      if (missingComma) this.warn(this.loc(), "missing ',' before this member");
      const keyLoc = this.loc();
      const key = this.string();
      this.skip();
      if (this.peek() !== ':') throw new JsonError(this.loc(), `':' expected after "${key}"`);
      this.advance();
      this.skip();
      // `"key": ...` — the value itself was elided.
      if (this.skipEllipsis()) return;
      const value = this.value();
      const dup = members.findIndex((m) => m.key === key);
      if (dup >= 0) {
        this.warn(keyLoc, `key "${key}" repeated; this value replaces the one on line ${members[dup]!.keyLoc.line}`);
        members.splice(dup, 1);
      }
      members.push({ key, keyLoc, value });
    });
    return members;
  }

  private object(): JsonNode {
    const loc = this.loc();
    this.advance();
    return { kind: 'object', members: this.members('}'), loc };
  }

  private array(): JsonNode {
    const loc = this.loc();
    this.advance();
    const items: JsonNode[] = [];
    this.sequence(']', (missingComma) => {
      if (missingComma) this.warn(this.loc(), "missing ',' before this item");
      items.push(this.value());
    });
    return { kind: 'array', items, loc };
  }

}

export function parseLenientJson(text: string): JsonResult {
  const r = new Reader(text);
  try {
    r.skip();
    const start = r.loc();
    // Documentation fragments start with placeholders or with a bare `"key": value`.
    let sawEllipsis = false;
    while (r.skipEllipsis()) {
      sawEllipsis = true;
      r.skip();
    }
    let value: JsonNode;
    if (r.atMemberStart()) {
      r.fragment(start);
      value = { kind: 'object', members: r.members(''), loc: start };
    } else if (sawEllipsis && r.atEnd()) {
      value = { kind: 'object', members: [], loc: start };
    } else {
      value = r.value();
      r.skip();
      while (r.skipEllipsis()) r.skip();
      if (!r.atEnd()) return { ok: false, error: { ...r.loc(), message: 'unexpected text after the JSON value' }, warnings: r.warnings };
    }
    return { ok: true, value, warnings: r.warnings };
  } catch (e) {
    if (e instanceof JsonError) return { ok: false, error: { ...e.loc, message: e.message }, warnings: r.warnings };
    return { ok: false, error: { line: 1, column: 1, message: `internal JSON reader error: ${String(e)}` }, warnings: r.warnings };
  }
}
