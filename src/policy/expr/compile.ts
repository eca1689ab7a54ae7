/**
 * Compiler: AST → checked intermediate form → one evaluator closure.
 *
 * Three steps, each with one job:
 *  1. `check` resolves attribute names, converts every literal into the attribute's
 *     normalised key (once, here, never per evaluation) and reports type errors;
 *  2. `simplify` folds constants, pushes `!` into leaves and merges same-attribute
 *     equality chains (`a == x || a == y` → one Set lookup; `ip == p1 || ip == @g` → one
 *     prefix tree; `a != x && a != y` → one negated lookup);
 *  3. `build` turns the result into closures over plain data.
 *
 * Semantics worth knowing (docs/expressions.md has the full list): `attr != v` is exactly
 * `!(attr == v)`, so it is true when the attribute is absent; ordering comparisons on an
 * absent attribute are false.
 */
import type { FlowRecord } from '../../record/flow-record.js';
import {
  type AttrDef,
  type Key,
  OTHER_TYPE_CONSTANTS,
  UNSUPPORTED_NETIFY_ATTRIBUTES,
  attributeNames,
  cipherKey,
  findAttribute,
  normApp,
  normHost,
  normName,
  tlsVersionOf,
} from './attributes.js';
import { cidrText } from '../../net/address.js';
import type { AddressGroup, AddressGroups } from './groups.js';
import type { CmpOp, ExprNode, Literal } from './parser.js';
import { PrefixSet } from '../../net/prefix-tree.js';

export type Matcher = (r: FlowRecord) => boolean;

export interface CompileContext {
  /** Address groups for `@name` references (see groups.ts). */
  readonly groups?: AddressGroups | null;
}

/** A problem at an offset of one source string (index into the criteria array). */
export interface Diagnostic {
  readonly message: string;
  readonly index: number;
  readonly pos: number;
}

/** How an equality leaf compares: exactly, or category tags by `-`-prefix (compact form). */
type SetMode = 'exact' | 'prefix';

export type IR =
  | { readonly k: 'const'; readonly v: boolean }
  | { readonly k: 'or' | 'and'; readonly items: readonly IR[] }
  | { readonly k: 'not'; readonly item: IR }
  /** attr ∈ keys (or ∉ when neg). */
  | { readonly k: 'set'; readonly attr: AttrDef; readonly mode: SetMode; readonly neg: boolean; readonly keys: readonly Key[] }
  /** Host name equal to one of `exact` or ending in one of `suffix` (each starting with '.'). */
  | { readonly k: 'host'; readonly attr: AttrDef; readonly neg: boolean; readonly exact: readonly string[]; readonly suffix: readonly string[] }
  /** IP attribute inside any of the prefix sets. */
  | { readonly k: 'addr'; readonly attr: AttrDef; readonly neg: boolean; readonly sets: readonly PrefixSet[] }
  /** Anything else (ordering, regex, presence): an opaque predicate. */
  | { readonly k: 'fn'; readonly fn: Matcher; readonly cost: number };

const TRUE: IR = { k: 'const', v: true };
const FALSE: IR = { k: 'const', v: false };

// ---------------------------------------------------------------- 1. check

class Checker {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  private index = 0;

  constructor(private readonly ctx: CompileContext) {}

  statement(node: ExprNode, index: number): IR {
    this.index = index;
    return this.node(node);
  }

  private error(message: string, pos: number): IR {
    this.errors.push({ message, index: this.index, pos });
    return FALSE;
  }

  private warn(message: string, pos: number): void {
    this.warnings.push({ message, index: this.index, pos });
  }

  private node(n: ExprNode): IR {
    switch (n.k) {
      case 'all':
        return TRUE;
      case 'or':
      case 'and':
        return { k: n.k, items: n.items.map((x) => this.node(x)) };
      case 'not':
        return { k: 'not', item: this.node(n.item) };
      case 'test': {
        const attr = this.attribute(n.attr, n.pos);
        if (attr === null) return FALSE;
        return { k: 'fn', fn: attr.present, cost: 1 };
      }
      case 'cmp': {
        const attr = this.attribute(n.attr, n.pos);
        if (attr === null) return FALSE;
        return this.compare(attr, n.op, n.opPos, n.value);
      }
      case 'compact':
        return this.compact(n.code, n.value, n.valuePos);
      case 'either':
        return this.either(n.value);
    }
  }

