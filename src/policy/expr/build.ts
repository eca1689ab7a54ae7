/**
 * Compiler step 3: IR → one evaluator closure over plain data (Sets, prefix trees), so
 * evaluating a flow never looks at the source again.
 */
import { PrefixSet } from '../../net/prefix-tree.js';
import type { Key } from './attributes.js';
import type { IR, Matcher } from './ir.js';

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
