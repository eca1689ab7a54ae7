/**
 * Compiler step 1: AST → IR. Resolves attribute names, converts every literal into the
 * attribute's normalised key (once, here, never per evaluation) and reports type errors.
 */
import {
  type AttrDef,
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
import { didYouMean } from '../../util/suggest.js';
import { PrefixSet } from '../../net/prefix-tree.js';
import type { AddressGroup } from './groups.js';
import { FALSE, TRUE, type CompileContext, type Diagnostic, type IR, type Matcher } from './ir.js';
import type { CmpOp, ExprNode, Literal } from './parser.js';

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
    this.error(`unknown attribute '${name}'${didYouMean(lower, attributeNames())}`, pos);
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