  private attribute(name: string, pos: number): AttrDef | null {
    const a = findAttribute(name);
    if (a !== null) return a;
    const lower = name.toLowerCase();
    if (lower in OTHER_TYPE_CONSTANTS) {
      this.error(`'${name}' is a value, not an attribute; write other_type == ${lower}`, pos);
      return null;
    }
    const why = UNSUPPORTED_NETIFY_ATTRIBUTES[lower];
    if (why !== undefined) {
      this.error(`attribute '${name}' is not supported: ${why}`, pos);
      return null;
    }
    const hint = closest(lower, attributeNames());
    this.error(`unknown attribute '${name}'` + (hint ? ` (did you mean '${hint}'?)` : ''), pos);
    return null;
  }

  private compare(attr: AttrDef, op: CmpOp, opPos: number, lit: Literal): IR {
    const neg = op === '!=';
    const equality = op === '==' || op === '!=';

    if (lit.t === 'str' && lit.v.startsWith('rx:')) {
      if (!equality) return this.error(`operator '${op}' cannot take a regular expression; use == or !=`, opPos);
      return this.regex(attr, neg, lit.v.slice(3), lit.pos);
    }

    if (!equality && attr.type !== 'number' && attr.type !== 'tls_version') {
      return this.error(`operator '${op}' does not apply to ${attr.name} (a ${typeLabel(attr)}); use == or !=`, opPos);
    }

    switch (attr.type) {
      case 'app':
      case 'protocol':
      case 'category':
      case 'text': {
        if (lit.t !== 'str') return this.expected(attr, lit, 'a quoted name');
        const v = attr.type === 'app' ? normApp(lit.v) : attr.type === 'text' ? lit.v : normName(lit.v);
        if (v === '') return this.error(`empty name for ${attr.name}`, lit.pos);
        return { k: 'set', attr, mode: 'exact', neg, keys: [v] };
      }
      case 'hostname':
        return this.hostname(attr, neg, lit);
      case 'number':
      case 'tls_version': {
        const v = this.number(attr, lit);
        if (v === null) return FALSE;
        if (equality) return { k: 'set', attr, mode: 'exact', neg, keys: [v] };
        return { k: 'fn', fn: ordering(attr, op, v), cost: 1 };
      }
      case 'bool': {
        let v: boolean;
        if (lit.t === 'bool') v = lit.v;
        else if (lit.t === 'num' && (lit.v === 0 || lit.v === 1)) v = lit.v === 1;
        else return this.expected(attr, lit, 'true or false');
        return { k: 'set', attr, mode: 'exact', neg, keys: [v] };
      }
      case 'other_type': {
        const name = lit.t === 'const' || lit.t === 'str' ? lit.v.toLowerCase() : null;
        const v = name === null ? undefined : (OTHER_TYPE_CONSTANTS[name] ?? OTHER_TYPE_CONSTANTS['other_' + name]);
        if (v === undefined) return this.expected(attr, lit, `one of ${Object.keys(OTHER_TYPE_CONSTANTS).join(', ')}`);
        return { k: 'set', attr, mode: 'exact', neg, keys: [v] };
      }
      case 'cipher': {
        const v = lit.t === 'num' ? lit.v : lit.t === 'str' ? cipherKey(lit.v) : null;
        if (v === null) return this.expected(attr, lit, "a cipher suite code (0x1301) or quoted name");
        return { k: 'set', attr, mode: 'exact', neg, keys: [v] };
      }
      case 'ip':
        return this.ip(attr, neg, lit);
      case 'mac':
        return this.mac(attr, neg, lit);
    }
  }

  private expected(attr: AttrDef, lit: Literal, what: string): IR {
    let hint = '';
    if (lit.t === 'const' && (attr.type === 'app' || attr.type === 'protocol' || attr.type === 'category' || attr.type === 'hostname' || attr.type === 'text')) {
      hint = `; quote names: '${lit.v}'`;
    } else if (lit.t === 'num' && (attr.type === 'app' || attr.type === 'protocol')) {
      hint = `; numeric ${attr.type} ids are not supported, compare the name`;
    }
    return this.error(`${attr.name} expects ${what}, found ${literalLabel(lit)}${hint}`, lit.pos);
  }

