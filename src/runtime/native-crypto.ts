/**
 * The classifier's ciphers and hashes from native/crypto (through koffi or tjs:ffi): under
 * txiki.js an AES block costs ~5 µs in JavaScript and a QUIC Initial ~75 of them, against
 * one FFI call of ~0.5 µs for the whole span in C. Under Node the library spares loading
 * node:crypto at all (runtime/node-digests.ts lazyNativeDigests). Optional: when the
 * library is missing (replay on a host without `npm run build:native`) the JavaScript
 * versions serve, with the same bytes.
 */
import type { NativeDigests } from '../util/digest.js';
import { CRYPTO_ABI, type BoundFunctions, type NativeLoader } from './native-abi.js';

export type CryptoFunctions = BoundFunctions<typeof CRYPTO_ABI>;
export type NativeCrypto = Required<Omit<NativeDigests, 'compilesJs'>>;

/** The library's functions as the classifier calls them. */
export function bindNativeCrypto(c: CryptoFunctions): NativeCrypto {
  return {
    sha1: (data) => {
      const out = new Uint8Array(20);
      c.fs_sha1(data, data.length, out);
      return out;
    },
    sha256: (a, b) => {
      const out = new Uint8Array(32);
      c.fs_sha256(a, a.length, b, b.length, out);
      return out;
    },
    aes128Block: (key, block) => {
      const out = new Uint8Array(16);
      c.fs_aes128_ecb(key, block, out);
      return out;
    },
    aes128Ctr: (key, counter, data, out) => {
      // The C side works in place.
      if (out !== data) out.set(data.subarray(0, out.length));
      c.fs_aes128_ctr(key, counter, out, out.length);
    },
    hmacSha256: (key, message, out) => void c.fs_hmac_sha256(key, key.length, message, message.length, out),
    hkdfChain: (salt, ikm, infos, out) => {
      c.fs_hkdf_chain(salt, salt.length, ikm, ikm.length, infos, infos.length, out);
      return true;
    },
    aes128GcmOpen: (key, nonce, aad, sealed) => {
      const buf = sealed.slice(); // opened in place
      return c.fs_aes128_gcm_open(key, nonce, aad, aad.length, buf, buf.length) === 0 ? buf.subarray(0, buf.length - 16) : null;
    },
  };
}

/** The library's primitives, or null when it cannot be found or loaded. */
export async function loadNativeCrypto(load: NativeLoader): Promise<NativeCrypto | null> {
  try {
    return bindNativeCrypto((await load('crypto', CRYPTO_ABI)).fn);
  } catch {
    return null;
  }
}
