/**
 * Host names as nDPI records them, so ours compare equal to its `Hostname/SNI`: ASCII
 * lower-cased, tabs made spaces, other unprintable bytes made '?', trailing spaces cut.
 */
import { latin1 } from '../../util/bytes.js';

/** Normalise raw name bytes (HTTP Host, DHCP option 12, NetBIOS name, …). */
export function normalizeHostBytes(b: Uint8Array, start = 0, end = b.length): string {
  const s = Math.max(0, start);
  const e = Math.min(end, b.length);
  // Most names need no change (printable, lower case, no space): then one native copy,
  // not a string per character (~0.3 µs each under txiki.js).
  let plain = s;
  while (plain < e && isPlainHostByte(b[plain]!)) plain++;
  if (plain === e) return latin1(b, s, e);
  let out = '';
  for (let i = s; i < e; i++) {
    let c = b[i]!;
    if (c === 0) break; // C strings end at NUL, and so did nDPI's copy
    if (c === 0x09) c = 0x20;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    out += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return out.replace(/ +$/, '');
}

function isPlainHostByte(c: number): boolean {
  return c > 0x20 && c <= 0x7e && (c < 0x41 || c > 0x5a);
}

/** Same rules for a name already held as text (one char per byte). */
export function normalizeHostText(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c === 0) break;
    if (c === 0x09) c = 0x20;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    out += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return out.replace(/ +$/, '');
}
