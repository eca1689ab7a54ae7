/**
 * Lookups over a folded table (networks.ts) without walking a trie: `buildRanges` flattens
 * the table into sorted, disjoint address ranges, and `RangeTable.lookup` binary-searches
 * them (no allocation, a few hundred kilobytes for tens of thousands of prefixes, built in
 * one pass).
 */
import { widthOf, type FamilyBits, type PrefixList } from './networks.js';

// Locals in this file's start-up functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/** Sorted disjoint ranges: range i starts at `starts[i]` and belongs to app `apps[i]` (-1: none). */
export class RangeTable {
  /** Address words per start: 1 for IPv4, 4 for IPv6. */
  private readonly width: 1 | 4;

  constructor(
    readonly bits: FamilyBits,
    /** `width` words per range start; the first start is address 0. */
    readonly starts: Uint32Array,
    readonly apps: Int32Array,
  ) {
    this.width = widthOf(bits);
  }

  get size(): number {
    return this.apps.length;
  }

  /** App index of the address (words as in `Prefix`), -1 if no prefix covers it. */
  lookup(words: readonly number[]): number {
    var s = this.starts;
    var lo = 0;
    var hi = this.apps.length - 1;
    if (this.width === 1) {
      var x = words[0]!;
      while (lo < hi) {
        var mid = (lo + hi + 1) >>> 1;
        if (s[mid]! <= x) lo = mid;
        else hi = mid - 1;
      }
    } else {
      var a = words[0]!;
      var b = words[1]!;
      var c = words[2]!;
      var d = words[3]!;
      while (lo < hi) {
        var mid = (lo + hi + 1) >>> 1;
        var k = mid * 4;
        var s0 = s[k]!;
        var le: boolean;
        if (s0 !== a) le = s0 < a;
        else if (s[k + 1] !== b) le = s[k + 1]! < b;
        else if (s[k + 2] !== c) le = s[k + 2]! < c;
        else le = s[k + 3]! <= d;
        if (le) lo = mid;
        else hi = mid - 1;
      }
    }
    return this.apps[lo]!;
  }
}

/** 2^32: one past the last IPv4 address. */
const TOP = 4294967296;
/** 2^(32 - length): the addresses an IPv4 prefix of each length spans (0..32). */
const SPAN = Float64Array.from({ length: 33 }, (_, length) => 2 ** (32 - length));

/**
 * Flattens a table (sorted by address then length, no exact duplicates, as
 * `aggregatePrefixes` and `unpackNetworks` give it) into disjoint ranges; each address gets
 * the app of the longest prefix covering it. One pass with a stack of open prefixes.
 */
export function buildRanges(list: PrefixList): RangeTable {
  // (TOP and SPAN: constants and a table, not `2 ** n`, which QuickJS works out with a
  // native call each time; these loops run once per prefix at every start.)
  return list.bits === 32 ? buildRanges4(list) : buildRanges6(list);
}

function buildRanges4(list: PrefixList): RangeTable {
  var n = list.count;
  const { words, lengths, apps: appOf } = list;
  var starts = new Uint32Array(2 * n + 1);
  var apps = new Int32Array(2 * n + 1);
  // Range 0: from address 0, no app (until a prefix says otherwise).
  var m = 1;
  apps[0] = -1;
  // At most 33 prefixes nest (lengths 0..32). The depth is a constant, not `ends.length`:
  // under txiki.js a typed array's length is a native call, and this loop runs at every start.
  var depth = 34;
  var ends = new Float64Array(depth);
  var owners = new Int32Array(depth);
  var sp = 0;
  // `emit(at, app)` below is written out twice (this runs at every start under an
  // interpreter): a range at the last range's start replaces its app (and folds into the
  // one before when that has the same app); a range with the last range's app is no range.
  for (var i = 0; i <= n; i++) {
    var start = i < n ? words[i]! : TOP;
    while (sp > 0 && ends[sp - 1]! <= start) {
      var at = ends[--sp]!;
      if (at === TOP) break;
      var app = sp > 0 ? owners[sp - 1]! : -1;
      if (starts[m - 1] === at) {
        apps[m - 1] = app;
        if (m > 1 && apps[m - 2] === app) m--;
      } else if (apps[m - 1] !== app) {
        starts[m] = at;
        apps[m++] = app;
      }
    }
    if (i === n) break;
    var app = appOf[i]!;
    if (starts[m - 1] === start) {
      apps[m - 1] = app;
      if (m > 1 && apps[m - 2] === app) m--;
    } else if (apps[m - 1] !== app) {
      starts[m] = start;
      apps[m++] = app;
    }
    if (sp === depth) throw new RangeError('prefixes do not nest');
    ends[sp] = start + SPAN[lengths[i]!]!;
    owners[sp++] = app;
  }
  return new RangeTable(32, starts.slice(0, m), apps.slice(0, m));
}