  private number(attr: AttrDef, lit: Literal): number | null {
    if (lit.t === 'num') return lit.v;
    if (lit.t === 'str') {
      const v = attr.type === 'tls_version' ? tlsVersionOf(lit.v) : (attr.named?.[lit.v.toLowerCase()] ?? null);
      if (v !== null) return v;
      if (attr.type === 'tls_version') {
        this.error(`unknown TLS version '${lit.v}' (use 'TLSv1.2', '1.3', 'SSLv3' or a code like 0x0303)`, lit.pos);
        return null;
      }
      if (attr.named) {
        this.error(`unknown name '${lit.v}' for ${attr.name} (known: ${Object.keys(attr.named).join(', ')})`, lit.pos);
        return null;
      }
    }
    this.expected(attr, lit, attr.type === 'tls_version' ? 'a TLS version' : 'a number');
    return null;
  }

  private hostname(attr: AttrDef, neg: boolean, lit: Literal): IR {
    if (lit.t !== 'str') return this.expected(attr, lit, "a quoted host name, '*.domain' or 'rx:pattern'");
    const v = normHost(lit.v.trim());
    if (v.startsWith('*.') && v.length > 2 && !v.slice(2).includes('*')) {
      return { k: 'host', attr, neg, exact: [], suffix: [v.slice(1)] };
    }
    if (v.includes('*')) {
      return this.error(`only a leading '*.' wildcard is supported in host names ('*.example.com'); use 'rx:…' for patterns`, lit.pos);
    }
    if (v === '') return this.error(`empty host name for ${attr.name}`, lit.pos);
    return { k: 'host', attr, neg, exact: [v], suffix: [] };
  }

  private regex(attr: AttrDef, neg: boolean, pattern: string, pos: number): IR {
    const text = attr.text;
    if (text === undefined || attr.type === 'ip' || attr.type === 'mac') {
      return this.error(`regular expressions apply to name attributes, not to ${attr.name} (a ${typeLabel(attr)})`, pos);
    }
    let re: RegExp;
    try {
      re = new RegExp(pattern, 'i');
    } catch (e) {
      return this.error(`invalid regular expression '${pattern}': ${e instanceof Error ? e.message : String(e)}`, pos);
    }
    const m: Matcher = (r) => {
      const s = text(r);
      return s !== null && re.test(s);
    };
    return { k: 'fn', fn: neg ? (r) => !m(r) : m, cost: 4 };
  }

  private group(name: string, pos: number): AddressGroup | null {
    const groups = this.ctx.groups;
    const g = groups ? groups.get(name.toLowerCase()) : undefined;
    if (g === undefined) {
      this.error(groups && groups.size > 0 ? `unknown address group '@${name}'` : `unknown address group '@${name}' (no groups file is loaded)`, pos);
      return null;
    }
    return g;
  }

  private ip(attr: AttrDef, neg: boolean, lit: Literal): IR {
    if (lit.t === 'ip') {
      if (lit.v.hostBitsSet) this.warn(`'${lit.text}' has host bits set; it matches ${cidrText(lit.v)}`, lit.pos);
      return { k: 'addr', attr, neg, sets: [PrefixSet.of([lit.v])] };
    }
    if (lit.t === 'group') {
      const g = this.group(lit.v, lit.pos);
      if (g === null) return FALSE;
      if (g.prefixes.size === 0) this.warn(`group '@${g.name}' has no IP addresses, so ${attr.name} never matches it`, lit.pos);
      return { k: 'addr', attr, neg, sets: [g.prefixes] };
    }
    if (lit.t === 'mac') return this.error(`${attr.name} is an IP attribute but ${lit.v} is a MAC address (use local_mac/other_mac)`, lit.pos);
    return this.expected(attr, lit, 'an IP address, CIDR prefix or @group (unquoted)');
  }

