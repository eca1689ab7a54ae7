/**
 * QUIC variable-length integers (RFC 9000 §16), read without BigInt and without an object
 * per integer (a QUIC flow reads dozens of them: an allocation each showed under txiki.js).
 */
// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/** Bytes the integer starting with byte `first` takes: 1, 2, 4 or 8. */
export function varIntSize(first: number): number {
  return 1 << (first >> 6);
}

/**
 * The integer at `o`, or -1 when it runs past `end` (its size: `varIntSize(b[o])`).
 * Eight-byte values above 2^53 come back inexact; every caller treats such sizes as out
 * of range anyway.
 */
export function varIntAt(b: Uint8Array, o: number, limit?: number): number {
  var end = limit ?? b.length; // no default value: under txiki.js it costs every call
  if (o >= end) return -1;
  var first = b[o]!;
  var size = 1 << (first >> 6);
  if (o + size > end) return -1;
  var value = first & 0x3f;
  for (var i = 1; i < size; i++) value = value * 256 + b[o + i]!;
  return value;
}

/** What `varIntPrefixed` read last (one object serves every call: no allocation per read). */
export const prefix = { value: 0, length: 0 };

/**
 * A varint, a varint length, then that many bytes, at `o` (a CRYPTO frame's offset and
 * data, a transport parameter's type and value): where the bytes start, with the first
 * integer and the length left in `prefix`; -1 when any part runs past `end`. Both
 * integers are read here rather than through varIntAt: an Initial holds several such
 * frames and a hello a dozen or more parameters, and a call per integer showed under
 * txiki.js.
 */
export function varIntPrefixed(b: Uint8Array, o: number, end: number): number {
  if (o >= end) return -1;
  var first = b[o]!;
  var size = 1 << (first >> 6);
  if (o + size > end) return -1;
  var value = first & 0x3f;
  for (var i = 1; i < size; i++) value = value * 256 + b[o + i]!;
  o += size;
  if (o >= end) return -1;
  first = b[o]!;
  size = 1 << (first >> 6);
  if (o + size > end) return -1;
  var length = first & 0x3f;
  for (var i = 1; i < size; i++) length = length * 256 + b[o + i]!;
  var start = o + size;
  if (start + length > end) return -1;
  prefix.value = value;
  prefix.length = length;
  return start;
}
