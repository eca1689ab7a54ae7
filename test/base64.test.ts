/**
 * util/base64.ts: canonical text decodes to the same bytes by the engine's decoder (Node's
 * Buffer here) as by the loop, with the padding asked for; anything else is the loop's to
 * refuse.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromBase64, toBase64 } from '../src/util/base64.js';

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) out[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return out;
}

test('canonical text gives its bytes, then the zero bytes of padding asked for', () => {
  for (let n = 0; n < 70; n++) {
    const b = bytes(n, n + 1);
    const text = toBase64(b);
    assert.is(text, Buffer.from(b).toString('base64'));
    const out = fromBase64(text, 4, 'test');
    assert.equal([...out], [...b, 0, 0, 0, 0], `${n} bytes`);
    assert.ok(Object.getPrototypeOf(out) === Uint8Array.prototype, 'a plain Uint8Array');
  }
});

test('text that is not base64 is refused, naming what it was', () => {
  assert.throws(() => fromBase64('QUJD*UJD', 0, 'packed networks'), /packed networks: not base64/);
  assert.throws(() => fromBase64('QU JD', 0, 'packed networks'), /not base64/);
});

test.run();