  private mac(attr: AttrDef, neg: boolean, lit: Literal): IR {
    if (lit.t === 'mac') return { k: 'set', attr, mode: 'exact', neg, keys: [lit.v] };
    if (lit.t === 'group') {
      const g = this.group(lit.v, lit.pos);
      if (g === null) return FALSE;
      if (g.macs.size === 0) this.warn(`group '@${g.name}' has no MAC addresses, so ${attr.name} never matches it`, lit.pos);
      return { k: 'set', attr, mode: 'exact', neg, keys: [...g.macs] };
    }
    return this.expected(attr, lit, 'a MAC address (00:11:22:33:44:55) or @group');
  }

  private compact(code: 'ai' | 'pi' | 'ac' | 'pc', value: string, pos: number): IR {
    const v = code === 'ai' ? normApp(value) : normName(value);
    if (v === '') return this.error(`empty name after '${code}:'`, pos);
    const attrName = code === 'ai' ? 'app' : code === 'pi' ? 'protocol' : code === 'ac' ? 'category' : 'protocol_category';
    const attr = findAttribute(attrName)!;
    return { k: 'set', attr, mode: code === 'ac' || code === 'pc' ? 'prefix' : 'exact', neg: false, keys: [v] };
  }

  private either(lit: Literal): IR {
    const local = (name: string): AttrDef => findAttribute(name)!;
    if (lit.t === 'ip') {
      if (lit.v.hostBitsSet) this.warn(`'${lit.text}' has host bits set; it matches ${cidrText(lit.v)}`, lit.pos);
      const set = PrefixSet.of([lit.v]);
      return {
        k: 'or',
        items: [
          { k: 'addr', attr: local('local_ip'), neg: false, sets: [set] },
          { k: 'addr', attr: local('other_ip'), neg: false, sets: [set] },
        ],
      };
    }
    if (lit.t === 'mac') {
      return {
        k: 'or',
        items: [
          { k: 'set', attr: local('local_mac'), mode: 'exact', neg: false, keys: [lit.v] },
          { k: 'set', attr: local('other_mac'), mode: 'exact', neg: false, keys: [lit.v] },
        ],
      };
    }
    if (lit.t === 'group') {
      const g = this.group(lit.v, lit.pos);
      if (g === null) return FALSE;
      const items: IR[] = [];
      if (g.prefixes.size > 0) {
        items.push({ k: 'addr', attr: local('local_ip'), neg: false, sets: [g.prefixes] });
        items.push({ k: 'addr', attr: local('other_ip'), neg: false, sets: [g.prefixes] });
      }
      if (g.macs.size > 0) {
        items.push({ k: 'set', attr: local('local_mac'), mode: 'exact', neg: false, keys: [...g.macs] });
        items.push({ k: 'set', attr: local('other_mac'), mode: 'exact', neg: false, keys: [...g.macs] });
      }
      if (items.length === 0) this.warn(`group '@${g.name}' is empty and matches nothing`, lit.pos);
      return { k: 'or', items };
    }
    return this.error('expected an address', lit.pos);
  }
}

function typeLabel(a: AttrDef): string {
  switch (a.type) {
    case 'app':
      return 'application name';
    case 'protocol':
      return 'protocol name';
    case 'category':
      return 'category';
    case 'hostname':
      return 'host name';
    case 'text':
      return 'name';
    case 'number':
      return 'number';
    case 'bool':
      return 'true/false flag';
    case 'ip':
      return 'IP address';
    case 'mac':
      return 'MAC address';
    case 'other_type':
      return 'address type';
    case 'tls_version':
      return 'TLS version';
    case 'cipher':
      return 'cipher suite';
  }
}

function literalLabel(l: Literal): string {
  switch (l.t) {
    case 'str':
      return `string '${l.v}'`;
    case 'num':
      return `number ${l.v}`;
    case 'bool':
      return `'${l.v}'`;
    case 'ip':
      return `address ${l.text}`;
    case 'mac':
      return `MAC address ${l.v}`;
    case 'group':
      return `group '@${l.v}'`;
    case 'const':
      return `'${l.v}'`;
  }
}

