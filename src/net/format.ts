/** Canonical text forms of addresses, identical to what nDPI, tshark and `ip` print. */

import { HEX_BYTE } from '../util/bytes.js';

export function ipv4Text(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** RFC 5952: lower case, leading zeros dropped, the longest run (≥2) of zero groups as `::`. */
export function ipv6Text(b: Uint8Array, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((b[o + i * 2]! << 8) | b[o + i * 2 + 1]!);
  // IPv4-mapped addresses keep their dotted tail, as inet_ntop prints them.
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${ipv4Text(b, o + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  // Built in one pass (no arrays of group texts to join: ~3 µs an address under QuickJS).
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (out.length > 0 && out.charCodeAt(out.length - 1) !== 0x3a /* : */) out += ':';
    out += groups[i]!.toString(16);
  }
  return out;
}


export function macText(b: Uint8Array, o: number): string {
  return `${HEX_BYTE[b[o]!]}:${HEX_BYTE[b[o + 1]!]}:${HEX_BYTE[b[o + 2]!]}:${HEX_BYTE[b[o + 3]!]}:${HEX_BYTE[b[o + 4]!]}:${HEX_BYTE[b[o + 5]!]}`;
}
