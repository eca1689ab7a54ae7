/**
 * The classifier's digests and ciphers under Node: node:crypto's (nodeDigests), or
 * flowsieve's native library's loaded at first use with node:crypto behind it
 * (lazyNativeDigests). runtime/node.ts chooses between them at start-up.
 */
import { aes128Block, aes128Ctr, type NativeDigests } from '../util/digest.js';
import type { NativeCrypto } from './native-crypto.js';

interface NodeDecipher {
  setAAD(aad: Uint8Array): NodeDecipher;
  setAuthTag(tag: Uint8Array): NodeDecipher;
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
}

interface NodeDigest {
  update(data: Uint8Array): NodeDigest;
  digest(): Uint8Array;
}

export interface NodeCrypto {
  createHash(name: string): NodeDigest;
  createDecipheriv(name: string, key: Uint8Array, iv: Uint8Array): NodeDecipher;
}

/**
 * OpenSSL's hashes and GCM through node:crypto. Not its AES-ECB/CTR: a cipher object per
 * call (QUIC opens an Initial in a few spans) cost more, garbage collection included, than
 * util/aes128.ts compiled by V8 (~75 against ~130 µs per QUIC flow).
 */
export function nodeDigests(c: NodeCrypto): NativeDigests {
  return {
    sha256: (a, b) => c.createHash('sha256').update(a).update(b).digest(),
    sha1: (data) => c.createHash('sha1').update(data).digest(),
    // No hmacSha256: an HMAC object per message cost ~4 µs; quic/hmac-sha256.ts hashes in JavaScript.
    compilesJs: true,
    aes128GcmOpen: (key, nonce, aad, sealed) => {
      if (sealed.length < 16) return null;
      const d = c.createDecipheriv('aes-128-gcm', key, nonce).setAAD(aad).setAuthTag(sealed.subarray(sealed.length - 16));
      try {
        const head = d.update(sealed.subarray(0, sealed.length - 16));
        const tail = d.final(); // throws when the tag is wrong
        if (tail.length === 0) return head;
        const out = new Uint8Array(head.length + tail.length);
        out.set(head);
        out.set(tail, head.length);
        return out;
      } catch {
        return null;
      }
    },
  };
}

/**
 * The classifier's digests and ciphers from flowsieve's native library when it is built
 * (through koffi), else node:crypto's (nodeDigests). Neither is loaded at start-up: koffi
 * takes ~10 ms to load, node:crypto a few, and most commands hash nothing. The first call
 * (a JA4, a certificate, a QUIC Initial) puts the library's functions in their place, or,
 * when it fails to load, node:crypto's, with util/digest.ts's JavaScript AES and
 * initial-keys.ts's HMAC in place of the library's AES and key schedule: the same bytes
 * every way. The library's one call per QUIC flow
 * costs a few µs against ~25 µs of V8-compiled JavaScript (replay of corpus x40, 5280
 * QUIC flows: main-thread CPU 1.83 -> 1.67 s, median of 12); its SHA-1 of a certificate
 * ~3 µs against ~9 µs through a node:crypto Hash object (2 962 certificates in x40).
 */
export function lazyNativeDigests(load: () => NativeCrypto, engine: () => NativeDigests): NativeDigests {
  const into: NativeDigests = { compilesJs: true };
  const resolve = (): boolean => {
    let lib: NativeCrypto | null = null;
    try {
      lib = load();
    } catch {
      // No library after all: node:crypto and the engine-independent paths serve.
    }
    if (lib === null) {
      const { sha1, sha256, aes128GcmOpen } = engine();
      Object.assign(into, { sha1, sha256, aes128GcmOpen });
      delete into.aes128Ctr;
      delete into.aes128Block;
      delete into.hkdfChain;
      return false;
    }
    // Not the library's HMAC: per message, V8's compiled JavaScript costs less than a call.
    const { sha1, sha256, aes128GcmOpen, aes128Ctr, aes128Block, hkdfChain } = lib;
    Object.assign(into, { sha1, sha256, aes128GcmOpen, aes128Ctr, aes128Block, hkdfChain });
    return true;
  };
  into.sha1 = (data) => {
    resolve();
    return into.sha1!(data);
  };
  into.sha256 = (a, b) => {
    resolve();
    return into.sha256!(a, b);
  };
  into.aes128GcmOpen = (key, nonce, aad, sealed) => {
    resolve();
    return into.aes128GcmOpen!(key, nonce, aad, sealed);
  };
  into.aes128Ctr = (key, counter, data, out) => {
    resolve();
    aes128Ctr(key, counter, data, out);
  };
  into.aes128Block = (key, block) => {
    resolve();
    return aes128Block(key, block);
  };
  into.hkdfChain = (salt, ikm, infos, out) => resolve() && into.hkdfChain!(salt, ikm, infos, out);
  return into;
}