function ordering(attr: AttrDef, op: CmpOp, n: number): Matcher {
  const key = attr.key;
  switch (op) {
    case '<':
      return (r) => {
        const v = key(r);
        return typeof v === 'number' && v < n;
      };
    case '<=':
      return (r) => {
        const v = key(r);
        return typeof v === 'number' && v <= n;
      };
    case '>':
      return (r) => {
        const v = key(r);
        return typeof v === 'number' && v > n;
      };
    default:
      return (r) => {
        const v = key(r);
        return typeof v === 'number' && v >= n;
      };
  }
}

/** Nearest known name within edit distance 2, for "did you mean". */
function closest(name: string, names: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const c of names) {
    const d = editDistance(name, c, bestD);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

// ---------------------------------------------------------------- 2. simplify

function negate(ir: IR): IR {
  switch (ir.k) {
    case 'const':
      return ir.v ? FALSE : TRUE;
    case 'not':
      return ir.item;
    case 'set':
    case 'host':
    case 'addr':
      return { ...ir, neg: !ir.neg };
    default:
      return { k: 'not', item: ir };
  }
}

function mergeKey(ir: IR): string | null {
  switch (ir.k) {
    case 'set':
      return `set|${ir.attr.name}|${ir.mode}|${ir.neg}`;
    case 'host':
    case 'addr':
      return `${ir.k}|${ir.attr.name}|${ir.neg}`;
    default:
      return null;
  }
}

/** Two leaves with the same mergeKey → one leaf holding both value lists. */
function merge(a: IR, b: IR): IR {
  if (a.k === 'set' && b.k === 'set') return { ...a, keys: [...a.keys, ...b.keys] };
  if (a.k === 'host' && b.k === 'host') return { ...a, exact: [...a.exact, ...b.exact], suffix: [...a.suffix, ...b.suffix] };
  if (a.k === 'addr' && b.k === 'addr') return { ...a, sets: [...a.sets, ...b.sets] };
  return a;
}

/** Rough evaluation cost, to try cheap tests first (all tests are pure, so order is free). */
function cost(ir: IR): number {
  switch (ir.k) {
    case 'const':
      return 0;
    case 'set':
      return 1;
    case 'addr':
      return 2;
    case 'host':
      return 2;
    case 'fn':
      return ir.cost;
    case 'not':
      return cost(ir.item);
    default:
      return ir.items.reduce((s, x) => s + cost(x), 0);
  }
}

export function simplify(ir: IR): IR {
  switch (ir.k) {
    case 'not':
      return negate(simplify(ir.item));
    case 'or':
    case 'and': {
      const isOr = ir.k === 'or';
      // Flatten, fold constants.
      const flat: IR[] = [];
      const push = (x: IR): boolean => {
        if (x.k === ir.k) {
          for (const y of x.items) if (push(y)) return true;
          return false;
        }
        if (x.k === 'const') return x.v === isOr; // true in OR / false in AND decides
        flat.push(x);
        return false;
      };
      for (const item of ir.items) if (push(simplify(item))) return isOr ? TRUE : FALSE;
      // Merge same-attribute equalities: positive ones under OR, negated ones under AND
      // (`a != x && a != y` is `!(a == x || a == y)`).
      const merged: IR[] = [];
      const slot = new Map<string, number>();
      for (const x of flat) {
        const key = mergeKey(x);
        const mergeable = key !== null && (x as { neg: boolean }).neg === !isOr;
        const at = mergeable ? slot.get(key) : undefined;
        if (at !== undefined) {
          merged[at] = merge(merged[at]!, x);
        } else {
          if (mergeable) slot.set(key, merged.length);
          merged.push(x);
        }
      }
      if (merged.length === 0) return isOr ? FALSE : TRUE;
      if (merged.length === 1) return merged[0]!;
      merged.sort((a, b) => cost(a) - cost(b));
      return { k: ir.k, items: merged };
    }
    default:
      return ir;
  }
}

// ---------------------------------------------------------------- 3. build

/** Category tag equal to a key, or starting with a key followed by '-' (`vpn` ~ `vpn-and-proxy`). */
function prefixHas(set: ReadonlySet<Key>, tag: Key | null): boolean {
  if (typeof tag !== 'string') return false;
  if (set.has(tag)) return true;
  for (let i = tag.indexOf('-'); i > 0; i = tag.indexOf('-', i + 1)) if (set.has(tag.slice(0, i))) return true;
  return false;
}

function buildSet(ir: Extract<IR, { k: 'set' }>): Matcher {
  const key = ir.attr.key;
  const alt = ir.attr.keyAlt;
  const keys = [...new Set(ir.keys)];
  if (ir.mode === 'prefix') {
    const set = new Set(keys);
    return alt ? (r) => prefixHas(set, key(r)) || prefixHas(set, alt(r)) : (r) => prefixHas(set, key(r));
  }
  if (keys.length === 1) {
    const v = keys[0]!;
    return alt ? (r) => key(r) === v || alt(r) === v : (r) => key(r) === v;
  }
  const set = new Set<Key | null>(keys);
  return alt ? (r) => set.has(key(r)) || set.has(alt(r)) : (r) => set.has(key(r));
}

function buildHost(ir: Extract<IR, { k: 'host' }>): Matcher {
  const text = ir.attr.text ?? ((): null => null);
  const exact = new Set(ir.exact);
  const suffix = new Set(ir.suffix);
  if (suffix.size === 0) {
    return (r) => {
      const h = text(r);
      return h !== null && exact.has(h);
    };
  }
  return (r) => {
    const h = text(r);
    if (h === null) return false;
    if (exact.has(h)) return true;
    // Try each label boundary as a suffix: O(labels) Set lookups, whatever the rule count.
    for (let i = h.indexOf('.'); i >= 0; i = h.indexOf('.', i + 1)) if (suffix.has(h.slice(i))) return true;
    return false;
  };
}

function buildAddr(ir: Extract<IR, { k: 'addr' }>): Matcher {
  const key = ir.attr.key;
  let set: PrefixSet;
  if (ir.sets.length === 1) set = ir.sets[0]!;
  else {
    set = new PrefixSet();
    for (const s of ir.sets) set.addAll(s);
  }
  return (r) => set.has(key(r) as string | null);
}

export function build(ir: IR): Matcher {
  switch (ir.k) {
    case 'const':
      return ir.v ? () => true : () => false;
    case 'fn':
      return ir.fn;
    case 'not': {
      const m = build(ir.item);
      return (r) => !m(r);
    }
    case 'set':
    case 'host':
    case 'addr': {
      const m = ir.k === 'set' ? buildSet(ir) : ir.k === 'host' ? buildHost(ir) : buildAddr(ir);
      return ir.neg ? (r) => !m(r) : m;
    }
    case 'or': {
      const ms = ir.items.map(build);
      if (ms.length === 2) {
        const [a, b] = ms as [Matcher, Matcher];
        return (r) => a(r) || b(r);
      }
      if (ms.length === 3) {
        const [a, b, c] = ms as [Matcher, Matcher, Matcher];
        return (r) => a(r) || b(r) || c(r);
      }
      return (r) => {
        for (let i = 0; i < ms.length; i++) if (ms[i]!(r)) return true;
        return false;
      };
    }
    case 'and': {
      const ms = ir.items.map(build);
      if (ms.length === 2) {
        const [a, b] = ms as [Matcher, Matcher];
        return (r) => a(r) && b(r);
      }
      if (ms.length === 3) {
        const [a, b, c] = ms as [Matcher, Matcher, Matcher];
        return (r) => a(r) && b(r) && c(r);
      }
      return (r) => {
        for (let i = 0; i < ms.length; i++) if (!ms[i]!(r)) return false;
        return true;
      };
    }
  }
}

/** Check parsed statements (from one or more sources) as one OR; errors and warnings by source. */
export function checkStatements(
  sources: readonly { readonly index: number; readonly statements: readonly ExprNode[] }[],
  ctx: CompileContext,
): { ir: IR; errors: Diagnostic[]; warnings: Diagnostic[] } {
  const c = new Checker(ctx);
  const items: IR[] = [];
  for (const s of sources) for (const st of s.statements) items.push(c.statement(st, s.index));
  return { ir: { k: 'or', items }, errors: c.errors, warnings: c.warnings };
}
