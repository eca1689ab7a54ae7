/**
 * Teredo, IPv6 tunnelled in UDP over IPv4 (RFC 4380), nDPI 'Teredo'. A datagram is an
 * IPv6 packet, optionally preceded by an authentication indicator (§5.1.1: 0x0001, client
 * id length, auth value length, the two values, 8-byte nonce, confirmation byte) and an
 * origin indication (§5.1.1: 0x0000, obfuscated port, obfuscated IPv4 address).
 * The inner IPv6 header must fill the datagram exactly (payload length + 40), and one of
 * its addresses must be a Teredo address (2001:0::/32, §4) or, for the qualification
 * exchange with a server on port 3544 (§5.2.1), link-local (fe80::/10) to a server.
 * Meta `teredo`: { inner_source, inner_destination } (IPv6 text).
 */
import { ipv6Text } from '../../net/format.js';
import { u16be } from '../../util/bytes.js';
import { dissector } from '../dissector.js';

const SERVER_PORT = 3544;
const IPV6_HEADER = 40;
const ORIGIN_INDICATION = 8;

function isTeredoAddress(b: Uint8Array, o: number): boolean {
  return b[o] === 0x20 && b[o + 1] === 0x01 && b[o + 2] === 0 && b[o + 3] === 0;
}

function isLinkLocal(b: Uint8Array, o: number): boolean {
  return b[o] === 0xfe && (b[o + 1]! & 0xc0) === 0x80;
}

/** Offset of the inner IPv6 header after the indicators, or -1. */
function innerOffset(b: Uint8Array): number {
  let o = 0;
  if (b.length >= 13 && b[0] === 0 && b[1] === 1) {
    const idLen = b[2]!;
    const authLen = b[3]!;
    o = 4 + idLen + authLen + 8 + 1;
  }
  if (o + 2 <= b.length && b[o] === 0 && b[o + 1] === 0) o += ORIGIN_INDICATION;
  return o + IPV6_HEADER <= b.length ? o : -1;
}

export interface TeredoPacket {
  readonly source: string;
  readonly destination: string;
}

/** The inner IPv6 packet of a Teredo datagram, or null. `serverPort`: a port is 3544. */
export function parseTeredo(b: Uint8Array, serverPort: boolean): TeredoPacket | null {
  const o = innerOffset(b);
  if (o < 0 || b[o]! >> 4 !== 6) return null;
  if (u16be(b, o + 4) + IPV6_HEADER !== b.length - o) return null;
  const src = o + 8;
  const dst = o + 24;
  const teredo = isTeredoAddress(b, src) || isTeredoAddress(b, dst);
  const qualification = serverPort && (isLinkLocal(b, src) || isLinkLocal(b, dst));
  if (!teredo && !qualification) return null;
  return { source: ipv6Text(b, src), destination: ipv6Text(b, dst) };
}

export const teredoDissector = dissector<null>({
  name: 'teredo',
  ipProtocols: [17],
  create: () => null,
  feed(_state, pkt, flow, out) {
    // Teredo runs over IPv4 only (§2: it gives IPv6 to hosts behind IPv4 NATs).
    if (flow.ipVersion !== 4) return 'no';
    const t = parseTeredo(pkt.payload, pkt.srcPort === SERVER_PORT || pkt.dstPort === SERVER_PORT);
    if (!t) return 'no';
    out.protocol = 'Teredo';
    out.meta['teredo'] = { inner_source: t.source, inner_destination: t.destination };
    return 'done';
  },
});
