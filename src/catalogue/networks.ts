/**
 * The catalogue's address ranges: every app's `networks` folded into one exact table per
 * address family, a compact packed form of that table for the bundle, and the lookup.
 *
 * Precedence (what an address that several apps' prefixes cover belongs to):
 *  - A prefix of a *hosting* app (a cloud platform or CDN, whose addresses carry other
 *    services) yields to any other app's prefix that covers it or equals it: Azure's
 *    service-tag ranges inside Microsoft's published Teams /14 stay Teams.
 *  - Otherwise the longest prefix wins (a service's /24 inside a cloud's /16 is the
 *    service; a Tor exit's /32 inside a hosting ASN is Tor).
 * Both rules together are the same as: drop every hosting prefix that lies within (or on)
 * a non-hosting one, then longest-prefix match. `aggregatePrefixes` does exactly that and
 * then shrinks the table without changing any address's answer.
 *
 * Lookups do not walk a trie: `buildRanges` flattens the table into sorted, disjoint
 * address ranges, and `RangeTable.lookup` binary-searches them (no allocation, a few
 * hundred kilobytes for tens of thousands of prefixes, built in one pass).
 *
 * Everything here is pure and works on parsed prefixes (`compile.ts` parses and checks the
 * text). Addresses are four 32-bit words, most significant first; an IPv4 address is
 * `[address, 0, 0, 0]` with `bits` 32.
 */

/** One prefix of one app. */
export interface Prefix {
  /** Four address words, host bits clear (IPv4 in the first word). */
  readonly words: readonly number[];
  readonly length: number;
  /** Index of the app (into the catalogue's app list). */
  readonly app: number;
}

/** Address family width: 32 (IPv4) or 128 (IPv6). */
export type FamilyBits = 32 | 128;

// ---------------------------------------------------------------------------------------
// Aggregation

export interface Aggregation {
  /** The equivalent table: sorted by address, then by length (a prefix before those inside it). */
  readonly prefixes: Prefix[];
  /** Input prefixes of hosting apps dropped because a non-hosting app's prefix covers them. */
  readonly yielded: number;
  /** `[i, j]`: input `i` repeats input `j` (same prefix, both hosting or both not). */
  readonly duplicates: Array<readonly [number, number]>;
}

/** Binary trie in flat arrays (child indexes, 0 = none; value -1 = no prefix here). */
class Trie {
  zero: Int32Array = new Int32Array(1024);
  one: Int32Array = new Int32Array(1024);
  value: Int32Array = new Int32Array(1024).fill(-1);
  from: Int32Array = new Int32Array(1024).fill(-1);
  size = 1;

  node(n: number, bit: number): number {
    const arr = bit ? this.one : this.zero;
    let next = arr[n]!;
    if (next === 0) {
      if (this.size === this.zero.length) this.grow();
      next = this.size++;
      (bit ? this.one : this.zero)[n] = next;
    }
    return next;
  }

  private grow(): void {
    const size = this.size * 2;
    const grow = (a: Int32Array, fill: number): Int32Array => {
      const b = new Int32Array(size).fill(fill);
      b.set(a);
      return b;
    };
    this.zero = grow(this.zero, 0);
    this.one = grow(this.one, 0);
    this.value = grow(this.value, -1);
    this.from = grow(this.from, -1);
  }
}

function bitAt(words: readonly number[], i: number): number {
  return (words[i >>> 5]! >>> (31 - (i & 31))) & 1;
}

/**
 * An exact rewrite of a set of prefixes (one family): the returned table
 * answers every address exactly as the input does under the precedence rules above, with
 * hosting prefixes that can never answer dropped, prefixes inside a prefix of the same app
 * dropped, and two halves of one prefix with the same app merged into it (repeatedly).
 * Exact duplicates of the same rank are reported, not resolved.
 */
