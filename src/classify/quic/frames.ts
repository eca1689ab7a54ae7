/**
 * Frames of decrypted (or plaintext Google QUIC) Initial payloads, reduced to the crypto
 * handshake data they carry.
 */
import { nativeAes128Ctr } from '../../util/digest.js';
import { prefix, varIntAt, varIntPrefixed, varIntSize } from './varint.js';
import { gquicNumber } from './versions.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export interface CryptoFragment {
  readonly offset: number;
  readonly data: Uint8Array;
}

export interface InitialFrames {
  readonly fragments: CryptoFragment[];
  /** Every byte was PADDING, PING, ACK or CRYPTO: all an Initial may hold (RFC 9000 §12.4). */
  readonly clean: boolean;
}

/**
 * Bytes opened at a time as a walk needs them (one AES-CTR call each), when AES runs in
 * JavaScript. Natively a call costs more than a whole Initial's blocks (under txiki.js one
 * through tjs:ffi is ~2 µs): the walk then opens the payload in one call.
 */
const STEP = 256;

/**
 * The frames of an IETF Initial's payload, walked one CRYPTO fragment at a time over a
 * payload opened as the walk goes (`open(n)`: the plaintext opened to at least n bytes, all
 * when shorter). A reader that stops at the end of the ClientHello leaves the rest unopened
 * and unread: often hundreds of bytes of PADDING, which browsers also scatter between
 * CRYPTO fragments (with PING and ACK) to shake off middleboxes. Any other frame type ends
 * the walk, and the payload is then not `clean`.
 */
export class InitialFrameWalk {
  private p: Uint8Array;
  /** `p.length`, kept: under txiki.js a typed array's length is a native call. */
  private size: number;
  private o = 0;
  private readonly step: number;
  /** Every frame walked so far is one an Initial may hold. */
  clean = true;

  constructor(
    private readonly open: (n: number) => Uint8Array,
    /** The payload's full length. */
    private readonly total: number,
  ) {
    this.step = nativeAes128Ctr() ? total : STEP;
    this.p = open(this.step);
    this.size = this.p.length;
  }

  /** The whole payload has been walked (or the walk stopped at a frame it may not hold). */
  get ended(): boolean {
    return !this.clean || this.o >= this.total;
  }

  /** The next CRYPTO fragment (a view of the plaintext), or null at the end of the walk. */
  next(): CryptoFragment | null {
    while (this.clean && this.o < this.total) {
      var p = this.p;
      var o = this.o;
      if (o >= this.size) p = this.more(o + this.step);
      var type = p[o]!;
      if (type === 0x00) {
        // PADDING: often hundreds of bytes in a row.
        for (o++; ; p = this.more(this.size + this.step)) {
          o = zeroRunEnd(p, o, this.size);
          if (o < this.size || this.size >= this.total) break;
        }
        this.o = o;
      } else if (type === 0x01) {
        this.o = o + 1; // PING
      } else if (type === 0x02 || type === 0x03 || type === 0x06) {
        // Read from what is open; a frame running past it is read again with all of it open.
        var fragment = this.frame(p, o);
        if (this.o === o && this.size < this.total) fragment = this.frame(this.more(this.total), o);
        if (this.o === o) this.clean = false;
        if (fragment) return fragment;
      } else {
        this.clean = false;
      }
    }
    return null;
  }

  private more(n: number): Uint8Array {
    const p = this.open(n);
    this.p = p;
    this.size = p.length;
    return p;
  }

  /** The ACK or CRYPTO frame at `o` (type byte included): the walk moves past it if it fits in `p` (the walk's `p`). */
  private frame(p: Uint8Array, o: number): CryptoFragment | null {
    var type = p[o]!;
    if (type !== 0x06) {
      var next = skipAck(p, o + 1, type === 0x03);
      if (next >= 0) this.o = next;
      return null;
    }
    // CRYPTO: offset and length varints, then the data.
    var start = varIntPrefixed(p, o + 1, this.size);
    if (start < 0) return null;
    var end = start + prefix.length;
    this.o = end;
    return { offset: prefix.value, data: p.subarray(start, end) };
  }
}

/**
 * All of an opened IETF Initial payload's CRYPTO fragments (see InitialFrameWalk). Parsing
 * stops at a frame an Initial may not hold; what came before it is kept, and `clean` is false.
 */
