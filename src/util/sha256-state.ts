/**
 * SHA-256 (FIPS 180-4) as a chaining state of eight words that callers keep, copy and
 * finish themselves: HMAC sets up a key's padded blocks once and then hashes each short
 * message from a copy of that state (quic/hmac-sha256.ts). No object per hash and no
 * call per round: V8 compiles this to ~0.2 µs a block, where a node:crypto HMAC object
 * per message cost ~4 µs. Engines that interpret JavaScript use their own hashes instead.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
/** The message schedule, shared: compression is not re-entrant. */
const W = new Int32Array(64);
/** The last block(s) with their padding and length. */
const tail = new Uint8Array(128);

/** A fresh chaining state (SHA-256's initial value) into `state` (8 words). */
export function sha256Reset(state: Int32Array): Int32Array {
  state.set(INITIAL);
  return state;
}

/** One 64-byte block of `data` at `offset` into `state`. */
export function sha256Block(state: Int32Array, data: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++, offset += 4) W[i] = (data[offset]! << 24) | (data[offset + 1]! << 16) | (data[offset + 2]! << 8) | data[offset + 3]!;
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15]!;
    const b = W[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
  let e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0]! + a) | 0;
  state[1] = (state[1]! + b) | 0;
  state[2] = (state[2]! + c) | 0;
  state[3] = (state[3]! + d) | 0;
  state[4] = (state[4]! + e) | 0;
  state[5] = (state[5]! + f) | 0;
  state[6] = (state[6]! + g) | 0;
  state[7] = (state[7]! + h) | 0;
}

/**
 * Hash `message` into `state`, which has already absorbed `before` bytes (whole blocks),
 * pad, and write the 32-byte digest to `out` at 0. `state` is left spent.
 */
export function sha256Finish(state: Int32Array, before: number, message: Uint8Array, out: Uint8Array): void {
  const n = message.length;
  let o = 0;
  for (; o + 64 <= n; o += 64) sha256Block(state, message, o);
  const rest = n - o;
  const blocks = rest < 56 ? 64 : 128;
  tail.fill(0, 0, blocks);
  tail.set(message.subarray(o), 0);
  tail[rest] = 0x80;
  // The length in bits, big-endian in the last 8 bytes (`>>>` keeps the low word's bits).
  const bits = (before + n) * 8;
  const high = Math.floor(bits / 0x100000000);
  tail[blocks - 8] = high >>> 24;
  tail[blocks - 7] = (high >>> 16) & 0xff;
  tail[blocks - 6] = (high >>> 8) & 0xff;
  tail[blocks - 5] = high & 0xff;
  tail[blocks - 4] = bits >>> 24;
  tail[blocks - 3] = (bits >>> 16) & 0xff;
  tail[blocks - 2] = (bits >>> 8) & 0xff;
  tail[blocks - 1] = bits & 0xff;
  sha256Block(state, tail, 0);
  if (blocks === 128) sha256Block(state, tail, 64);
  for (let i = 0; i < 8; i++) {
    const v = state[i]!;
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = (v >>> 16) & 0xff;
    out[4 * i + 2] = (v >>> 8) & 0xff;
    out[4 * i + 3] = v & 0xff;
  }
}
