/**
 * util/digest.ts: the engine's own SHA-1/SHA-256/AES-128 (node:crypto here, standing in
 * for txiki.js's tjs:hashing) and the JavaScript fallbacks give the same bytes, and QUIC
 * Initial keys derive to RFC 9001's Appendix A values either way.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv, createHash } from 'node:crypto';
import { aes128Block, aes128Ctr, sha1, sha256, useNativeDigests } from '../src/util/digest.js';
import { initialKeys } from '../src/classify/quic/initial-keys.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const fromHex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s/g, ''), 'hex'));

function nodeCrypto(): void {
  useNativeDigests({
    sha256: (a, b) => createHash('sha256').update(a).update(b).digest(),
    sha1: (d) => createHash('sha1').update(d).digest(),
    aes128Block: (key, block) => createCipheriv('aes-128-ecb', key, null).setAutoPadding(false).update(block),
    aes128Ctr: (key, counter, data, out) => out.set(createCipheriv('aes-128-ctr', key, counter).update(data)),
  });
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
  for (const n of [0, 1, 55, 64, 65, 200]) {
    out.push(hex(sha256(bytes(n, n + 1))), hex(sha256(bytes(n, n + 2), bytes(7, n))), hex(sha1(bytes(n, n + 3))));
  }
  const key = bytes(16, 9);
  out.push(hex(aes128Block(key, bytes(16, 10))));
  for (const n of [16, 33, 640]) {
    const data = bytes(n, n);
    const outBuf = new Uint8Array(n);
    // A counter near a byte carry: the increment must carry the same way in both.
    const counter = fromHex('000102030405060708090a0bffffffff');
    aes128Ctr(key, counter, data, outBuf);
    out.push(hex(outBuf));
  }
  return out;
}

test('native and JavaScript digests and ciphers give the same bytes', () => {
  useNativeDigests(null);
  const js = everything();
  nodeCrypto();
  const native = everything();
  useNativeDigests(null);
  assert.equal(native, js);
});

test('QUIC Initial keys match RFC 9001 Appendix A.1, with and without native digests', () => {
  const dcid = fromHex('8394c8f03e515708');
  for (const setUp of [() => useNativeDigests(null), nodeCrypto]) {
    setUp();
    const k = initialKeys(1, dcid, 'client');
    assert.equal([hex(k.key), hex(k.iv), hex(k.hp)], ['1f369613dd76d5467730efcbe3b1a22d', 'fa044b2f42a3fd3b46fb255c', '9f50449e04a0e810283a1e9933adedd2']);
  }
  useNativeDigests(null);
});

test.run();
