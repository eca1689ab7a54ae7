/**
 * Compiler step 2: IR → smaller IR. Folds constants, pushes `!` into leaves and merges
 * same-attribute equality chains (`a == x || a == y` → one Set lookup; `ip == p1 || ip ==
 * @g` → one prefix tree; `a != x && a != y` → one negated lookup), cheapest tests first.
 */
import { FALSE, TRUE, type IR } from './ir.js';

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
