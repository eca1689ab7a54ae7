/** Decoded packets built by hand, for flow-table and engine specifications. */
import type { DecodedPacket } from '../../src/decode/packet.js';

export interface PacketSpec {
  t: number; // ms
  src: string;
  sport: number;
  dst: string;
  dport: number;
  proto?: number; // default TCP
  flags?: number;
  payload?: Uint8Array;
  len?: number;
  vlan?: number;
  /** `data`: the fragment's share of the datagram (default: the payload); `protocol` defaults to `proto`. */
  fragment?: { id: number; offset: number; more: boolean; data?: Uint8Array; protocol?: number };
}

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const ACK = 0x10;

export function pkt(s: PacketSpec): DecodedPacket {
  const later = !!s.fragment && s.fragment.offset > 0;
  const f = s.fragment;
  const fragment = f
    ? { id: f.id, offset: f.offset, more: f.more, protocol: f.protocol ?? s.proto ?? 6, data: f.data ?? s.payload ?? new Uint8Array(0), tunnelDepth: 0 }
    : null;
  return {
    timestamp: s.t,
    wireLength: s.len ?? 60 + (s.payload?.length ?? 0),
    vlanId: s.vlan ?? 0,
    srcMac: null,
    dstMac: null,
    ipVersion: s.src.includes(':') ? 6 : 4,
    srcIp: s.src,
    dstIp: s.dst,
    ipProtocol: s.proto ?? 6,
    srcPort: later ? 0 : s.sport,
    dstPort: later ? 0 : s.dport,
    tcpFlags: s.flags ?? 0,
    tcpSeq: 0,
    tcpAck: 0,
    payload: later ? new Uint8Array(0) : (s.payload ?? new Uint8Array(0)),
    fragment,
    laterFragment: later,
  };
}
