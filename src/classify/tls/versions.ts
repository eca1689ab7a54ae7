/** TLS version numbers and GREASE values, spelled as nDPI spells them. */

/** GREASE (RFC 8701): 0x?a?a with both bytes equal. Clients sprinkle these to keep servers honest. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);
}

/** nDPI's `ndpi_ssl_version2str`. */
export function tlsVersionName(v: number): string {
  switch (v) {
    case 0x0300: return 'SSLv3';
    case 0x0301: return 'TLSv1';
    case 0x0302: return 'TLSv1.1';
    case 0x0303: return 'TLSv1.2';
    case 0x0304: return 'TLSv1.3';
    case 0xfb1a: return 'TLSv1.3 (Fizz)';
    case 0xfeff: return 'DTLSv1.0';
    case 0xfefd: return 'DTLSv1.2';
    case 0xfefc: return 'DTLSv1.3';
    case 0x0002: return 'SSLv2';
  }
  if (isGrease(v)) return 'GREASE';
  if (v >= 0x7f00 && v <= 0x7fff) return 'TLSv1.3 (draft)';
  return `TLS (${hex4(v).slice(2).toUpperCase()})`;
}

/** A 16-bit code as Netify writes it: '0x0303'. */
export function hex4(v: number): string {
  return '0x' + (v & 0xffff).toString(16).padStart(4, '0');
}
