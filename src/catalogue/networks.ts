/**
 * The catalogue's address ranges: every app's `networks` folded into one exact table per
 * address family. The lookup over the folded table is range-table.ts; its packed form for
 * the bundle is network-codec.ts.
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

export function bitAt(words: readonly number[], i: number): number {
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

export function widthOf(bits: FamilyBits): 1 | 4 {
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