export function aggregatePrefixes(input: readonly Prefix[], bits: FamilyBits, hosting: (app: number) => boolean): Aggregation {
  const t = new Trie();
  const duplicates: Array<readonly [number, number]> = [];
  let yielded = 0;
  input.forEach((p, i) => {
    if (p.length > bits) throw new RangeError(`prefix length ${p.length} past ${bits} bits`);
    let n = 0;
    for (let b = 0; b < p.length; b++) n = t.node(n, bitAt(p.words, b));
    const old = t.value[n]!;
    if (old === -1) {
      t.value[n] = p.app;
      t.from[n] = i;
    } else if (hosting(old) === hosting(p.app)) {
      duplicates.push([i, t.from[n]!]);
    } else {
      yielded++;
      if (hosting(old)) {
        t.value[n] = p.app;
        t.from[n] = i;
      }
    }
  });

  const { zero, one, value } = t;
  // 1. Hosting prefixes inside a non-hosting prefix never answer: drop them.
  const dropYielding = (n: number, inService: boolean): void => {
    const v = value[n]!;
    if (v !== -1 && inService && hosting(v)) {
      value[n] = -1;
      yielded++;
    }
    const below = inService || (v !== -1 && !hosting(v));
    if (zero[n]) dropYielding(zero[n]!, below);
    if (one[n]) dropYielding(one[n]!, below);
  };
  dropYielding(0, false);

  // 2. Both halves of a prefix with one app: the prefix itself (its own value, if any, was
  //    covered by the halves and never answered).
  const merge = (n: number): void => {
    const a = zero[n]!;
    const b = one[n]!;
    if (a) merge(a);
    if (b) merge(b);
    if (a && b && value[a]! !== -1 && value[a] === value[b]) {
      value[n] = value[a]!;
      value[a] = -1;
      value[b] = -1;
    }
  };
  merge(0);

  // 3. A prefix whose nearest enclosing prefix has the same app says nothing new.
  const dropRedundant = (n: number, inherited: number): void => {
    if (value[n]! !== -1 && value[n] === inherited) value[n] = -1;
    const next = value[n]! !== -1 ? value[n]! : inherited;
    if (zero[n]) dropRedundant(zero[n]!, next);
    if (one[n]) dropRedundant(one[n]!, next);
  };
  dropRedundant(0, -1);

  // Collect in address order, a prefix before the ones inside it.
  const prefixes: Prefix[] = [];
  const words = [0, 0, 0, 0];
  const collect = (n: number, depth: number): void => {
    if (value[n]! !== -1) prefixes.push({ words: words.slice(), length: depth, app: value[n]! });
    if (zero[n]) collect(zero[n]!, depth + 1);
    if (one[n]) {
      const w = depth >>> 5;
      const mask = 1 << (31 - (depth & 31));
      words[w] = (words[w]! | mask) >>> 0;
      collect(one[n]!, depth + 1);
      words[w] = (words[w]! & ~mask) >>> 0;
    }
  };
  collect(0, 0);
  return { prefixes, yielded, duplicates };
}

// ---------------------------------------------------------------------------------------
// Flat prefix lists

/**
 * A table of one family in flat arrays, sorted as `aggregatePrefixes` returns it: what
 * unpacking produces (no object per prefix) and what `buildRanges` reads.
 */
export interface PrefixList {
  readonly bits: FamilyBits;
  readonly count: number;
  /** `count × width` address words (width 1 for IPv4, 4 for IPv6). */
  readonly words: Uint32Array;
  readonly lengths: Uint8Array;
  readonly apps: Int32Array;
}

function widthOf(bits: FamilyBits): 1 | 4 {
  return bits === 32 ? 1 : 4;
}

export function toPrefixList(prefixes: readonly Prefix[], bits: FamilyBits): PrefixList {
  const width = widthOf(bits);
  const n = prefixes.length;
  const words = new Uint32Array(n * width);
  const lengths = new Uint8Array(n);
  const apps = new Int32Array(n);
  prefixes.forEach((p, i) => {
    for (let k = 0; k < width; k++) words[i * width + k] = p.words[k]!;
    lengths[i] = p.length;
    apps[i] = p.app;
  });
  return { bits, count: n, words, lengths, apps };
}

