/**
 * Address text for the decoder, remembered per address. Every packet carries two IP
 * addresses (and two MACs on Ethernet) and a flow repeats the same few again and again:
 * building the text each time was a large share of decoding, and handing out the same
 * string object for the same address also makes the flow table's comparisons pointer
 * checks. Each cache is direct-mapped with a fixed number of slots (memory stays bounded
 * whatever the traffic); a slot keeps the last address that hashed to it. IPv4 addresses
 * are first compared with the previous packet's two, which most packets repeat.
 */
import { ipv4Text, ipv6Text, macText } from '../net/format.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

const BITS = 10;
const SLOTS = 1 << BITS;

const v4Keys = new Int32Array(SLOTS);
const v4Text: string[] = new Array<string>(SLOTS).fill('');

/** `ipv4Text(b, o)`, from the cache when this address was seen recently. */
export function ipv4TextCached(b: Uint8Array, o: number): string {
  var word = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  // The previous packet's two addresses first (most packets continue its flow, either
  // way): no slot to compute. On a miss the one used less recently makes room.
  if (word === pairWordA && pairTextA !== '') {
    pairUsedA = true;
    return pairTextA;
  }
  if (word === pairWordB && pairTextB !== '') {
    pairUsedA = false;
    return pairTextB;
  }
  var text = ipv4Slotted(b, o, word);
  if (pairUsedA) {
    pairWordB = word;
    pairTextB = text;
    pairUsedA = false;
  } else {
    pairWordA = word;
    pairTextA = text;
    pairUsedA = true;
  }
  return text;
}

let pairWordA = 0;
let pairTextA = '';
let pairWordB = 0;
let pairTextB = '';
let pairUsedA = false;

/**
 * ipv4TextCached's direct-mapped cache: the text of the address `word` read from `b[o]`.
 * (decode.ts's fast path keeps its own pair in front of it.)
 */
export function ipv4Slotted(b: Uint8Array, o: number, word: number): string {
  // The word's bits folded into a slot: multiplicative hashing's Math.imul (a global and
  // a native call) costs more than the shifts under txiki.js.
  var slot = (word ^ (word >>> BITS) ^ (word >>> (2 * BITS)) ^ (word >>> (3 * BITS))) & (SLOTS - 1);
  var known = v4Text[slot]!;
  if (known !== '' && v4Keys[slot] === word) return known;
  var text = ipv4Text(b, o);
  v4Keys[slot] = word;
  v4Text[slot] = text;
  return text;
}

const v6Keys = new Int32Array(SLOTS * 4);
const v6Text: string[] = new Array<string>(SLOTS).fill('');

/** `ipv6Text(b, o)`, from the cache when this address was seen recently. */
export function ipv6TextCached(b: Uint8Array, o: number): string {
  // The words read and folded into a slot inline, without Math.imul: under txiki.js each
  // call (a helper's or a native one) costs more than the arithmetic.
  var w0 = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  var w1 = (b[o + 4]! << 24) | (b[o + 5]! << 16) | (b[o + 6]! << 8) | b[o + 7]!;
  var w2 = (b[o + 8]! << 24) | (b[o + 9]! << 16) | (b[o + 10]! << 8) | b[o + 11]!;
  var w3 = (b[o + 12]! << 24) | (b[o + 13]! << 16) | (b[o + 14]! << 8) | b[o + 15]!;
  // The low words vary most (interface ids); the high ones add the prefix.
  var x = w3 ^ (w2 << 7) ^ (w1 << 13) ^ (w0 << 19) ^ (w2 >>> 25) ^ (w1 >>> 19) ^ (w0 >>> 13);
  var slot = (x ^ (x >>> BITS) ^ (x >>> (2 * BITS)) ^ (x >>> (3 * BITS))) & (SLOTS - 1);
  var k = slot * 4;
  var known = v6Text[slot]!;
  if (known !== '' && v6Keys[k] === w0 && v6Keys[k + 1] === w1 && v6Keys[k + 2] === w2 && v6Keys[k + 3] === w3) return known;
  var text = ipv6Text(b, o);
  v6Keys[k] = w0;
  v6Keys[k + 1] = w1;
  v6Keys[k + 2] = w2;
  v6Keys[k + 3] = w3;
  v6Text[slot] = text;
  return text;
}

const macKeys = new Int32Array(SLOTS * 2);
const macTexts: string[] = new Array<string>(SLOTS).fill('');

/** `macText(b, o)`, from the cache when this address was seen recently. */
export function macTextCached(b: Uint8Array, o: number): string {
  var hi = (b[o]! << 8) | b[o + 1]!;
  var lo = (b[o + 2]! << 24) | (b[o + 3]! << 16) | (b[o + 4]! << 8) | b[o + 5]!;
  // Folded as ipv4TextCached's slot, without calls: two per new flow (FlowTable.create).
  var slot = (lo ^ (lo >>> BITS) ^ (lo >>> (2 * BITS)) ^ (lo >>> (3 * BITS)) ^ (hi << 3) ^ (hi >>> 7)) & (SLOTS - 1);
  var k = slot * 2;
  var known = macTexts[slot]!;
  if (known !== '' && macKeys[k] === hi && macKeys[k + 1] === lo) return known;
  var text = macText(b, o);
  macKeys[k] = hi;
  macKeys[k + 1] = lo;
  macTexts[slot] = text;
  return text;
}
