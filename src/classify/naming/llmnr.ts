/** Link-Local Multicast Name Resolution on UDP 5355 (RFC 4795, nDPI 'LLMNR'). */
import { dissector } from '../dissector.js';
import type { DnsMessage } from './dns-message.js';
import { makeDnsFamilyDissector } from './dns-family.js';
import { dnsHostname } from './dns-name.js';

export const LLMNR_PORT = 5355;

/** RFC 4795 §2.1.1: opcode 0, exactly one question; queries carry no answers. */
function plausibleLlmnr(msg: DnsMessage): boolean {
  const h = msg.header;
  if (h.opcode !== 0 || h.qdcount !== 1) return false;
  return h.response || (h.ancount === 0 && h.nscount === 0);
}

export const llmnrDissector = dissector(
  makeDnsFamilyDissector({
    name: 'llmnr',
    protocol: 'LLMNR',
    section: 'llmnr',
    ipProtocols: [17],
    ports: [LLMNR_PORT],
    excludedPorts: [],
    plausible: plausibleLlmnr,
    hostnameOf: dnsHostname,
    acceptShortResponses: false,
    rememberRecordName: false,
    followUpPackets: 2,
  }),
);
