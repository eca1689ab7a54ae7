/**
 * AES-128 encryption (FIPS 197) for QUIC Initials when the engine has no synchronous AES
 * (txiki.js): one block for the header-protection mask, CTR mode for the payload. Written
 * for an interpreter: the rounds are inline with the state in locals and four 256-entry
 * tables, no call per column and no object per block (@noble's generic version makes ~50
 * calls and an object per block, ~7 µs a block under QuickJS). Only encryption: CTR and
 * the mask never decrypt a block.
 */

const SBOX = new Int32Array(256);
const T0 = new Int32Array(256);
const T1 = new Int32Array(256);
const T2 = new Int32Array(256);
const T3 = new Int32Array(256);

/** Multiply by x in GF(2^8) mod x^8 + x^4 + x^3 + x + 1. */
function xtime(b: number): number {
  return ((b << 1) ^ (b & 0x80 ? 0x1b : 0)) & 0xff;
}

// The S-box from the multiplicative inverse (walking generator 3 and its inverse) and the affine map.
{
  let p = 1;
  let q = 1;
  do {
    p = p ^ xtime(p); // p × 3
    q ^= q << 1; // q ÷ 3
    q ^= q << 2;
    q ^= q << 4;
    q &= 0xff;
    if (q & 0x80) q ^= 0x09;
    const rot = (x: number, n: number) => ((x << n) | (x >>> (8 - n))) & 0xff;
    SBOX[p] = q ^ rot(q, 1) ^ rot(q, 2) ^ rot(q, 3) ^ rot(q, 4) ^ 0x63;
  } while (p !== 1);
  SBOX[0] = 0x63;
  for (let i = 0; i < 256; i++) {
    const s = SBOX[i]!;
    const t = (xtime(s) << 24) | (s << 16) | (s << 8) | (xtime(s) ^ s);
    T0[i] = t;
    T1[i] = (t >>> 8) | (t << 24);
    T2[i] = (t >>> 16) | (t << 16);
    T3[i] = (t >>> 24) | (t << 8);
  }
}

/** The round keys of the last key expanded (flows open several blocks with one key). */
const roundKeys = new Int32Array(44);
const lastKey = new Uint8Array(16);
let haveKey = false;

function expand(key: Uint8Array): Int32Array {
  if (haveKey) {
    let same = true;
    for (let i = 0; i < 16; i++) if (lastKey[i] !== key[i]) same = false;
    if (same) return roundKeys;
  }
  const w = roundKeys;
  for (let i = 0; i < 4; i++) w[i] = (key[4 * i]! << 24) | (key[4 * i + 1]! << 16) | (key[4 * i + 2]! << 8) | key[4 * i + 3]!;
  let rcon = 1;
  for (let i = 4; i < 44; i++) {
    let t = w[i - 1]!;
    if ((i & 3) === 0) {
      t = ((SBOX[(t >>> 16) & 0xff]! << 24) | (SBOX[(t >>> 8) & 0xff]! << 16) | (SBOX[t & 0xff]! << 8) | SBOX[t >>> 24]!) ^ (rcon << 24);
      rcon = xtime(rcon);
    }
    w[i] = w[i - 4]! ^ t;
  }
  lastKey.set(key.subarray(0, 16));
  haveKey = true;
  return w;
}

/** The block cipher's output words, left here by `encryptWords` (no object per block). */
let o0 = 0;
let o1 = 0;
let o2 = 0;
let o3 = 0;

