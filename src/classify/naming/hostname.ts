/**
 * Host names as nDPI records them, so ours compare equal to its `Hostname/SNI`: ASCII
 * lower-cased, tabs made spaces, other unprintable bytes made '?', trailing spaces cut.
 */

/** Normalise raw name bytes (HTTP Host, DHCP option 12, NetBIOS name, …). */
export function normalizeHostBytes(b: Uint8Array, start = 0, end = b.length): string {
  let out = '';
  for (let i = Math.max(0, start); i < Math.min(end, b.length); i++) {
    let c = b[i]!;
    if (c === 0) break; // C strings end at NUL, and so did nDPI's copy
    if (c === 0x09) c = 0x20;
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    out += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return out.replace(/ +$/, '');
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
