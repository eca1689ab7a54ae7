/**
 * util/digest.ts: the engine's own SHA-1/SHA-256/HMAC/AES-128-GCM (node:crypto, as the Node
 * runtime installs it), flowsieve's native library (native/crypto, through koffi as
 * txiki.js reaches it through tjs:ffi) and the JavaScript fallbacks give the same bytes,
 * and QUIC Initial keys derive to RFC 9001's Appendix A values every way.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as nodeCryptoModule from 'node:crypto';
import { createHash } from 'node:crypto';
import { lazyNativeDigests, nodeDigests } from '../src/runtime/node-digests.js';
import { access, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { gcm } from '@noble/ciphers/aes.js';
import { aes128Block, aes128Ctr, aes128GcmOpen, sha1, sha256, useNativeDigests } from '../src/util/digest.js';
import { HmacSha256 } from '../src/classify/quic/hmac-sha256.js';
import { aes128GcmOpenJs } from '../src/util/aes128-gcm.js';
import { CRYPTO_ABI, findLibrary } from '../src/runtime/native-abi.js';
import { bindNativeCrypto, loadNativeCrypto } from '../src/runtime/native-crypto.js';
import { bindNodeNative, loadNodeNative, requireKoffi, type Koffi } from '../src/runtime/native-node.js';
import { createRequire } from 'node:module';
import koffi from 'koffi';
import { initialKeys } from '../src/classify/quic/initial-keys.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));

/** node:crypto's primitives, as the Node runtime installs them. */
function nodeCrypto(): void {
  useNativeDigests(nodeDigests(nodeCryptoModule as unknown as Parameters<typeof nodeDigests>[0]));
}

/**
 * What the Node runtime installs when native/crypto's library is built: every digest and
 * cipher from the library, loaded at first use, node:crypto only should it fail to load
 * (lazyNativeDigests).
 */
async function nodeRuntimeSet(): Promise<void> {
  const exists = (p: string) => access(p).then(() => true, () => false);
  const path = await findLibrary('crypto', (n) => process.env[n], exists);
  const c = nodeCryptoModule as unknown as Parameters<typeof nodeDigests>[0];
  useNativeDigests(lazyNativeDigests(() => bindNativeCrypto(bindNodeNative(koffi as unknown as Koffi, path, CRYPTO_ABI).fn), () => nodeDigests(c)));
}

/** The same when the library fails to load at first use: node:crypto, JavaScript AES and HMAC serve. */
function nodeRuntimeSetLoadFailing(): void {
  const c = nodeCryptoModule as unknown as Parameters<typeof nodeDigests>[0];
  useNativeDigests(
    lazyNativeDigests(
      () => {
        throw new Error('no library');
      },
      () => nodeDigests(c),
    ),
  );
}

/** native/crypto's library (built by `npm test`'s pretest), every primitive from it. */
async function nativeLibrary(): Promise<void> {
  const exists = (p: string) => access(p).then(() => true, () => false);
  const lib = await loadNativeCrypto(async (module, abi) => loadNodeNative(await findLibrary(module, (n) => process.env[n], exists), abi));
  assert.ok(lib, 'native/build/libflowsieve-crypto.so loads (npm run build:native)');
  useNativeDigests(lib);
}

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) out[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return out;
}

