/**
 * Parser: tokens → AST. Grammar (lowest precedence first):
 *
 *     criteria := statement (';' statement)* [';']
 *     or       := and (('||' | 'or') and)*
 *     and      := unary (('&&' | 'and') unary)*
 *     unary    := '!' unary | primary
 *     primary  := '(' or ')' | '*' | compact | address | @group | attribute [cmp value]
 *
 * `&&` binds tighter than `||`, as in C. Netify's own parser gives them equal precedence and
 * groups to the right, so an unparenthesised mix means different things there and here: the
 * parser reports a warning (not an error) at the operator where the mix starts.
 *
 * Only syntax is checked here; attribute names and value types are the compiler's business.
 */
import type { Cidr } from '../../net/address.js';
import { type CompactCode, type LexError, type OpText, type Token, lex } from './lexer.js';

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type Literal =
  | { readonly t: 'str'; readonly v: string; readonly pos: number }
  | { readonly t: 'num'; readonly v: number; readonly pos: number }
  | { readonly t: 'bool'; readonly v: boolean; readonly pos: number }
  | { readonly t: 'ip'; readonly v: Cidr; readonly text: string; readonly prefix: boolean; readonly pos: number }
  | { readonly t: 'mac'; readonly v: string; readonly pos: number }
  | { readonly t: 'group'; readonly v: string; readonly pos: number }
  /** A bare word in value position: `other_local`, `tunnel_none`, … */
  | { readonly t: 'const'; readonly v: string; readonly pos: number };

export type ExprNode =
  | { readonly k: 'or' | 'and'; readonly items: readonly ExprNode[]; readonly pos: number }
  | { readonly k: 'not'; readonly item: ExprNode; readonly pos: number }
  | { readonly k: 'all'; readonly pos: number }
  /** A bare attribute: true when the attribute is present and not empty/false/0. */
  | { readonly k: 'test'; readonly attr: string; readonly pos: number }
  | { readonly k: 'cmp'; readonly attr: string; readonly op: CmpOp; readonly opPos: number; readonly value: Literal; readonly pos: number }
  | { readonly k: 'compact'; readonly code: CompactCode; readonly value: string; readonly valuePos: number; readonly pos: number }
  /** A bare address, prefix, MAC or @group: matches either end of the flow. */
  | { readonly k: 'either'; readonly value: Literal; readonly pos: number };

export interface ParseWarning {
  readonly message: string;
  readonly pos: number;
}

export type ParseResult =
  | { readonly ok: true; readonly statements: readonly ExprNode[]; readonly warnings: readonly ParseWarning[] }
  | { readonly ok: false; readonly error: LexError };

const CMP_OPS = new Set<string>(['==', '!=', '<', '<=', '>', '>=']);

class ParseFailure {
  constructor(readonly message: string, readonly pos: number) {}
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of expression';
    case 'op':
      return `'${t.value}'`;
    case 'str':
      return `string '${t.value}'`;
    case 'num':
      return `number ${t.value}`;
    case 'bool':
      return `'${t.value}'`;
    case 'ip':
      return `address ${t.text}`;
    case 'mac':
      return `MAC address ${t.value}`;
    case 'group':
      return `'@${t.value}'`;
    case 'ident':
      return `'${t.value}'`;
    case 'compact':
      return `'${t.code}:${t.value}'`;
  }
}

class Parser {
  private i = 0;
  readonly warnings: ParseWarning[] = [];

  constructor(private readonly toks: readonly Token[]) {}

  private peek(): Token {
    return this.toks[this.i]!;
  }

