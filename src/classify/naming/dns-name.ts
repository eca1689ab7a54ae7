/** Text forms of DNS names: nDPI's host-name spelling for DNS/LLMNR, readable text for mDNS. */
import { utf8 } from '../../util/bytes.js';
import type { DnsName } from './dns-message.js';

/** Letters, digits, '-' and '_' are kept; nDPI writes '_' for other printable bytes, '?' otherwise. */
function dnsChar(c: number): string {
  if (c >= 0x41 && c <= 0x5a) return String.fromCharCode(c | 0x20);
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f) return String.fromCharCode(c);
  return c >= 0x20 && c <= 0x7e ? '_' : '?';
}

/** A unicast DNS name as nDPI spells it: lower case, odd characters replaced. */
export function dnsHostname(name: DnsName): string {
  return name.map((label) => Array.from(label, dnsChar).join('')).join('.');
}

/**
 * An mDNS name: service instance names are free UTF-8 text ("Luca’s iMac"), which nDPI
 * keeps, only lower-casing ASCII letters.
 */
export function mdnsHostname(name: DnsName): string {
  return name
    .map((label) => {
      const lower = Uint8Array.from(label, (c) => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c));
      return utf8(lower);
    })
    .join('.');
}
