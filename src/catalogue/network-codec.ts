/**
 * The packed form of a folded table (networks.ts) that the build writes into the bundle, so
 * the router decodes it instead of parsing and folding thousands of prefixes at start-up.
 */
import { fromBase64, toBase64 } from '../util/base64.js';
import { bitAt, fromPrefixList, widthOf, type FamilyBits, type PrefixList } from './networks.js';

// Locals in this file's start-up functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

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
  var bytes = fromBase64(text, 4, 'packed networks');
  var end = (bytes.length - 4) * 8;
  var pos = 0;
  /** The 32 stream bits from `pos` (past the end: zeros; `end` is checked after each prefix). */
  var window = (): number => {
    var at = pos >>> 3;
    return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) << (pos & 7);
  };
  /** Next `k` bits, 1 ≤ k ≤ 24. */
  var read = (k: number): number => {
    var v = window() >>> (32 - k);
    pos += k;
    return v;
  };
  var read32 = (): number => read(16) * 0x10000 + read(16);
  var fail = (why: string): never => {
    throw new RangeError(`packed networks: ${why}`);
  };
  if (read(8) !== PACK_VERSION) fail('unknown version');
  var listedV4 = read32();
  var listedV6 = read32();
  var yielded = read32();
  var slotCount = read(16);
  var slots = new Int32Array(slotCount);
  for (var i = 0; i < slotCount; i++) {
    var app = read(16);
    if (app >= appCount) fail(`app #${app} past the ${appCount} apps`);
    slots[i] = app;
  }
  if (pos > end) fail('ends early');
  var slotBits = bitsFor(slotCount);
  var dBits = new Uint8Array(129);
  for (var len = 0; len <= 128; len++) dBits[len] = bitsFor(len + 1);

  var family = (bits: FamilyBits): PrefixList => {
    var width = widthOf(bits);
    var lenBits = bits === 32 ? 6 : 8;
    var count = read32();
    // Every prefix takes at least 1 + lenBits bits: a count the text cannot hold is damage.
    if (count > (end - pos) / (1 + lenBits)) fail('prefix count past the end of the text');
    var words = new Uint32Array(count * width);
    var lengths = new Uint8Array(count);
    var apps = new Int32Array(count);
    var app = -1;
    var prevLength = -1;
    var prev4 = 0;
    for (var n = 0; n < count; n++) {
      // Header: same-app bit, [slot], length, d: at most 23 bits, all in one window
      // (window() written out: a closure call per prefix at every start under txiki.js).
      var at = pos >>> 3;
      var w = ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) << (pos & 7);
      var used = 1;
      if (w >= 0) {
        // Top bit 0: an app slot follows.
        w <<= 1;
        if (slotBits > 0) {
          var slot = w >>> (32 - slotBits);
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
      var length = w >>> (32 - lenBits);
      if (length > bits) fail('prefix longer than its family');
      w <<= lenBits;
      var db = dBits[length]!;
      var d = db === 0 ? 0 : w >>> (32 - db);
      pos += used + lenBits + db;
      if (d > length) fail('bad difference bit');
      if (d === length && length <= prevLength) fail('prefixes out of order');
      var restBits = d === length ? 0 : length - 1 - d;
      if (width === 1) {
        var addr = prev4;
        if (d !== length) {
          if ((prev4 >>> (31 - d)) & 1) fail('prefixes out of order');
          var rest = 0;
          if (restBits > 24) rest = (read(restBits - 24) << 24) | read(24);
          else if (restBits > 0) rest = read(restBits);
          var high = d === 0 ? 0 : prev4 >>> (32 - d);
          // In 32-bit integers, not doubles and `**` (a native call each under txiki.js):
          // here 1 ≤ length ≤ 32, so every shift count is below 32 and the bits fit.
          addr = (((((high << 1) | 1) << restBits) | rest) << (32 - length)) >>> 0;
        }
        words[n] = addr;
        prev4 = addr;
      } else {
        var at = n * 4;
        var from = at - 4;
        if (d === length) {
          if (n > 0) for (var k = 0; k < 4; k++) words[at + k] = words[from + k]!;
        } else {
          var dw = d >>> 5;
          var prevWord = n > 0 ? words[from + dw]! : 0;
          if ((prevWord >>> (31 - (d & 31))) & 1) fail('prefixes out of order');
          // Words before d's: the previous prefix's; d's word: its bits before d, then a 1.
          for (var k = 0; k < dw; k++) words[at + k] = words[from + k]!;
          var keep = d & 31;
          var high = keep === 0 ? 0 : (prevWord & ((0xffffffff << (32 - keep)) >>> 0)) >>> 0;
          words[at + dw] = (high | (1 << (31 - keep))) >>> 0;
          // Then the stream's next length-1-d bits, in chunks of up to 24.
          for (var i = d + 1; i < length; ) {
            var k = length - i < 24 ? length - i : 24;
            var v = read(k);
            var wi = at + (i >>> 5);
            var o = i & 31;
            if (o + k <= 32) {
              words[wi] = (words[wi]! | (v << (32 - o - k))) >>> 0;
            } else {
              var low = o + k - 32; // bits that spill into the next word
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
  var v4 = family(32);
  var v6 = family(128);
  return { v4, v6, listedV4, listedV6, yielded };
}