  private next(): Token {
    const t = this.toks[this.i]!;
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isOp(v: OpText): boolean {
    const t = this.peek();
    return t.kind === 'op' && t.value === v;
  }

  parseCriteria(): ExprNode[] {
    const out: ExprNode[] = [];
    for (;;) {
      while (this.isOp(';') && out.length > 0) this.next(); // tolerate `a;;`
      const t = this.peek();
      if (t.kind === 'eof') {
        if (out.length === 0) throw new ParseFailure('empty expression', t.pos);
        return out;
      }
      if (this.isOp(';')) throw new ParseFailure("empty statement before ';'", t.pos);
      out.push(this.parseOr());
      const end = this.peek();
      if (end.kind === 'eof') return out; // the final ';' is optional
      if (!(end.kind === 'op' && end.value === ';')) {
        if (end.kind === 'op' && CMP_OPS.has(end.value)) {
          throw new ParseFailure(`unexpected ${describe(end)}: a comparison needs an attribute on its left`, end.pos);
        }
        if (end.kind === 'op' && end.value === ')') throw new ParseFailure("unbalanced ')'", end.pos);
        throw new ParseFailure(`expected '&&', '||', ';' or end of expression, found ${describe(end)}`, end.pos);
      }
      this.next();
    }
  }

  /** One `||` level: its operands are `&&` chains; a multi-operand chain here is a mix. */
  private parseOr(): ExprNode {
    const first = this.peek();
    const items: ExprNode[] = [];
    const andOps: number[] = []; // position of the first '&&' of each operand that has one
    const orOps: number[] = [];
    const a = this.parseAnd();
    items.push(a.node);
    if (a.firstAnd >= 0) andOps.push(a.firstAnd);
    while (this.isOp('||')) {
      orOps.push(this.next().pos);
      const b = this.parseAnd();
      items.push(b.node);
      if (b.firstAnd >= 0) andOps.push(b.firstAnd);
    }
    if (orOps.length > 0 && andOps.length > 0) {
      // Name the operator where the kind first changes, reading left to right.
      const ops = [...andOps.map((p) => ({ p, and: true })), ...orOps.map((p) => ({ p, and: false }))].sort((x, y) => x.p - y.p);
      const pos = ops.find((o) => o.and !== ops[0]!.and)!.p;
      this.warnings.push({
        message:
          "'&&' and '||' are mixed without parentheses: flowsieve evaluates '&&' first, " +
          'but Netify gives them equal precedence and groups to the right, so this criterion may match ' +
          'differently there; add parentheses to make the grouping explicit',
        pos,
      });
    }
    return items.length === 1 ? items[0]! : { k: 'or', items, pos: first.pos };
  }

  private parseAnd(): { node: ExprNode; firstAnd: number } {
    const first = this.peek();
    const items: ExprNode[] = [this.parseUnary()];
    let firstAnd = -1;
    while (this.isOp('&&')) {
      const p = this.next().pos;
      if (firstAnd < 0) firstAnd = p;
      items.push(this.parseUnary());
    }
    return { node: items.length === 1 ? items[0]! : { k: 'and', items, pos: first.pos }, firstAnd };
  }

  private parseUnary(): ExprNode {
    if (this.isOp('!')) {
      const bang = this.next();
      // `!app == 'x'` reads as `(!app) == 'x'` in C and is a syntax error in Netify: refuse it.
      const a = this.peek();
      const b = this.toks[this.i + 1];
      if (a.kind === 'ident' && b !== undefined && b.kind === 'op' && CMP_OPS.has(b.value)) {
        throw new ParseFailure(
          `'!' negates only the attribute '${a.value}'; write !(${a.value} ${b.value} …) to negate a comparison, or use '!='`,
          bang.pos,
        );
      }
      const item = this.parseUnary();
      return { k: 'not', item, pos: bang.pos };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): ExprNode {
    const t = this.next();
    switch (t.kind) {
      case 'op':
        if (t.value === '(') {
          if (this.isOp(')')) throw new ParseFailure("empty parentheses '()'", t.pos);
          const inner = this.parseOr();
          const close = this.peek();
          if (!(close.kind === 'op' && close.value === ')')) {
            throw new ParseFailure(`expected ')' to close the '(' at column ${t.pos + 1}, found ${describe(close)}`, close.pos);
          }
          this.next();
          return inner;
        }
        if (t.value === '*') return { k: 'all', pos: t.pos };
        if (CMP_OPS.has(t.value)) throw new ParseFailure(`unexpected ${describe(t)}: a comparison needs an attribute on its left`, t.pos);
        throw new ParseFailure(`expected an attribute, '(', '!' or '*', found ${describe(t)}`, t.pos);
      case 'compact':
        return { k: 'compact', code: t.code, value: t.value, valuePos: t.valuePos, pos: t.pos };
      case 'ip':
      case 'mac':
      case 'group':
        return { k: 'either', value: this.literalOf(t), pos: t.pos };
      case 'ident': {
        const op = this.peek();
        if (op.kind === 'op' && CMP_OPS.has(op.value)) {
          this.next();
          const v = this.next();
          if (v.kind === 'eof' || v.kind === 'op' || v.kind === 'compact') {
            throw new ParseFailure(`expected a value after '${op.value}', found ${describe(v)}`, v.pos);
          }
          return { k: 'cmp', attr: t.value, op: op.value as CmpOp, opPos: op.pos, value: this.literalOf(v), pos: t.pos };
        }
        return { k: 'test', attr: t.value, pos: t.pos };
      }
      case 'str':
        throw new ParseFailure(`unexpected ${describe(t)}: a value needs an attribute and operator before it (e.g. app == '${t.value}')`, t.pos);
      case 'eof':
        throw new ParseFailure('unexpected end of expression', t.pos);
      default:
        throw new ParseFailure(`unexpected ${describe(t)}: expected an attribute`, t.pos);
    }
  }

  private literalOf(t: Token): Literal {
    switch (t.kind) {
      case 'str':
        return { t: 'str', v: t.value, pos: t.pos };
      case 'num':
        return { t: 'num', v: t.value, pos: t.pos };
      case 'bool':
        return { t: 'bool', v: t.value, pos: t.pos };
      case 'ip':
        return { t: 'ip', v: t.value, text: t.text, prefix: t.prefix, pos: t.pos };
      case 'mac':
        return { t: 'mac', v: t.value, pos: t.pos };
      case 'group':
        return { t: 'group', v: t.value, pos: t.pos };
      case 'ident':
        return { t: 'const', v: t.value, pos: t.pos };
      default:
        throw new ParseFailure(`expected a value, found ${describe(t)}`, t.pos);
    }
  }
}

/** Parse one criteria string (one or more `;`-terminated statements). */
export function parseExpression(src: string): ParseResult {
  const lexed = lex(src);
  if (!lexed.ok) return { ok: false, error: lexed.error };
  const p = new Parser(lexed.tokens);
  try {
    const statements = p.parseCriteria();
    return { ok: true, statements, warnings: p.warnings };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: { message: e.message, pos: e.pos } };
    throw e;
  }
}

function literalText(l: Literal): string {
  switch (l.t) {
    case 'str':
      return `'${l.v.replace(/'/g, "\\'")}'`;
    case 'num':
      return String(l.v);
    case 'bool':
      return String(l.v);
    case 'ip':
      return l.text;
    case 'mac':
      return l.v;
    case 'group':
      return `@${l.v}`;
    case 'const':
      return l.v;
  }
}

/** Fully parenthesised text of a node: shows how the parser grouped an expression. */
export function printExpr(n: ExprNode): string {
  switch (n.k) {
    case 'or':
      return `(${n.items.map(printExpr).join(' || ')})`;
    case 'and':
      return `(${n.items.map(printExpr).join(' && ')})`;
    case 'not':
      return `!${printExpr(n.item)}`;
    case 'all':
      return '*';
    case 'test':
      return n.attr;
    case 'cmp':
      return `${n.attr} ${n.op} ${literalText(n.value)}`;
    case 'compact':
      return `${n.code}:${n.value}`;
    case 'either':
      return literalText(n.value);
  }
}