function encryptWords(w: Int32Array, a0: number, a1: number, a2: number, a3: number): void {
  let s0 = a0 ^ w[0]!;
  let s1 = a1 ^ w[1]!;
  let s2 = a2 ^ w[2]!;
  let s3 = a3 ^ w[3]!;
  let k = 4;
  for (let r = 1; r < 10; r++) {
    const t0 = T0[s0 >>> 24]! ^ T1[(s1 >>> 16) & 0xff]! ^ T2[(s2 >>> 8) & 0xff]! ^ T3[s3 & 0xff]! ^ w[k]!;
    const t1 = T0[s1 >>> 24]! ^ T1[(s2 >>> 16) & 0xff]! ^ T2[(s3 >>> 8) & 0xff]! ^ T3[s0 & 0xff]! ^ w[k + 1]!;
    const t2 = T0[s2 >>> 24]! ^ T1[(s3 >>> 16) & 0xff]! ^ T2[(s0 >>> 8) & 0xff]! ^ T3[s1 & 0xff]! ^ w[k + 2]!;
    s3 = T0[s3 >>> 24]! ^ T1[(s0 >>> 16) & 0xff]! ^ T2[(s1 >>> 8) & 0xff]! ^ T3[s2 & 0xff]! ^ w[k + 3]!;
    s0 = t0;
    s1 = t1;
    s2 = t2;
    k += 4;
  }
  const S = SBOX;
  o0 = ((S[s0 >>> 24]! << 24) | (S[(s1 >>> 16) & 0xff]! << 16) | (S[(s2 >>> 8) & 0xff]! << 8) | S[s3 & 0xff]!) ^ w[40]!;
  o1 = ((S[s1 >>> 24]! << 24) | (S[(s2 >>> 16) & 0xff]! << 16) | (S[(s3 >>> 8) & 0xff]! << 8) | S[s0 & 0xff]!) ^ w[41]!;
  o2 = ((S[s2 >>> 24]! << 24) | (S[(s3 >>> 16) & 0xff]! << 16) | (S[(s0 >>> 8) & 0xff]! << 8) | S[s1 & 0xff]!) ^ w[42]!;
  o3 = ((S[s3 >>> 24]! << 24) | (S[(s0 >>> 16) & 0xff]! << 16) | (S[(s1 >>> 8) & 0xff]! << 8) | S[s2 & 0xff]!) ^ w[43]!;
}

function word(b: Uint8Array, o: number): number {
  return (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

/** AES-128 of one 16-byte block. */
export function aes128EncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  encryptWords(expand(key), word(block, 0), word(block, 4), word(block, 8), word(block, 12));
  const out = new Uint8Array(16);
  putWord(out, 0, o0);
  putWord(out, 4, o1);
  putWord(out, 8, o2);
  putWord(out, 12, o3);
  return out;
}

function putWord(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function xorWord(data: Uint8Array, out: Uint8Array, o: number, ks: number): void {
  out[o] = data[o]! ^ (ks >>> 24);
  out[o + 1] = data[o + 1]! ^ ((ks >>> 16) & 0xff);
  out[o + 2] = data[o + 2]! ^ ((ks >>> 8) & 0xff);
  out[o + 3] = data[o + 3]! ^ (ks & 0xff);
}

/** AES-128-CTR: `data` XOR the keystream from `counter` (a 128-bit big-endian counter) into `out`. */
export function aes128CtrXor(key: Uint8Array, counter: Uint8Array, data: Uint8Array, out: Uint8Array): void {
  const w = expand(key);
  let c0 = word(counter, 0);
  let c1 = word(counter, 4);
  let c2 = word(counter, 8);
  let c3 = word(counter, 12);
  const n = data.length;
  for (let i = 0; i < n; i += 16) {
    encryptWords(w, c0, c1, c2, c3);
    if (n - i >= 16) {
      xorWord(data, out, i, o0);
      xorWord(data, out, i + 4, o1);
      xorWord(data, out, i + 8, o2);
      xorWord(data, out, i + 12, o3);
    } else {
      for (let j = 0; j < n - i; j++) {
        const ks = j < 4 ? o0 : j < 8 ? o1 : j < 12 ? o2 : o3;
        out[i + j] = data[i + j]! ^ ((ks >>> (24 - 8 * (j & 3))) & 0xff);
      }
    }
    c3 = (c3 + 1) | 0;
    if (c3 === 0) {
      c2 = (c2 + 1) | 0;
      if (c2 === 0) {
        c1 = (c1 + 1) | 0;
        if (c1 === 0) c0 = (c0 + 1) | 0;
      }
    }
  }
}
