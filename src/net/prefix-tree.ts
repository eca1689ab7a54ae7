/**
 * IPv4/IPv6 prefix tree: a multibit trie with a stride of 4 bits (16-way nodes), so an IPv4
 * lookup takes at most 8 steps and an IPv6 lookup at most 32, whatever the number of
 * prefixes. A prefix whose length is not a multiple of 4 is expanded into the slots it
 * covers in its last node ("controlled prefix expansion"); each slot remembers the length
 * that set it so a longer prefix is never overwritten by a shorter one.
 *
 * Built once when a rule or groups file is compiled; lookups allocate nothing.
 */
import { type Cidr, type IpAddr, cidrText, parseCidr, parseIpCached } from './address.js';

const STRIDE = 4;
const FANOUT = 16;

class TrieNode<T> {
  readonly child: (TrieNode<T> | undefined)[] = new Array<TrieNode<T> | undefined>(FANOUT);
  readonly value: (T | undefined)[] = new Array<T | undefined>(FANOUT);
  /** Prefix length behind each `value` slot, -1 when empty. */
  readonly valueLen: number[] = new Array<number>(FANOUT).fill(-1);
}

/** Nibble `i` (0 = most significant) of an address held as 32-bit words. */
function nibble(words: readonly number[], i: number): number {
  return (words[i >>> 3]! >>> (28 - ((i & 7) << 2))) & 15;
}

/** Longest-prefix map from one address family's prefixes to values. */
export class PrefixTree<T> {
  private readonly root = new TrieNode<T>();
  /** The zero-length prefix (`0.0.0.0/0`, `::/0`) matches everything. */
  private defaultValue: T | undefined = undefined;
  private count = 0;

  constructor(readonly bits: 32 | 128) {}

  get size(): number {
    return this.count;
  }

  insert(words: readonly number[], length: number, value: T): void {
    this.count++;
    if (length <= 0) {
      this.defaultValue = value;
      return;
    }
    const depth = Math.ceil(length / STRIDE); // nibbles the prefix touches
    let node = this.root;
    for (let i = 0; i < depth - 1; i++) {
      const n = nibble(words, i);
      let next = node.child[n];
      if (next === undefined) {
        next = new TrieNode<T>();
        node.child[n] = next;
      }
      node = next;
    }
    const fixedBits = length - (depth - 1) * STRIDE; // 1..4 bits of the last nibble are fixed
    const span = 1 << (STRIDE - fixedBits);
    const base = nibble(words, depth - 1) & ~(span - 1);
    for (let s = base; s < base + span; s++) {
      if (node.valueLen[s]! <= length) {
        node.value[s] = value;
        node.valueLen[s] = length;
      }
    }
  }

  /** Value of the longest prefix covering the address, undefined when none does. */
  lookup(words: readonly number[]): T | undefined {
    let best = this.defaultValue;
    let node: TrieNode<T> | undefined = this.root;
    const steps = this.bits / STRIDE;
    for (let i = 0; i < steps && node !== undefined; i++) {
      const n = nibble(words, i);
      const v = node.value[n];
      if (v !== undefined) best = v;
      node = node.child[n];
    }
    return best;
  }

  /** Is the address inside any prefix? Stops at the first (shortest) covering prefix. */
  covers(words: readonly number[]): boolean {
    if (this.defaultValue !== undefined) return true;
    let node: TrieNode<T> | undefined = this.root;
    const steps = this.bits / STRIDE;
    for (let i = 0; i < steps && node !== undefined; i++) {
      const n = nibble(words, i);
      if (node.value[n] !== undefined) return true;
      node = node.child[n];
    }
    return false;
  }
}

/**
 * A set of IPv4 and IPv6 prefixes answering "is this address inside?". Keeps the prefixes it
 * was built from so sets can be merged (a chain `other_ip == a || other_ip == @g`) and listed.
 */
export class PrefixSet {
  private readonly v4 = new PrefixTree<true>(32);
  private readonly v6 = new PrefixTree<true>(128);
  private readonly list: Cidr[] = [];

  static of(prefixes: Iterable<Cidr>): PrefixSet {
    const s = new PrefixSet();
    for (const p of prefixes) s.add(p);
    return s;
  }

  /** Parse and add `addr` or `addr/len`; false when the text is not an IP prefix. */
  addText(text: string): boolean {
    const c = parseCidr(text);
    if (c === null) return false;
    this.add(c);
    return true;
  }

  add(c: Cidr): void {
    this.list.push(c);
    if (c.family === 4) this.v4.insert(c.words, c.length, true);
    else this.v6.insert(c.words, c.length, true);
  }

  addAll(other: PrefixSet): void {
    for (const c of other.list) this.add(c);
  }

  get size(): number {
    return this.list.length;
  }

  get prefixes(): readonly Cidr[] {
    return this.list;
  }

  hasAddr(a: IpAddr): boolean {
    return a.family === 4 ? this.v4.covers(a.words) : this.v6.covers(a.words);
  }

  /** Flow address text → inside? Unparseable text (or null) is never inside. */
  has(ip: string | null | undefined): boolean {
    if (typeof ip !== 'string' || ip === '') return false;
    const a = parseIpCached(ip);
    return a !== null && this.hasAddr(a);
  }

  toStrings(): string[] {
    return this.list.map(cidrText);
  }
}
