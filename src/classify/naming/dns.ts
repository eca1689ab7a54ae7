/**
 * Unicast DNS on port 53, over UDP and TCP (nDPI 'DNS'). The host name is the question's
 * name, spelled as nDPI spells it; A/AAAA answers teach the hints what each address is
 * called, so later flows to it carry `dns_host_name`.
 */
import { dissector } from '../dissector.js';
import type { DnsMessage } from './dns-message.js';
import { makeDnsFamilyDissector } from './dns-family.js';
import { dnsHostname } from './dns-name.js';
import { MDNS_PORT } from './mdns.js';
import { LLMNR_PORT } from './llmnr.js';

export const DNS_PORT = 53;

/**
 * Real resolvers ask one question at a time (RFC 9619), put no answers in a query, and
 * echo the question in the response.
 */
function plausibleUnicast(msg: DnsMessage): boolean {
  const h = msg.header;
  if (h.response) return h.opcode === 0 ? h.qdcount === 1 : h.qdcount <= 1;
  if (h.opcode !== 0) return true; // NOTIFY/UPDATE carry records by design
  return h.qdcount === 1 && h.ancount === 0 && h.nscount === 0;
}

export const dnsDissector = dissector(
  makeDnsFamilyDissector({
    name: 'dns',
    protocol: 'DNS',
    section: 'dns',
    ipProtocols: [6, 17],
    ports: [DNS_PORT],
    excludedPorts: [MDNS_PORT, LLMNR_PORT],
    plausible: plausibleUnicast,
    hostnameOf: dnsHostname,
    acceptShortResponses: true,
    rememberRecordName: false,
    followUpPackets: 8,
  }),
);
