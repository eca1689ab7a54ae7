/** Text forms of DNS names: nDPI's host-name spelling for DNS/LLMNR, readable text for mDNS. */
import { utf8 } from '../../util/bytes.js';
import type { DnsName } from './dns-message.js';

/** Letters, digits, '-' and '_' are kept; nDPI writes '_' for other printable bytes, '?' otherwise. */
function dnsChar(c: number): string {
  if (c >= 0x41 && c <= 0x5a) return String.fromCharCode(c | 0x20);
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f) return String.fromCharCode(c);
  return c >= 0x20 && c <= 0x7e ? '_' : '?';
}

/** `dnsChar` of every byte value, looked up rather than recomputed per character. */
const DNS_CHARS: readonly string[] = Array.from({ length: 256 }, (_, c) => dnsChar(c));

/** A unicast DNS name as nDPI spells it: lower case, odd characters replaced. */
export function dnsHostname(name: DnsName): string {
  let out = '';
  for (let l = 0; l < name.length; l++) {
    if (l > 0) out += '.';
    const label = name[l]!;
    for (let i = 0; i < label.length; i++) out += DNS_CHARS[label[i]!]!;
  }
  return out;
}

/**
 * An mDNS name: service instance names are free UTF-8 text ("Luca’s iMac"), which nDPI
 * keeps, only lower-casing ASCII letters.
 */
export function mdnsHostname(name: DnsName): string {
  let out = '';
  for (let l = 0; l < name.length; l++) {
    if (l > 0) out += '.';
    out += mdnsLabel(name[l]!);
  }
  return out;
}

function mdnsLabel(label: Uint8Array): string {
  let out = '';
  for (let i = 0; i < label.length; i++) {
    const c = label[i]!;
    // Plain ASCII, the usual case, needs no UTF-8 decoding.
    if (c >= 0x80) return utf8(Uint8Array.from(label, (b) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b)));
    out += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c | 0x20 : c);
  }
  return out;
}