export function ietfInitialFrames(p: Uint8Array): InitialFrames {
  const walk = new InitialFrameWalk(() => p, p.length);
  const fragments: CryptoFragment[] = [];
  for (let f; (f = walk.next()); ) fragments.push(f);
  return { fragments, clean: walk.clean };
}

/** The CRYPTO fragments of an Initial's frames (see `ietfInitialFrames`). */
export function ietfCryptoFragments(p: Uint8Array): CryptoFragment[] {
  return ietfInitialFrames(p).fragments;
}

/** A view of the last buffer padding was skipped in, four bytes at a time. */
let wordsOf: ArrayBufferLike | null = null;
let words: Int32Array = new Int32Array(0);

/**
 * Where the run of zero bytes from `o` ends in `b` (`end` long). Read a word at a time where
 * aligned: an interpreter pays per loop turn, and an Initial's PADDING runs to hundreds of
 * bytes (eight times faster under txiki.js than a byte at a time).
 */
function zeroRunEnd(b: Uint8Array, o: number, end: number): number {
  var base = b.byteOffset;
  while (o < end && (base + o) & 3 && b[o] === 0) o++;
  if (o + 4 <= end && (base + o) % 4 === 0 && b[o] === 0) {
    if (wordsOf !== b.buffer) {
      wordsOf = b.buffer;
      words = new Int32Array(wordsOf, 0, wordsOf.byteLength >> 2);
    }
    var w = (base + o) >> 2;
    var last = (base + end) >> 2;
    while (w < last && words[w] === 0) w++;
    o = (w << 2) - base;
  }
  while (o < end && b[o] === 0) o++;
  return o;
}

/** ACK frame body: largest, delay, range count, first range, ranges, [ECN counts]. */
function skipAck(p: Uint8Array, o: number, ecn: boolean): number {
  var ranges = 0;
  for (var i = 0; i < 4; i++) {
    var v = varIntAt(p, o);
    if (v < 0) return -1;
    if (i === 2) ranges = v;
    o += varIntSize(p[o]!);
  }
  if (ranges > 256) return -1;
  for (var i = 0; i < ranges * 2 + (ecn ? 3 : 0); i++) {
    if (varIntAt(p, o) < 0) return -1;
    o += varIntSize(p[o]!);
  }
  return o;
}

/** The data of the CRYPTO-style frame (type, offset, length, data) at `o`, or null if it does not fit in `p`. */
function cryptoData(p: Uint8Array, o: number): Uint8Array | null {
  let at = o + 1;
  if (varIntAt(p, at) < 0) return null;
  at += varIntSize(p[at]!);
  const len = varIntAt(p, at);
  if (len < 0) return null;
  const start = at + varIntSize(p[at]!);
  return start + len > p.length ? null : p.subarray(start, start + len);
}

/** Leading zero bytes, then an ACK-ish frame (0x40/0x60) to step over, as nDPI does. */
function firstFrame(p: Uint8Array): number {
  let o = 0;
  while (o < p.length && p[o] === 0) o++;
  if (p[o] === 0x40 || p[o] === 0x60) o += p[o] === 0x40 ? 6 : 9;
  return o < p.length ? o : -1;
}

/**
 * Google QUIC up to Q046 (plaintext): the CHLO rides a STREAM frame (0xA0/0xA4) on stream
 * 1, with a 16-bit data length (little-endian before Q039).
 */
export function gquicStreamData(p: Uint8Array, version: number): Uint8Array | null {
  const o = firstFrame(p);
  if (o < 0) return null;
  const t = p[o]!;
  if (t !== 0xa0 && t !== 0xa4) return null;
  let offsetLen = (t & 0x1c) >> 2;
  if (offsetLen > 0) offsetLen++;
  if (o + 2 + offsetLen + 2 > p.length || p[o + 1] !== 0x01) return null;
  const l = o + 2 + offsetLen;
  const len = gquicNumber(version) >= 39 ? (p[l]! << 8) | p[l + 1]! : p[l]! | (p[l + 1]! << 8);
  if (l + 2 + len > p.length) return null;
  return p.subarray(l + 2, l + 2 + len);
}

/** Q050/T05x: one CRYPTO-like frame (type 0x08, offset, length) holds the whole hello. */
export function q050CryptoData(p: Uint8Array): Uint8Array | null {
  const o = firstFrame(p);
  if (o < 0 || p[o] !== 0x08) return null;
  return cryptoData(p, o);
}
