/**
 * QUIC transport parameters in the ClientHello, read for the one nDPI reports: Google's
 * user agent (0x3129). Since draft-27 (and in T051) parameters are varint type/length
 * pairs; before, a 16-bit list length and 16-bit type/length pairs.
 */
import { latin1, u16be } from '../../util/bytes.js';
import { draftOf, isIetf, T051 } from './versions.js';
import { prefix, varIntPrefixed } from './varint.js';

const GOOGLE_USER_AGENT = 0x3129;

export function usesVarIntParams(version: number): boolean {
  return (isIetf(version) && draftOf(version) >= 27) || version === T051;
}

export function userAgentParam(params: Uint8Array, version: number): string | null {
  if (usesVarIntParams(version)) {
    // Each parameter: its type and length varints, then its value.
    const n = params.length;
    for (let o = 0; o < n; ) {
      const start = varIntPrefixed(params, o, n);
      if (start < 0) return null;
      o = start + prefix.length;
      if (prefix.value === GOOGLE_USER_AGENT) return printable(latin1(params, start, o));
    }
    return null;
  }
  const end = Math.min(params.length, 2 + Math.max(0, u16be(params, 0)));
  for (let o = 2; o + 4 <= end; ) {
    const type = u16be(params, o);
    const len = u16be(params, o + 2);
    if (o + 4 + len > end) return null;
    if (type === GOOGLE_USER_AGENT) return printable(latin1(params, o + 4, o + 4 + len));
    o += 4 + len;
  }
  return null;
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}
