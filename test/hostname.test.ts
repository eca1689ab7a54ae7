/**
 * Host-name normalisation (nDPI's spelling): ASCII lower-cased, tabs made spaces, other
 * unprintable bytes '?', cut at a NUL, trailing spaces dropped. The printable-ASCII fast
 * path must spell every name as the character-by-character rule does.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { normalizeHostBytes, normalizeHostText } from '../src/classify/naming/hostname.js';

/** The rule, one character at a time. */
function spelled(codes: readonly number[]): string {
  let out = '';
  for (let c of codes) {
    if (c === 0) break;
    if (c === 0x09) c = 0x20;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    out += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return out.replace(/ +$/, '');
}

test('names from bytes and from text are spelled by the rule, printable or not', () => {
  let seed = 3;
  const pick = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const odd = [0x00, 0x09, 0x0a, 0x1f, 0x20, 0x7e, 0x7f, 0x80, 0xc0, 0xff];
  for (let i = 0; i < 5000; i++) {
    const codes: number[] = [];
    for (let k = 0, n = pick(24); k < n; k++) codes.push(pick(6) === 0 ? odd[pick(odd.length)]! : 0x20 + pick(0x5f));
    if (pick(3) === 0) codes.push(0x20, 0x20);
    const bytes = Uint8Array.from(codes);
    const start = pick(3);
    const end = codes.length - pick(3);
    assert.is(normalizeHostBytes(bytes, start, end), spelled(codes.slice(start, Math.max(start, end))), JSON.stringify(codes));
    assert.is(normalizeHostText(String.fromCharCode(...codes)), spelled(codes), JSON.stringify(codes));
  }
  assert.is(normalizeHostText('WWW.Example.COM  '), 'www.example.com');
  assert.is(normalizeHostBytes(Uint8Array.from([0x41, 0x00, 0x42])), 'a');
});

test.run();
