/**
 * DHCPv6 (RFC 8415) between UDP 546 (clients) and 547 (servers and relays), nDPI 'DHCPV6'.
 * A known message type and an option list that exactly fills the datagram are conclusive.
 */
import { u16be } from '../../util/bytes.js';
import { dissector } from '../dissector.js';

const PORTS = [546, 547];
const RELAY_FORW = 12;
const RELAY_REPL = 13;
/** Highest message type nDPI accepts (RFC 8415 §7.3: 1 SOLICIT … 13 RELAY-REPL). */
const MAX_TYPE = 13;
const OPTION_CLIENT_ID = 1;
const OPTION_FQDN = 39;

export interface Dhcpv6Message {
  readonly messageType: number;
  readonly options: ReadonlyMap<number, Uint8Array>;
}

export function parseDhcpv6(p: Uint8Array): Dhcpv6Message | null {
  if (p.length < 4) return null;
  const type = p[0]!;
  if (type < 1 || type > MAX_TYPE) return null;
  // Relay messages: type, hop count, link and peer addresses (34 bytes); others: type and transaction id.
  let pos = type === RELAY_FORW || type === RELAY_REPL ? 34 : 4;
  if (pos > p.length) return null;
  const options = new Map<number, Uint8Array>();
  while (pos < p.length) {
    if (pos + 4 > p.length) return null;
    const code = u16be(p, pos);
    const len = u16be(p, pos + 2);
    if (code === 0 || pos + 4 + len > p.length) return null;
    if (!options.has(code)) options.set(code, p.subarray(pos + 4, pos + 4 + len));
    pos += 4 + len;
  }
  return { messageType: type, options };
}

/** Client FQDN option (RFC 4704): flags byte, then a DNS-encoded name (possibly partial). */
function fqdnOf(v: Uint8Array): string | null {
  const labels: string[] = [];
  for (let i = 1; i < v.length; ) {
    const len = v[i]!;
    if (len === 0 || len > 63 || i + 1 + len > v.length) break;
    labels.push(String.fromCharCode(...v.subarray(i + 1, i + 1 + len)).toLowerCase());
    i += 1 + len;
  }
  return labels.length ? labels.join('.') : null;
}

export const dhcpv6Dissector = dissector<null>({
  name: 'dhcpv6',
  ipProtocols: [17],
  firstLook: { ports: PORTS },
  create: () => null,
  feed(_state, pkt, _flow, out) {
    if (!PORTS.includes(pkt.srcPort) || !PORTS.includes(pkt.dstPort)) return 'no';
    const msg = parseDhcpv6(pkt.payload);
    if (!msg) return 'no';
    out.protocol = 'DHCPV6';
    const meta: { [k: string]: string | number } = { message_type: msg.messageType };
    const clientId = msg.options.get(OPTION_CLIENT_ID);
    if (clientId) meta['client_duid'] = Array.from(clientId, (b) => b.toString(16).padStart(2, '0')).join('');
    const fqdn = msg.options.get(OPTION_FQDN);
    const name = fqdn ? fqdnOf(fqdn) : null;
    if (name) meta['fqdn'] = name;
    out.meta['dhcpv6'] = meta;
    return 'done';
  },
});
