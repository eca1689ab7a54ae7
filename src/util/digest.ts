/**
 * SHA-1, SHA-256 and the AES-128 block cipher for the classifier (QUIC Initial keys and
 * payloads, JA4, certificate fingerprints), from the engine when it has them, else in
 * JavaScript (@noble). In an interpreter (txiki.js) one SHA-256 block costs tens of µs
 * in JavaScript and well under one in C, and QUIC Initial keys take a dozen of them per
 * flow. The runtime adapter installs what its engine offers (`useNativeDigests`); the
 * results are the same bytes either way.
 */
import { sha1 as jsSha1 } from '@noble/hashes/legacy.js';
import { sha256 as jsSha256 } from '@noble/hashes/sha2.js';
import { aes128CtrXor, aes128EncryptBlock } from './aes128.js';

export interface NativeDigests {
  /** SHA-256 of `a` followed by `b` (b may be empty). */
  sha256(a: Uint8Array, b: Uint8Array): Uint8Array;
  sha1(data: Uint8Array): Uint8Array;
  /** AES-128 of one 16-byte block (ECB), when the engine has a synchronous cipher. */
  aes128Block?(key: Uint8Array, block: Uint8Array): Uint8Array;
  /** AES-128-CTR over `data` (counter block: 16 bytes, big-endian increment) into `out`. */
  aes128Ctr?(key: Uint8Array, counter: Uint8Array, data: Uint8Array, out: Uint8Array): void;
}

const NONE = new Uint8Array(0);
let native: NativeDigests | null = null;

/** Set (or with null, clear) the engine's own primitives. */
export function useNativeDigests(d: NativeDigests | null): void {
  native = d;
}

/** Whether SHA-256 comes from the engine (callers may then skip their own JS shortcuts). */
export function hasNativeSha256(): boolean {
  return native !== null;
}

export function sha256(a: Uint8Array, b: Uint8Array = NONE): Uint8Array {
  if (native) return native.sha256(a, b);
  if (b.length === 0) return jsSha256(a);
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return jsSha256(joined);
}

export function sha1(data: Uint8Array): Uint8Array {
  return native ? native.sha1(data) : jsSha1(data);
}

/** AES-128-ECB of one block (QUIC header protection mask). */
export function aes128Block(key: Uint8Array, block: Uint8Array): Uint8Array {
  const f = native?.aes128Block;
  return f ? f(key, block) : aes128EncryptBlock(key, block);
}

/** AES-128-CTR of `data` into `out` (same length; may be the same bytes). */
export function aes128Ctr(key: Uint8Array, counter: Uint8Array, data: Uint8Array, out: Uint8Array): void {
  const f = native?.aes128Ctr;
  if (f) f(key, counter, data, out);
  else aes128CtrXor(key, counter, data, out);
}
