/** Text forms of DNS names: nDPI's host-name spelling for DNS/LLMNR, readable text for mDNS. */
import { utf8 } from '../../util/bytes.js';
import type { DnsName } from './dns-message.js';

/** Letters, digits, '-' and '_' are kept; nDPI writes '_' for other printable bytes, '?' otherwise. */
function dnsCode(c: number): number {
  if (c >= 0x41 && c <= 0x5a) return c | 0x20;
  if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f) return c;
  return c >= 0x20 && c <= 0x7e ? 0x5f : 0x3f;
}

/** `dnsCode` of every byte value, looked up rather than recomputed per character. */
const DNS_CODES = Uint8Array.from({ length: 256 }, (_, c) => dnsCode(c));

/**
 * A name's text is built here and made a string at once: under QuickJS, adding to a string
 * a character at a time makes a new string per character. A name's text is at most 254
 * characters (readName caps the wire form at 255 bytes).
 */
const scratch = new Uint8Array(256);

function text(n: number): string {
  return String.fromCharCode.apply(null, scratch.subarray(0, n) as unknown as number[]);
}

/** A unicast DNS name as nDPI spells it: lower case, odd characters replaced. */
export function dnsHostname(name: DnsName): string {
  const { msg, labels } = name;
  let n = 0;
  for (let l = 0; l < labels.length; l++) {
    if (l > 0) scratch[n++] = 0x2e;
    const at = labels[l]! + 1;
    const end = at + msg[at - 1]!;
    for (let i = at; i < end; i++) scratch[n++] = DNS_CODES[msg[i]!]!;
  }
  return text(n);
}

/**
 * An mDNS name: service instance names are free UTF-8 text ("Luca’s iMac"), which nDPI
 * keeps, only lower-casing ASCII letters.
 */
export function mdnsHostname(name: DnsName): string {
  const { msg, labels } = name;
  let out = '';
  let n = 0;
  for (let l = 0; l < labels.length; l++) {
    if (l > 0) scratch[n++] = 0x2e;
    const at = labels[l]! + 1;
    const end = at + msg[at - 1]!;
    const from = n;
    let ascii = true;
    for (let i = at; i < end; i++) {
      const c = msg[i]!;
      if (c >= 0x80) ascii = false;
      scratch[n++] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    }
    // Plain ASCII, the usual case, needs no UTF-8 decoding.
    if (!ascii) {
      out += text(from) + utf8(scratch, from, n);
      n = 0;
    }
  }
  return out + text(n);
}