function buildRanges6(list: PrefixList): RangeTable {
  var n = list.count;
  const { words, lengths, apps: appOf } = list;
  var starts = new Uint32Array((2 * n + 1) * 4);
  var apps = new Int32Array(2 * n + 1);
  var m = 0;
  /** `a` from `ai` against `b` from `bi`, four words: -1, 0, 1. */
  var cmp = (a: Uint32Array, ai: number, b: Uint32Array, bi: number): number => {
    var x = a[ai]!;
    var y = b[bi]!;
    if (x === y) {
      x = a[ai + 1]!;
      y = b[bi + 1]!;
      if (x === y) {
        x = a[ai + 2]!;
        y = b[bi + 2]!;
        if (x === y) {
          x = a[ai + 3]!;
          y = b[bi + 3]!;
        }
      }
    }
    return x === y ? 0 : x < y ? -1 : 1;
  };
  var emit = (src: Uint32Array, at: number, app: number): void => {
    if (m > 0 && cmp(starts, (m - 1) * 4, src, at) === 0) {
      apps[m - 1] = app;
      if (m > 1 && apps[m - 2] === app) m--;
      return;
    }
    if (m > 0 && apps[m - 1] === app) return;
    var o = m * 4;
    starts[o] = src[at]!;
    starts[o + 1] = src[at + 1]!;
    starts[o + 2] = src[at + 2]!;
    starts[o + 3] = src[at + 3]!;
    apps[m] = app;
    m++;
  };
  // Open prefixes: their end addresses (4 words each) and apps; `top` marks an end at 2^128.
  var depth = 130;
  var ends = new Uint32Array(depth * 4);
  var top = new Uint8Array(depth);
  var owners = new Int32Array(depth);
  var sp = 0;
  emit(new Uint32Array(4), 0, -1);
  for (var i = 0; i < n; i++) {
    var at = i * 4;
    while (sp > 0 && top[sp - 1] === 0 && cmp(ends, (sp - 1) * 4, words, at) <= 0) {
      sp--;
      emit(ends, sp * 4, sp > 0 ? owners[sp - 1]! : -1);
    }
    var app = appOf[i]!;
    emit(words, at, app);
    if (sp === depth) throw new RangeError('prefixes do not nest');
    // End = start + 2^(128 - length), carried across words.
    var e = sp * 4;
    for (var k = 0; k < 4; k++) ends[e + k] = words[at + k]!;
    var carry = 0;
    var length = lengths[i]!;
    if (length > 0) {
      var w = (length - 1) >>> 5;
      var add = SPAN[1 + ((length - 1) & 31)]!;
      carry = 1;
      while (w >= 0) {
        var sum = ends[e + w]! + add;
        ends[e + w] = sum >>> 0;
        if (sum < TOP) {
          carry = 0;
          break;
        }
        add = 1;
        w--;
      }
    }
    top[sp] = length === 0 || carry ? 1 : 0;
    owners[sp++] = app;
  }
  while (sp > 0) {
    sp--;
    if (top[sp] === 0) emit(ends, sp * 4, sp > 0 ? owners[sp - 1]! : -1);
  }
  return new RangeTable(128, starts.slice(0, m * 4), apps.slice(0, m));
}