function everything(): string[] {
  const out: string[] = [];
  // Lengths about the one- and two-block tails (55/56, 63/64/65, 119/120) and a certificate's.
  for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 200, 1500]) {
    out.push(hex(sha256(bytes(n, n + 1))), hex(sha256(bytes(n, n + 2), bytes(7, n))), hex(sha1(bytes(n, n + 3))));
  }
  const key = bytes(16, 9);
  out.push(hex(aes128Block(key, bytes(16, 10))));
  for (const n of [0, 1, 16, 33, 640]) {
    const data = bytes(n, n);
    const outBuf = new Uint8Array(n);
    // Counters near a byte carry and a carry between the 64-bit halves (the x86-64 path
    // counts in two halves): the increment must carry the same way in all.
    for (const start of ['000102030405060708090a0bffffffff', '0001020304050607fffffffffffffffd']) {
      const counter = fromHex(start);
      aes128Ctr(key, counter, data, outBuf);
      out.push(hex(outBuf));
      // In place, as QUIC opens Initials.
      const inPlace = data.slice();
      aes128Ctr(key, counter, inPlace, inPlace);
      out.push(hex(inPlace));
    }
  }
  for (const n of [0, 1, 16, 100, 1200]) {
    const nonce = bytes(12, n + 20);
    const aad = bytes(n % 40, n + 21);
    const sealed = gcm(key, nonce, aad).encrypt(bytes(n, n + 22));
    out.push(hex(aes128GcmOpen(key, nonce, aad, sealed)!));
    sealed[n >> 1]! ^= 1; // a flipped bit anywhere fails the tag
    out.push(String(aes128GcmOpen(key, nonce, aad, sealed)));
  }
  const mac = new HmacSha256();
  for (const keyLen of [0, 20, 32, 64, 65, 100]) {
    mac.setKey(bytes(keyLen, keyLen + 5));
    const tag = new Uint8Array(32);
    for (const n of [0, 13, 64, 200]) {
      mac.macInto(bytes(n, n + 6), tag);
      out.push(hex(tag));
    }
  }
  return out;
}

test('native and JavaScript digests and ciphers give the same bytes', async () => {
  useNativeDigests(null);
  const js = everything();
  nodeCrypto();
  assert.equal(everything(), js, 'node:crypto');
  await nativeLibrary();
  assert.equal(everything(), js, 'native/crypto');
  await nodeRuntimeSet();
  assert.equal(everything(), js, 'node:crypto with native/crypto loaded lazily');
  nodeRuntimeSetLoadFailing();
  assert.equal(everything(), js, 'node:crypto, native/crypto failing to load');
  // txiki.js without flowsieve's library: its own SHA-256, HMAC built on it.
  useNativeDigests({ sha256: (a, b) => createHash('sha256').update(a).update(b).digest() });
  assert.equal(everything(), js, 'engine SHA-256 only');
  useNativeDigests(null);
});

test("the library's portable C and its x86-64 instructions (SHA, AES-NI) give the same bytes", async () => {
  useNativeDigests(null);
  const js = everything();
  const exists = (p: string) => access(p).then(() => true, () => false);
  const built = await findLibrary('crypto', (n) => process.env[n], exists);
  // A second copy of the library, loaded with FLOWSIEVE_CRYPTO_PORTABLE set: it reads the
  // variable once, when loaded, and keeps to plain C (the first copy, loaded above or by
  // the tests before, uses the CPU's instructions where it has them).
  const dir = await mkdtemp(join(tmpdir(), 'flowsieve-crypto-'));
  const copy = join(dir, 'libflowsieve-crypto.so');
  await copyFile(built, copy);
  process.env['FLOWSIEVE_CRYPTO_PORTABLE'] = '1';
  try {
    useNativeDigests(bindNativeCrypto(bindNodeNative(koffi as unknown as Koffi, copy, CRYPTO_ABI).fn));
  } finally {
    delete process.env['FLOWSIEVE_CRYPTO_PORTABLE'];
  }
  assert.equal(everything(), js, 'portable C');
  useNativeDigests(bindNativeCrypto(bindNodeNative(koffi as unknown as Koffi, built, CRYPTO_ABI).fn));
  assert.equal(everything(), js, 'as loaded by default');
  useNativeDigests(null);
  await rm(dir, { recursive: true, force: true });
});

