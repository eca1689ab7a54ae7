/**
 * Frames of decrypted (or plaintext Google QUIC) Initial payloads, reduced to the crypto
 * handshake data they carry.
 */
import { readVarInt } from './varint.js';
import { gquicNumber } from './versions.js';

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
 * IETF QUIC: CRYPTO fragments among PADDING, PING and ACK frames (browsers interleave
 * them to shake off middleboxes). Parsing stops at any other frame type; what came
 * before it is kept, and `clean` is false.
 */
export function ietfInitialFrames(p: Uint8Array, prefix = false): InitialFrames {
  const out: CryptoFragment[] = [];
  let o = 0;
  // `prefix`: p is only the start of the payload; a frame cut off by its end is kept as far
  // as it goes (a CRYPTO frame's partial data is still its data) and counts as clean.
  let cut = false;
  while (o < p.length) {
    const type = p[o]!;
    if (type === 0x00) {
      // PADDING: often hundreds of bytes in a row.
      o++;
      while (o < p.length && p[o] === 0) o++;
    } else if (type === 0x01) {
      o++; // PING
    } else if (type === 0x02 || type === 0x03) {
      const next = skipAck(p, o + 1, type === 0x03);
      if (next < 0) break;
      o = next;
    } else if (type === 0x06) {
      const off = readVarInt(p, o + 1);
      if (!off) break;
      const len = readVarInt(p, o + 1 + off.size);
      if (!len) break;
      const start = o + 1 + off.size + len.size;
      if (start + len.value > p.length) {
        if (prefix && start <= p.length) {
          out.push({ offset: off.value, data: p.subarray(start) });
          cut = true;
        }
        break;
      }
      out.push({ offset: off.value, data: p.subarray(start, start + len.value) });
      o = start + len.value;
    } else {
      break;
    }
  }
  // A header cut by the end of a prefix (the last 16 bytes at most) is no evidence either way.
  if (prefix && !cut && o < p.length && p.length - o < 16 && (p[o] === 0x06 || p[o] === 0x02 || p[o] === 0x03)) cut = true;
  return { fragments: out, clean: o === p.length || cut };
}

/** The CRYPTO fragments of an Initial's frames (see `ietfInitialFrames`). */
export function ietfCryptoFragments(p: Uint8Array): CryptoFragment[] {
  return ietfInitialFrames(p).fragments;
}

/** ACK frame body: largest, delay, range count, first range, ranges, [ECN counts]. */
function skipAck(p: Uint8Array, o: number, ecn: boolean): number {
  const fields: number[] = [];
  for (let i = 0; i < 4; i++) {
    const v = readVarInt(p, o);
    if (!v) return -1;
    fields.push(v.value);
    o += v.size;
  }
  const ranges = fields[2]!;
  if (ranges > 256) return -1;
  for (let i = 0; i < ranges * 2 + (ecn ? 3 : 0); i++) {
    const v = readVarInt(p, o);
    if (!v) return -1;
    o += v.size;
  }
  return o;
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
  const off = readVarInt(p, o + 1);
  if (!off) return null;
  const len = readVarInt(p, o + 1 + off.size);
  if (!len) return null;
  const start = o + 1 + off.size + len.size;
  if (start + len.value > p.length) return null;
  return p.subarray(start, start + len.value);
}
