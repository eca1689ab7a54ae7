/**
 * SHA-1, SHA-256, HMAC-SHA256, the AES-128 block cipher and AES-128-GCM for the classifier
 * (QUIC Initial keys and payloads, JA4, certificate fingerprints), from the engine or
 * flowsieve's native library when there, else in JavaScript (util/sha256-state.ts, @noble/hashes for SHA-1, util/aes128*.ts). In an interpreter
 * (txiki.js) one SHA-256 block costs tens of µs and one AES block ~5 µs in JavaScript,
 * well under one in C, and a QUIC flow needs a dozen of the first and ~75 of the second.
 * The runtime adapter installs what it found (`useNativeDigests`); the results are the
 * same bytes either way.
 */
import { sha1 as jsSha1 } from '@noble/hashes/legacy.js';
import { aes128CtrXor, aes128EncryptBlock } from './aes128.js';
import { aes128GcmOpenJs } from './aes128-gcm.js';
import { sha256Finish, sha256Reset } from './sha256-state.js';

/** Each one the runtime has; the rest fall back to JavaScript. */
export interface NativeDigests {
  /** SHA-256 of `a` followed by `b` (b may be empty). */
  sha256?(a: Uint8Array, b: Uint8Array): Uint8Array;
  sha1?(data: Uint8Array): Uint8Array;
  /** HMAC-SHA256(key, message) into the first 32 bytes of `out`. */
  hmacSha256?(key: Uint8Array, message: Uint8Array, out: Uint8Array): void;
  /** AES-128 of one 16-byte block (ECB), when the engine has a synchronous cipher. */
  aes128Block?(key: Uint8Array, block: Uint8Array): Uint8Array;
  /** AES-128-CTR over `data` (counter block: 16 bytes, big-endian increment) into `out`. */
  aes128Ctr?(key: Uint8Array, counter: Uint8Array, data: Uint8Array, out: Uint8Array): void;
  /** AES-128-GCM: `sealed` (ciphertext, then its 16-byte tag) opened, or null when the tag is wrong. */
  aes128GcmOpen?(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null;
  /**
   * HKDF-Extract(salt, ikm), HKDF-Expand with the first info into a secret, then one
   * output per further info expanded from that secret, into `out` one after another
   * (`infos`: each info after a length byte; see native/crypto's fs_hkdf_chain). False
   * when it could not after all (a library loaded at first use failed to load): the
   * caller derives the keys itself.
   */
  hkdfChain?(salt: Uint8Array, ikm: Uint8Array, infos: Uint8Array, out: Uint8Array): boolean;
  /**
   * The engine compiles JavaScript (V8): a block or two hashed in JavaScript costs less
   * than a call into `sha256`, so HMAC of short messages stays in JavaScript.
   */
  compilesJs?: boolean;
}

const NONE = new Uint8Array(0);
let native: NativeDigests | null = null;

/** Set (or with null, clear) the engine's own primitives. */
export function useNativeDigests(d: NativeDigests | null): void {
  native = d;
}

/** Whether the engine's SHA-256 hashes a short message faster than JavaScript (an interpreter's does). */
export function nativeSha256BeatsJs(): boolean {
  return native?.sha256 !== undefined && native.compilesJs !== true;
}

export function sha256(a: Uint8Array, second?: Uint8Array): Uint8Array {
  // No default value for `second`: under txiki.js it would cost every call.
  const b = second ?? NONE;
  const f = native?.sha256;
  if (f) return f(a, b);
  let message = a;
  if (b.length > 0) {
    message = new Uint8Array(a.length + b.length);
    message.set(a);
    message.set(b, a.length);
  }
  // The same SHA-256 HMAC uses (one JavaScript SHA-256 in the bundle, not two).
  const out = new Uint8Array(32);
  sha256Finish(sha256Reset(jsState), 0, message, out);
  return out;
}

/** The JavaScript SHA-256's chaining state (hashing is synchronous: one serves every call). */
const jsState = new Int32Array(8);

export function sha1(data: Uint8Array): Uint8Array {
  const f = native?.sha1;
  return f ? f(data) : jsSha1(data);
}

/** HMAC-SHA256 into `out` by the engine; false when it has none (see quic/hmac-sha256.ts). */
export function nativeHmacSha256(key: Uint8Array, message: Uint8Array, out: Uint8Array): boolean {
  const f = native?.hmacSha256;
  if (!f) return false;
  f(key, message, out);
  return true;
}

/** `NativeDigests.hkdfChain` by the engine; false when it has none. */
export function nativeHkdfChain(salt: Uint8Array, ikm: Uint8Array, infos: Uint8Array, out: Uint8Array): boolean {
  const f = native?.hkdfChain;
  return f ? f(salt, ikm, infos, out) : false;
}

/** AES-128-ECB of one block (QUIC header protection mask). */
export function aes128Block(key: Uint8Array, block: Uint8Array): Uint8Array {
  const f = native?.aes128Block;
  return f ? f(key, block) : aes128EncryptBlock(key, block);
}

/**
 * Whether AES-128-CTR runs natively (engine or flowsieve's library), where a call costs
 * more than the blocks: callers then open a whole payload at once rather than in steps.
 */
export function nativeAes128Ctr(): boolean {
  return native?.aes128Ctr !== undefined;
}

/** AES-128-CTR of `data` into `out` (same length; may be the same bytes). */
export function aes128Ctr(key: Uint8Array, counter: Uint8Array, data: Uint8Array, out: Uint8Array): void {
  const f = native?.aes128Ctr;
  if (f) f(key, counter, data, out);
  else aes128CtrXor(key, counter, data, out);
}

/** AES-128-GCM opening (12-byte nonce): the plaintext, or null when the tag is wrong. */
export function aes128GcmOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | null {
  const f = native?.aes128GcmOpen;
  return f ? f(key, nonce, aad, sealed) : aes128GcmOpenJs(key, nonce, aad, sealed);
}
