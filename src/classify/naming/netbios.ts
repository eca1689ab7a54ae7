/**
 * NetBIOS over TCP/IP (RFC 1001/1002), nDPI 'NetBIOS': the name service on UDP 137, the
 * datagram service on UDP 138 and session requests on TCP 139. The host name is the first
 * name in a name-service message, or the source name of a datagram, as nDPI spells it.
 * A datagram that carries SMB (a browser announcement, a mailslot) is nDPI's
 * 'NetBIOS.SMBv1': protocol 'SMBv1' here, with the carrier named in the meta section.
 */
import type { FlowView } from '../../flow/types.js';
import { u16be } from '../../util/bytes.js';
import { dissector, type Detection, type L4Packet, type MetaSection } from '../dissector.js';
import { sourceIp, usesPort } from './endpoints.js';
import { netbiosHostname, netbiosNameParts, readNetbiosName, type NetbiosName } from './netbios-name.js';

const NAME_SERVICE_PORT = 137;
const DATAGRAM_PORT = 138;
const SESSION_PORT = 139;

/** Name-service opcodes, RFC 1002 §4.2.1.1: query, registration, release, WACK, refresh (8 and 9), multi-homed registration. */
const NS_OPCODES = new Set([0, 5, 6, 7, 8, 9, 15]);
/** Resource record types the name service uses: A, NS, NULL, NB, NBSTAT. */
const NS_TYPES = new Set([0x0001, 0x0002, 0x000a, 0x0020, 0x0021]);
const SMB1_MAGIC = [0xff, 0x53, 0x4d, 0x42];

function describeName(name: NetbiosName, service: string): MetaSection {
  const parts = netbiosNameParts(name);
  return { service, name: parts.name, suffix: parts.suffix };
}

/** A name-service message: DNS-like header with at most one record per section, then an encoded name. */
export function parseNameService(p: Uint8Array): NetbiosName | null {
  if (p.length < 12 + 34 + 4) return null;
  const flags = u16be(p, 2);
  if (!NS_OPCODES.has((flags >> 11) & 0x0f) || (flags & 0x0060) !== 0) return null;
  const counts = [u16be(p, 4), u16be(p, 6), u16be(p, 8), u16be(p, 10)];
  if (counts.some((c) => c > 1) || counts.every((c) => c === 0)) return null;
  const name = readNetbiosName(p, 12);
  if (!name || name.end + 4 > p.length) return null;
  if (!NS_TYPES.has(u16be(p, name.end)) || u16be(p, name.end + 2) !== 1) return null;
  return name;
}

export interface Datagram {
  readonly type: number;
  /** Source name (direct/broadcast datagrams) or the queried name (query messages). */
  readonly name: NetbiosName;
  readonly smb: boolean;
}

/** A datagram-service message, RFC 1002 §4.4; `srcIp` is the packet's source address. */
export function parseDatagram(p: Uint8Array, srcIp: string | null): Datagram | null {
  if (p.length < 10) return null;
  const type = p[0]!;
  if (type >= 0x10 && type <= 0x12) {
    if (p.length < 14 || u16be(p, 10) !== p.length - 14) return null;
    // The header repeats the original sender's address; where given, it must agree with the IP header.
    if (srcIp !== null && `${p[4]}.${p[5]}.${p[6]}.${p[7]}` !== srcIp) return null;
    const source = readNetbiosName(p, 14);
    const dest = source ? readNetbiosName(p, source.end) : null;
    if (!source || !dest) return null;
    const smb = SMB1_MAGIC.every((c, i) => p[dest.end + i] === c);
    return { type, name: source, smb };
  }
  if (type >= 0x14 && type <= 0x16) {
    const name = readNetbiosName(p, 10);
    return name && name.end === p.length ? { type, name, smb: false } : null;
  }
  return null;
}

/** TCP session request (RFC 1002 §4.3.2): type 0x81, then the called and calling names. */
export function parseSessionRequest(p: Uint8Array): { called: NetbiosName; calling: NetbiosName } | null {
  if (p.length < 4 + 68 || p[0] !== 0x81 || (p[1]! & 0xfe) !== 0) return null;
  if (((p[1]! & 1) << 16) + u16be(p, 2) !== p.length - 4) return null;
  const called = readNetbiosName(p, 4);
  const calling = called ? readNetbiosName(p, called.end) : null;
  return called && calling && calling.end === p.length ? { called, calling } : null;
}

function claimUdp(pkt: L4Packet, flow: FlowView, out: Detection): boolean {
  if (usesPort(pkt, NAME_SERVICE_PORT)) {
    const name = parseNameService(pkt.payload);
    if (name) {
      out.protocol = 'NetBIOS';
      const host = netbiosHostname(name);
      if (host) out.hostname = host;
      out.meta['netbios'] = describeName(name, 'name');
      return true;
    }
  }
  if (usesPort(pkt, DATAGRAM_PORT)) {
    // The header's source address must match the IP header's, except between two
    // datagram-service ports, where a datagram distributor (NBDD) relays others' datagrams.
    const relayable = pkt.srcPort === DATAGRAM_PORT && pkt.dstPort === DATAGRAM_PORT;
    const src = flow.ipVersion === 4 && !relayable ? sourceIp(flow, pkt) : null;
    const dgm = parseDatagram(pkt.payload, src);
    if (dgm) {
      out.protocol = dgm.smb ? 'SMBv1' : 'NetBIOS';
      const host = netbiosHostname(dgm.name);
      if (host) out.hostname = host;
      out.meta['netbios'] = { ...describeName(dgm.name, 'datagram'), type: dgm.type, ...(dgm.smb ? { carries: 'SMBv1' } : {}) };
      return true;
    }
  }
  return false;
}

export const netbiosDissector = dissector<null>({
  name: 'netbios',
  ipProtocols: [6, 17],
  firstLook: { ports: [NAME_SERVICE_PORT, DATAGRAM_PORT, SESSION_PORT] },
  create: () => null,
  feed(_state, pkt, flow, out) {
    if (flow.ipProtocol === 17) return claimUdp(pkt, flow, out) ? 'done' : 'no';
    if (pkt.dstPort !== SESSION_PORT) return 'no';
    const req = parseSessionRequest(pkt.payload);
    if (!req) return 'no';
    // nDPI names no host for a session; the names stay in the meta section.
    out.protocol = 'NetBIOS';
    out.meta['netbios'] = {
      service: 'session',
      called: netbiosNameParts(req.called).name,
      calling: netbiosNameParts(req.calling).name,
    };
    return 'done';
  },
});
