/**
 * Multicast DNS on UDP 5353 (RFC 6762, nDPI 'MDNS'). The host name is the first question's
 * name, or for an announcement the first record's, kept as UTF-8 and lower-cased as nDPI
 * does ("luca’s imac._odisk._tcp.local"). Announced A/AAAA records name their addresses.
 */
import { dissector } from '../dissector.js';
import type { DnsMessage } from './dns-message.js';
import { makeDnsFamilyDissector } from './dns-family.js';
import { mdnsHostname } from './dns-name.js';

export const MDNS_PORT = 5353;

/** mDNS uses standard queries only; a response must announce something. */
function plausibleMdns(msg: DnsMessage): boolean {
  const h = msg.header;
  if (h.opcode !== 0) return false;
  return h.response ? h.ancount + h.arcount > 0 : h.qdcount > 0;
}

export const mdnsDissector = dissector(
  makeDnsFamilyDissector({
    name: 'mdns',
    protocol: 'MDNS',
    section: 'mdns',
    ipProtocols: [17],
    ports: [MDNS_PORT],
    excludedPorts: [],
    plausible: plausibleMdns,
    hostnameOf: mdnsHostname,
    acceptShortResponses: false,
    rememberRecordName: true,
    followUpPackets: 0,
  }),
);