test("koffi is loaded from its native module where npm puts it, else through koffi's own loader", async () => {
  const requireHere = createRequire(import.meta.url);
  const asked: string[] = [];
  const requireFrom = (id: string) => {
    asked.push(id);
    return requireHere(id);
  };
  const direct = requireKoffi(requireFrom, process.platform, process.arch);
  assert.equal(typeof direct.load, 'function');
  assert.equal(asked, [`@koromix/koffi-${process.platform}-${process.arch}/${process.platform}_${process.arch}/koffi.node`]);
  // A host whose binary is elsewhere (another platform's package name): koffi's loader.
  asked.length = 0;
  const fallback = requireKoffi(requireFrom, 'linux', 'no-such-arch');
  assert.equal(typeof fallback.load, 'function');
  assert.equal(asked, ['@koromix/koffi-linux-no-such-arch/linux_no-such-arch/koffi.node', 'koffi']);
  // Either one binds the library the same way.
  const exists = (p: string) => access(p).then(() => true, () => false);
  const lib = bindNodeNative(fallback, await findLibrary('crypto', (n) => process.env[n], exists), CRYPTO_ABI);
  const out = new Uint8Array(20);
  lib.fn.fs_sha1(new Uint8Array(0), 0, out);
  assert.equal(hex(out), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
  lib.close();
});

test('the JavaScript HMAC is RFC 2104 HMAC-SHA256, as noble computes it', () => {
  useNativeDigests(null);
  const mac = new HmacSha256(bytes(20, 1));
  const tag = new Uint8Array(32);
  mac.macInto(bytes(50, 2), tag);
  assert.equal(hex(tag), hex(hmac(nobleSha256, bytes(20, 1), bytes(50, 2))));
});

test('QUIC Initial keys match RFC 9001 Appendix A.1, with and without native digests', async () => {
  const dcid = fromHex('8394c8f03e515708');
  for (const setUp of [() => useNativeDigests(null), nodeCrypto, nativeLibrary, nodeRuntimeSet, nodeRuntimeSetLoadFailing]) {
    await setUp();
    const k = initialKeys(1, dcid, 'client');
    assert.equal([hex(k.key), hex(k.iv), hex(k.hp)], ['1f369613dd76d5467730efcbe3b1a22d', 'fa044b2f42a3fd3b46fb255c', '9f50449e04a0e810283a1e9933adedd2']);
  }
  useNativeDigests(null);
});

test('the JavaScript AES-128-GCM opens what noble seals, and refuses any flipped bit', () => {
  for (let n = 0; n < 140; n += 7) {
    const key = bytes(16, n + 30);
    const nonce = bytes(12, n + 31);
    const aad = bytes(n % 37, n + 32);
    const plain = bytes(n * 9, n + 33);
    const sealed = gcm(key, nonce, aad).encrypt(plain);
    assert.equal(hex(aes128GcmOpenJs(key, nonce, aad, sealed)!), hex(plain), `length ${plain.length}, aad ${aad.length}`);
    const bit = (n * 13) % (sealed.length * 8);
    sealed[bit >> 3]! ^= 1 << (bit & 7);
    assert.is(aes128GcmOpenJs(key, nonce, aad, sealed), null, `flipped bit ${bit}`);
    sealed[bit >> 3]! ^= 1 << (bit & 7);
    if (aad.length > 0) {
      aad[0]! ^= 0x80;
      assert.is(aes128GcmOpenJs(key, nonce, aad, sealed), null, 'changed aad');
    }
  }
  assert.is(aes128GcmOpenJs(bytes(16, 1), bytes(12, 2), bytes(0, 3), bytes(15, 4)), null, 'shorter than a tag');
});

test('QUIC Initial keys for both sides, v1 and v2, the same every way (the native library derives them in one call)', async () => {
  const dcid = bytes(8, 77);
  const ways: string[][] = [];
  for (const setUp of [() => useNativeDigests(null), nodeCrypto, nativeLibrary, nodeRuntimeSet, nodeRuntimeSetLoadFailing]) {
    await setUp();
    const got: string[] = [];
    for (const version of [1, 0x6b3343cf, 0xff00001d]) {
      for (const side of ['client', 'server'] as const) {
        const k = initialKeys(version, dcid, side);
        got.push(`${version} ${side} ${hex(k.key)} ${hex(k.iv)} ${hex(k.hp)}`);
      }
    }
    ways.push(got);
  }
  assert.equal(ways[1], ways[0], 'node:crypto');
  assert.equal(ways[2], ways[0], 'native/crypto');
  assert.equal(ways[3], ways[0], 'node:crypto with native/crypto loaded lazily');
  assert.equal(ways[4], ways[0], 'node:crypto, native/crypto failing to load');
  useNativeDigests(null);
});

test.run();
