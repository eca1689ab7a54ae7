/**
 * util/base64.ts: canonical text decodes to the same bytes by an engine decoder (Node's
 * Buffer, as runtime/node.ts installs it) as by the loop, with the padding asked for;
 * anything else is the loop's to refuse, with or without an engine decoder.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromBase64, toBase64, useBase64Decoder } from '../src/util/base64.js';
import { nodeBase64 } from '../src/runtime/node.js';

function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) out[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  return out;
}

const decoders = [
  ['the loop', null],
  ["Node's Buffer", nodeBase64],
] as const;

test('canonical text gives its bytes, then the zero bytes of padding asked for', () => {
  for (const [name, decoder] of decoders) {
    useBase64Decoder(decoder);
    for (let n = 0; n < 70; n++) {
      const b = bytes(n, n + 1);
      const text = toBase64(b);
      assert.is(text, Buffer.from(b).toString('base64'));
      const out = fromBase64(text, 4, 'test');
      assert.equal([...out], [...b, 0, 0, 0, 0], `${name}: ${n} bytes`);
      assert.ok(Object.getPrototypeOf(out) === Uint8Array.prototype, `${name}: a plain Uint8Array`);
    }
  }
  useBase64Decoder(null);
});

test('text that is not canonical base64 is refused, naming what it was', () => {
  for (const [name, decoder] of decoders) {
    useBase64Decoder(decoder);
    assert.throws(() => fromBase64('QUJD*UJD', 0, 'packed networks'), /packed networks: not base64/, name);
    assert.throws(() => fromBase64('QU JD', 0, 'packed networks'), /not base64/, name);
  }
  useBase64Decoder(null);
});

test.run();
