/**
 * AES-128-GCM opening (NIST SP 800-38D, 12-byte nonce) over util/aes128.ts, for an engine
 * without GCM of its own and without flowsieve's native library (QuickJS-ng in CI). It
 * replaces @noble/ciphers, whose module builds ~1.3 MB of AES tables when the bundle loads:
 * 25–65 ms of every start-up under txiki.js and Node here, QUIC or not. GHASH multiplies
 * by H with Shoup's 4-bit tables (as Go's crypto/cipher does): 32 table steps a block.
 */
import { aes128CtrXor, aes128EncryptBlock } from './aes128.js';

/** x^4 reductions for the nibble shifted out of the low end, pre-shifted into the top word. */
const REDUCE = new Int32Array([0x0000, 0x1c20, 0x3840, 0x2460, 0x7080, 0x6ca0, 0x48c0, 0x54e0, 0xe100, 0xfd20, 0xd940, 0xc560, 0x9180, 0x8da0, 0xa9c0, 0xb5e0].map((r) => r << 16));

/** i·H for each 4-bit i (bit-reversed index), four big-endian words each; rebuilt per key. */
const table = new Int32Array(64);
/** The GHASH accumulator, four big-endian words. */
const y = new Int32Array(4);

function reverse4(i: number): number {
  return ((i & 1) << 3) | ((i & 2) << 1) | ((i & 4) >> 1) | ((i & 8) >> 3);
}

function word(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

function setTable(h: Uint8Array): void {
  const at = reverse4(1) * 4;
  for (let k = 0; k < 4; k++) table[at + k] = word(h, 4 * k);
  for (let i = 2; i < 16; i += 2) {
    // Doubling is one right shift in GCM's reflected bit order, reduced by 0xe1 at the top.
    const s = reverse4(i / 2) * 4;
    const d = reverse4(i) * 4;
    const carry = table[s + 3]! & 1;
    table[d + 3] = (table[s + 3]! >>> 1) | (table[s + 2]! << 31);
    table[d + 2] = (table[s + 2]! >>> 1) | (table[s + 1]! << 31);
    table[d + 1] = (table[s + 1]! >>> 1) | (table[s]! << 31);
    table[d] = (table[s]! >>> 1) ^ (carry ? 0xe1000000 : 0);
    const p = reverse4(i + 1) * 4;
    for (let k = 0; k < 4; k++) table[p + k] = table[d + k]! ^ table[at + k]!;
  }
}

/** y = (y XOR block) · H, the block given as four words; no array per block (hot under QuickJS). */
function absorb(b0: number, b1: number, b2: number, b3: number): void {
  const x0 = b0 ^ y[0]!;
  const x1 = b1 ^ y[1]!;
  const x2 = b2 ^ y[2]!;
  const x3 = b3 ^ y[3]!;
  let z0 = 0;
  let z1 = 0;
  let z2 = 0;
  let z3 = 0;
  // The low word's nibbles first, lowest first: each step multiplies z by x^4 and adds i·H.
  for (let w = 3; w >= 0; w--) {
    let v = w === 3 ? x3 : w === 2 ? x2 : w === 1 ? x1 : x0;
    for (let j = 0; j < 8; j++) {
      const out = z3 & 0xf;
      z3 = (z3 >>> 4) | (z2 << 28);
      z2 = (z2 >>> 4) | (z1 << 28);
      z1 = (z1 >>> 4) | (z0 << 28);
      z0 = (z0 >>> 4) ^ REDUCE[out]!;
      const t = (v & 0xf) * 4;
      z0 ^= table[t]!;
      z1 ^= table[t + 1]!;
      z2 ^= table[t + 2]!;
      z3 ^= table[t + 3]!;
      v >>>= 4;
    }
  }
  y[0] = z0;
  y[1] = z1;
  y[2] = z2;
  y[3] = z3;
}

/** Absorb `data` in 16-byte blocks, the last one zero-padded. */
function absorbPadded(data: Uint8Array): void {
  const n = data.length;
  let i = 0;
  for (; i + 16 <= n; i += 16) absorb(word(data, i), word(data, i + 4), word(data, i + 8), word(data, i + 12));
  if (i < n) {
    const last = new Uint8Array(16);
    last.set(data.subarray(i));
    absorb(word(last, 0), word(last, 4), word(last, 8), word(last, 12));
  }
}

/** `sealed` (ciphertext, then its 16-byte tag) opened, or null when it is short or the tag is wrong. */
export function aes128GcmOpenJs(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  if (sealed.length < 16 || nonce.length !== 12) return null;
  const text = sealed.subarray(0, sealed.length - 16);
  setTable(aes128EncryptBlock(key, new Uint8Array(16)));
  y.fill(0);
  absorbPadded(aad);
  absorbPadded(text);
  // Lengths in bits, each a 64-bit big-endian number.
  absorb(Math.floor(aad.length / 0x20000000), aad.length << 3, Math.floor(text.length / 0x20000000), text.length << 3);
  const counter = new Uint8Array(16);
  counter.set(nonce);
  counter[15] = 1;
  const mask = aes128EncryptBlock(key, counter);
  const tag = sealed.subarray(sealed.length - 16);
  let diff = 0;
  for (let k = 0; k < 4; k++) diff |= (word(mask, 4 * k) ^ y[k]!) ^ word(tag, 4 * k);
  if (diff !== 0) return null;
  counter[15] = 2;
  const out = new Uint8Array(text.length);
  aes128CtrXor(key, counter, text, out);
  return out;
}
