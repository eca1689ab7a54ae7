/** Google QUIC's CHLO handshake message: tag/value pairs, of which SNI and UAID matter here. */
import { latin1 } from '../../util/bytes.js';
import { sniText } from '../tls/client-hello.js';

export interface Chlo {
  readonly sni: string | null;
  readonly userAgent: string | null;
}

/** "CHLO", tag count (LE16), 2 pad bytes, then (tag, end offset LE32) pairs and the values. */
export function parseChlo(d: Uint8Array): Chlo | null {
  if (d.length < 8 || d[0] !== 0x43 || d[1] !== 0x48 || d[2] !== 0x4c || d[3] !== 0x4f) return null;
  const count = d[4]! | (d[5]! << 8);
  const valuesStart = 8 + 8 * count;
  let prev = 0;
  let sni: string | null = null;
  let userAgent: string | null = null;
  for (let i = 0; i < count; i++) {
    const t = 8 + 8 * i;
    if (t + 8 > d.length) break;
    const end = (d[t + 4]! | (d[t + 5]! << 8) | (d[t + 6]! << 16) | (d[t + 7]! << 24)) >>> 0;
    if (end < prev || valuesStart + end > d.length) break;
    const tag = latin1(d, t, t + 4);
    if (tag === 'SNI\0') sni = sniText(d, valuesStart + prev, valuesStart + end);
    else if (tag === 'UAID') userAgent = latin1(d, valuesStart + prev, valuesStart + end).replace(/[^\x20-\x7e]/g, '?');
    prev = end;
  }
  return { sni, userAgent };
}