export function fromPrefixList(list: PrefixList): Prefix[] {
  const width = widthOf(list.bits);
  const out: Prefix[] = [];
  for (let i = 0; i < list.count; i++) {
    const words = [0, 0, 0, 0];
    for (let k = 0; k < width; k++) words[k] = list.words[i * width + k]!;
    out.push({ words, length: list.lengths[i]!, app: list.apps[i]! });
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Ranges and lookup

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
    const s = this.starts;
    let lo = 0;
    let hi = this.apps.length - 1;
    if (this.width === 1) {
      const x = words[0]!;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (s[mid]! <= x) lo = mid;
        else hi = mid - 1;
      }
    } else {
      const a = words[0]!;
      const b = words[1]!;
      const c = words[2]!;
      const d = words[3]!;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        const k = mid * 4;
        const s0 = s[k]!;
        let le: boolean;
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

/**
 * Flattens a table (sorted by address then length, no exact duplicates, as
 * `aggregatePrefixes` and `unpackNetworks` give it) into disjoint ranges; each address gets
 * the app of the longest prefix covering it. One pass with a stack of open prefixes.
 */
export function buildRanges(list: PrefixList): RangeTable {
  return list.bits === 32 ? buildRanges4(list) : buildRanges6(list);
}

function buildRanges4(list: PrefixList): RangeTable {
  const n = list.count;
  const { words, lengths, apps: appOf } = list;
  const starts = new Uint32Array(2 * n + 1);
  const apps = new Int32Array(2 * n + 1);
  // Range 0: from address 0, no app (until a prefix says otherwise).
  let m = 1;
  apps[0] = -1;
  const ends = new Float64Array(34);
  const owners = new Int32Array(34);
  let sp = 0;
  // `emit(at, app)` below is written out twice (this runs at every start under an
  // interpreter): a range at the last range's start replaces its app (and folds into the
  // one before when that has the same app); a range with the last range's app is no range.
  for (let i = 0; i <= n; i++) {
    const start = i < n ? words[i]! : 2 ** 32;
    while (sp > 0 && ends[sp - 1]! <= start) {
      const at = ends[--sp]!;
      if (at === 2 ** 32) break;
      const app = sp > 0 ? owners[sp - 1]! : -1;
      if (starts[m - 1] === at) {
        apps[m - 1] = app;
        if (m > 1 && apps[m - 2] === app) m--;
      } else if (apps[m - 1] !== app) {
        starts[m] = at;
        apps[m++] = app;
      }
    }
    if (i === n) break;
    const app = appOf[i]!;
    if (starts[m - 1] === start) {
      apps[m - 1] = app;
      if (m > 1 && apps[m - 2] === app) m--;
    } else if (apps[m - 1] !== app) {
      starts[m] = start;
      apps[m++] = app;
    }
    if (sp === ends.length) throw new RangeError('prefixes do not nest');
    ends[sp] = start + 2 ** (32 - lengths[i]!);
    owners[sp++] = app;
  }
  return new RangeTable(32, starts.slice(0, m), apps.slice(0, m));
}

function buildRanges6(list: PrefixList): RangeTable {
  const n = list.count;
  const { words, lengths, apps: appOf } = list;
  const starts = new Uint32Array((2 * n + 1) * 4);
  const apps = new Int32Array(2 * n + 1);
  let m = 0;
  /** `a` from `ai` against `b` from `bi`, four words: -1, 0, 1. */
  const cmp = (a: Uint32Array, ai: number, b: Uint32Array, bi: number): number => {
    let x = a[ai]!;
    let y = b[bi]!;
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
  const emit = (src: Uint32Array, at: number, app: number): void => {
    if (m > 0 && cmp(starts, (m - 1) * 4, src, at) === 0) {
      apps[m - 1] = app;
      if (m > 1 && apps[m - 2] === app) m--;
      return;
    }
    if (m > 0 && apps[m - 1] === app) return;
    const o = m * 4;
    starts[o] = src[at]!;
    starts[o + 1] = src[at + 1]!;
    starts[o + 2] = src[at + 2]!;
    starts[o + 3] = src[at + 3]!;
    apps[m] = app;
    m++;
  };
  // Open prefixes: their end addresses (4 words each) and apps; `top` marks an end at 2^128.
  const ends = new Uint32Array(130 * 4);
  const top = new Uint8Array(130);
  const owners = new Int32Array(130);
  let sp = 0;
  emit(new Uint32Array(4), 0, -1);
  for (let i = 0; i < n; i++) {
    const at = i * 4;
    while (sp > 0 && top[sp - 1] === 0 && cmp(ends, (sp - 1) * 4, words, at) <= 0) {
      sp--;
      emit(ends, sp * 4, sp > 0 ? owners[sp - 1]! : -1);
    }
    const app = appOf[i]!;
    emit(words, at, app);
    if (sp === owners.length) throw new RangeError('prefixes do not nest');
    // End = start + 2^(128 - length), carried across words.
    const e = sp * 4;
    for (let k = 0; k < 4; k++) ends[e + k] = words[at + k]!;
    let carry = 0;
    const length = lengths[i]!;
    if (length > 0) {
      let w = (length - 1) >>> 5;
      let add = 2 ** (31 - ((length - 1) & 31));
      carry = 1;
      while (w >= 0) {
        const sum = ends[e + w]! + add;
        ends[e + w] = sum >>> 0;
        if (sum < 2 ** 32) {
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

// ---------------------------------------------------------------------------------------
// Packed form: base64 of a bit stream
//
//   version:8  listedV4:32 listedV6:32 yielded:32
//   appCount:16 { appIndex:16 }×appCount          the apps the table names
//   per family (IPv4, then IPv6):
//     count:32 then per prefix, in table order:
//       same:1          1 = same app as the previous prefix; else slot:bitsFor(appCount)
//       length:6|8      (IPv4|IPv6)
//       d:bitsFor(length+1)
//                       d = length: same address as the previous prefix (which is shorter);
//                       else the address is the previous one's first d bits, a 1 bit,
//                       then the next length-1-d bits, read here (the rest are zero)
//
// Sorted prefixes share long leading runs with their predecessor, so a NordVPN /32 costs
// two to three bytes, and an ASN's /20 about as much.

export interface PackedTable {
  readonly v4: PrefixList;
  readonly v6: PrefixList;
  /** Prefixes the source lists (for the statistics). */
  readonly listedV4: number;
  readonly listedV6: number;
  readonly yielded: number;
}

const PACK_VERSION = 1;

function bitsFor(n: number): number {
  return n <= 1 ? 0 : 32 - Math.clz32(n - 1);
}

class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private used = 0;

  /** Writes the low `k` bits of `v` (k ≤ 16), most significant first. */
  write(v: number, k: number): void {
    for (let i = k - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((v >>> i) & 1);
      if (++this.used === 8) {
        this.bytes.push(this.acc);
        this.acc = 0;
        this.used = 0;
      }
    }
  }

  write32(v: number): void {
    this.write((v >>> 16) & 0xffff, 16);
    this.write(v & 0xffff, 16);
  }

  finish(): Uint8Array {
    if (this.used > 0) this.bytes.push(this.acc << (8 - this.used));
    this.used = 0;
    this.acc = 0;
    return Uint8Array.from(this.bytes);
  }
}

/** Index of the first bit where `a` and `b` differ, or -1 when they are equal. */
function firstDifference(a: readonly number[], b: readonly number[]): number {
  for (let w = 0; w < 4; w++) {
    const x = (a[w]! ^ b[w]!) >>> 0;
    if (x !== 0) return w * 32 + Math.clz32(x);
  }
  return -1;
}

/** The table (sorted as `aggregatePrefixes` returns it) as text for the bundle. */
export function packNetworks(table: PackedTable): string {
  const v4 = fromPrefixList(table.v4);
  const v6 = fromPrefixList(table.v6);
  const slots = [...new Set([...v4, ...v6].map((p) => p.app))].sort((a, b) => a - b);
  const slotOf = new Map(slots.map((app, i) => [app, i]));
  const slotBits = bitsFor(slots.length);
  const w = new BitWriter();
  w.write(PACK_VERSION, 8);
  w.write32(table.listedV4);
  w.write32(table.listedV6);
  w.write32(table.yielded);
  w.write(slots.length, 16);
  for (const app of slots) w.write(app, 16);
  for (const [list, lenBits] of [[v4, 6], [v6, 8]] as const) {
    w.write32(list.length);
    let prev: readonly number[] = [0, 0, 0, 0];
    let prevLength = -1;
    let prevApp = -1;
    for (const p of list) {
      if (p.app === prevApp) {
        w.write(1, 1);
      } else {
        w.write(0, 1);
        w.write(slotOf.get(p.app)!, slotBits);
      }
      w.write(p.length, lenBits);
      const d = firstDifference(prev, p.words);
      const dBits = bitsFor(p.length + 1);
      if (d < 0) {
        if (p.length <= prevLength) throw new RangeError('packNetworks: prefixes out of order');
        w.write(p.length, dBits);
      } else {
        if (d >= p.length || bitAt(p.words, d) !== 1) throw new RangeError('packNetworks: prefixes out of order');
        w.write(d, dBits);
        for (let i = d + 1; i < p.length; ) {
          const k = Math.min(16, p.length - i);
          let chunk = 0;
          for (let j = 0; j < k; j++) chunk = (chunk << 1) | bitAt(p.words, i + j);
          w.write(chunk, k);
          i += k;
        }
      }
      prev = p.words;
      prevLength = p.length;
      prevApp = p.app;
    }
  }
  return toBase64(w.finish());
}

/**
 * The table back from `packNetworks` text, straight into flat arrays. This runs at every
 * start on the router, under an interpreter: no object per prefix, each prefix's header
 * fields taken from one 32-bit window of the stream, IPv4 addresses rebuilt arithmetically.
 * Throws a RangeError on text it did not write or on app indexes not below `appCount`.
 */
export function unpackNetworks(text: string, appCount: number): PackedTable {
  const bytes = fromBase64(text, 4);
  const end = (bytes.length - 4) * 8;
  let pos = 0;
  /** The 32 stream bits from `pos` (past the end: zeros; `end` is checked after each prefix). */
  const window = (): number => {
    const at = pos >>> 3;
    return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) << (pos & 7);
  };
  /** Next `k` bits, 1 ≤ k ≤ 24. */
  const read = (k: number): number => {
    const v = window() >>> (32 - k);
    pos += k;
    return v;
  };
  const read32 = (): number => read(16) * 0x10000 + read(16);
  const fail = (why: string): never => {
    throw new RangeError(`packed networks: ${why}`);
  };
  if (read(8) !== PACK_VERSION) fail('unknown version');
  const listedV4 = read32();
  const listedV6 = read32();
  const yielded = read32();
  const slotCount = read(16);
  const slots = new Int32Array(slotCount);
  for (let i = 0; i < slotCount; i++) {
    const app = read(16);
    if (app >= appCount) fail(`app #${app} past the ${appCount} apps`);
    slots[i] = app;
  }
  if (pos > end) fail('ends early');
  const slotBits = bitsFor(slotCount);
  const dBits = new Uint8Array(129);
  for (let len = 0; len <= 128; len++) dBits[len] = bitsFor(len + 1);

  const family = (bits: FamilyBits): PrefixList => {
    const width = widthOf(bits);
    const lenBits = bits === 32 ? 6 : 8;
    const count = read32();
    // Every prefix takes at least 1 + lenBits bits: a count the text cannot hold is damage.
    if (count > (end - pos) / (1 + lenBits)) fail('prefix count past the end of the text');
    const words = new Uint32Array(count * width);
    const lengths = new Uint8Array(count);
    const apps = new Int32Array(count);
    let app = -1;
    let prevLength = -1;
    let prev4 = 0;
    for (let n = 0; n < count; n++) {
      // Header: same-app bit, [slot], length, d: at most 23 bits, all in one window.
      let w = window();
      let used = 1;
      if (w >= 0) {
        // Top bit 0: an app slot follows.
        w <<= 1;
        if (slotBits > 0) {
          const slot = w >>> (32 - slotBits);
          if (slot >= slotCount) fail('bad app slot');
          app = slots[slot]!;
          w <<= slotBits;
          used += slotBits;
        } else {
          app = slots[0]!;
        }
      } else {
        if (app < 0) fail('no app before the first prefix');
        w <<= 1;
      }
      const length = w >>> (32 - lenBits);
      if (length > bits) fail('prefix longer than its family');
      w <<= lenBits;
      const db = dBits[length]!;
      const d = db === 0 ? 0 : w >>> (32 - db);
      pos += used + lenBits + db;
      if (d > length) fail('bad difference bit');
      if (d === length && length <= prevLength) fail('prefixes out of order');
      const restBits = d === length ? 0 : length - 1 - d;
      if (width === 1) {
        let addr = prev4;
        if (d !== length) {
          if ((prev4 >>> (31 - d)) & 1) fail('prefixes out of order');
          let rest = 0;
          if (restBits > 24) rest = read(restBits - 24) * 0x1000000 + read(24);
          else if (restBits > 0) rest = read(restBits);
          const high = d === 0 ? 0 : prev4 >>> (32 - d);
          addr = ((high * 2 + 1) * 2 ** restBits + rest) * 2 ** (32 - length);
        }
        words[n] = addr;
        prev4 = addr;
      } else {
        const at = n * 4;
        const from = at - 4;
        if (d === length) {
          if (n > 0) for (let k = 0; k < 4; k++) words[at + k] = words[from + k]!;
        } else {
          const dw = d >>> 5;
          const prevWord = n > 0 ? words[from + dw]! : 0;
          if ((prevWord >>> (31 - (d & 31))) & 1) fail('prefixes out of order');
          // Words before d's: the previous prefix's; d's word: its bits before d, then a 1.
          for (let k = 0; k < dw; k++) words[at + k] = words[from + k]!;
          const keep = d & 31;
          const high = keep === 0 ? 0 : (prevWord & ((0xffffffff << (32 - keep)) >>> 0)) >>> 0;
          words[at + dw] = (high | (1 << (31 - keep))) >>> 0;
          // Then the stream's next length-1-d bits, in chunks of up to 24.
          for (let i = d + 1; i < length; ) {
            const k = Math.min(24, length - i);
            const v = read(k);
            const wi = at + (i >>> 5);
            const o = i & 31;
            if (o + k <= 32) {
              words[wi] = (words[wi]! | (v << (32 - o - k))) >>> 0;
            } else {
              const low = o + k - 32; // bits that spill into the next word
              words[wi] = (words[wi]! | (v >>> low)) >>> 0;
              words[wi + 1] = (words[wi + 1]! | ((v & ((1 << low) - 1)) << (32 - low))) >>> 0;
            }
            i += k;
          }
        }
      }
      lengths[n] = length;
      apps[n] = app;
      prevLength = length;
      if (pos > end) fail('ends early');
    }
    return { bits, count, words, lengths, apps };
  };
  const v4 = family(32);
  const v6 = family(128);
  return { v4, v6, listedV4, listedV6, yielded };
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = i + 1 < bytes.length ? bytes[i + 1]! : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2]! : 0;
    const n = (a << 16) | (b << 8) | c;
    out += B64[n >>> 18]! + B64[(n >>> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >>> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? B64[n & 63]! : '=';
  }
  return out;
}

/** Base64 alphabet value of each character code, 255 for any other character. */
const B64_VALUE = ((): Uint8Array => {
  const t = new Uint8Array(256).fill(255);
  for (let i = 0; i < 64; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/** Base64 text → bytes, with `pad` zero bytes after them (room for a reader's window). */
function fromBase64(text: string, pad: number): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  const size = Math.floor((end * 6) / 8);
  const out = new Uint8Array(size + pad);
  const t = B64_VALUE;
  let bad = 0;
  let codes = 0;
  let o = 0;
  let i = 0;
  for (const full = end - (end % 4); i < full; i += 4) {
    const ca = text.charCodeAt(i);
    const cb = text.charCodeAt(i + 1);
    const cc = text.charCodeAt(i + 2);
    const cd = text.charCodeAt(i + 3);
    codes |= ca | cb | cc | cd;
    const a = t[ca & 255]!;
    const b = t[cb & 255]!;
    const c = t[cc & 255]!;
    const d = t[cd & 255]!;
    bad |= a | b | c | d;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o] = n >>> 16;
    out[o + 1] = n >>> 8;
    out[o + 2] = n;
    o += 3;
  }
  let acc = 0;
  let have = 0;
  for (; i < end; i++) {
    const code = text.charCodeAt(i);
    codes |= code;
    const v = t[code & 255]!;
    bad |= v;
    acc = ((acc << 6) | v) & 0xffffff;
    have += 6;
    if (have >= 8) {
      have -= 8;
      out[o++] = (acc >>> have) & 0xff;
    }
  }
  // A character outside the alphabet has value 255 (or a code past 255): `bad` ≥ 64.
  if (codes > 255) bad = 255;
  if (bad >= 64) throw new RangeError('packed networks: not base64');
  return out;
}
