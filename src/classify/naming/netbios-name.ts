/**
 * NetBIOS names in their "first-level encoding" (RFC 1001 §14.1, RFC 1002 §4.1): each of
 * the 16 name bytes becomes two letters 'A'..'P' (high nibble, low nibble), preceded by the
 * length byte 0x20 and followed by optional scope labels ending in a zero byte.
 */

export interface NetbiosName {
  /** The 16 raw name bytes (15 of name padded with spaces, plus the suffix byte). */
  readonly raw: Uint8Array;
  /** Offset just after the encoded name (and its scope). */
  readonly end: number;
}

const ENCODED_LENGTH = 32;
/** Scope labels may make the whole name at most 255 bytes (as in DNS). */
const MAX_WIRE_LENGTH = 255;

/** Read an encoded name at `offset`; null unless it is well formed and fits. */
export function readNetbiosName(b: Uint8Array, offset: number): NetbiosName | null {
  if (offset + 1 + ENCODED_LENGTH > b.length || b[offset] !== ENCODED_LENGTH) return null;
  const raw = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const hi = b[offset + 1 + 2 * i]! - 0x41;
    const lo = b[offset + 2 + 2 * i]! - 0x41;
    if (hi < 0 || hi > 15 || lo < 0 || lo > 15) return null;
    raw[i] = (hi << 4) | lo;
  }
  // Scope: DNS-style labels up to the terminating zero.
  let pos = offset + 1 + ENCODED_LENGTH;
  for (;;) {
    if (pos >= b.length) return null;
    const len = b[pos]!;
    if (len === 0) return { raw, end: pos + 1 };
    if (len > 63 || pos + 1 + len - offset > MAX_WIRE_LENGTH) return null;
    pos += 1 + len;
  }
}

/**
 * The name as nDPI shows it: printable bytes only (the suffix byte, usually <00>, <1c> or
 * <20>, drops out or is trimmed as a space), trailing spaces cut, lower case.
 */
export function netbiosHostname(name: NetbiosName): string {
  let s = '';
  for (const c of name.raw) {
    if (c < 0x20 || c > 0x7e) continue;
    s += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
  }
  return s.replace(/ +$/, '');
}

/** The 15-character name without padding, and its suffix (service type) byte. */
export function netbiosNameParts(name: NetbiosName): { name: string; suffix: number } {
  let end = 15;
  while (end > 0 && (name.raw[end - 1] === 0x20 || name.raw[end - 1] === 0)) end--;
  let s = '';
  for (let i = 0; i < end; i++) {
    const c = name.raw[i]!;
    s += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : '?';
  }
  return { name: s, suffix: name.raw[15]! };
}
