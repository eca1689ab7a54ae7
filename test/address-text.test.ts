/**
 * IPv6 text per RFC 5952 §4 (as inet_ntop prints it): lower-case hex without leading
 * zeros, the longest run of two or more zero groups (the first of equals) as `::`, and
 * IPv4-mapped addresses with a dotted tail. Checked against the rule written plainly,
 * over addresses rich in zero runs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ipv6Text } from '../src/net/format.js';

function plain(groups: number[]): string {
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`;
  }
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i >= 2 && j - i > bestLen) [best, bestLen] = [i, j - i];
  }
  const hexes = groups.map((g) => g.toString(16));
  if (best < 0) return hexes.join(':');
  return `${hexes.slice(0, best).join(':')}::${hexes.slice(best + bestLen).join(':')}`;
}

test('IPv6 addresses are written as RFC 5952 says', () => {
  assert.is(ipv6Text(new Uint8Array(16), 0), '::');
  assert.is(ipv6Text(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]), 0), '2001:db8::1:0:0:1');
  let seed = 17;
  const pick = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let i = 0; i < 20000; i++) {
    const groups = Array.from({ length: 8 }, () => (pick(2) ? 0 : pick(3) ? pick(0x10000) : pick(16)));
    if (pick(50) === 0) groups.splice(0, 6, 0, 0, 0, 0, 0, 0xffff);
    const bytes = new Uint8Array(18);
    groups.forEach((g, k) => {
      bytes[1 + 2 * k] = g >> 8;
      bytes[2 + 2 * k] = g & 255;
    });
    assert.is(ipv6Text(bytes, 1), plain(groups), groups.join(','));
  }
});

test.run();
