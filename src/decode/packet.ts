/**
 * A decoded packet: what every later stage (flow table, classifier) reads.
 * Produced by the decoder (src/decode/decode.ts) from one captured or queued frame.
 */
import { u32be } from '../util/bytes.js';
import { macTextCached } from './address-cache.js';

/** IP protocol numbers used by name across the code. */
export const IPPROTO_ICMP = 1;
export const IPPROTO_IGMP = 2;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

/** pcap LINKTYPE_* values that the decoder understands. */
export const enum LinkType {
  Null = 0, // BSD loopback: 4-byte host-order address family
  Ethernet = 1,
  Ppp = 9, // PPP (RFC 1661), with or without the RFC 1662 address and control bytes
  PppHdlc = 50, // PPP in HDLC-like framing (RFC 1662), or Cisco HDLC
  PppEther = 51, // PPPoE (RFC 2516) without its Ethernet header
  Raw = 101, // raw IPv4/IPv6 (LINKTYPE_RAW)
  CiscoHdlc = 104, // Cisco HDLC: address, control, then an EtherType
  Loop = 108, // OpenBSD loopback: 4-byte network-order address family
  LinuxSll = 113,
  Ipv4 = 228,
  Ipv6 = 229,
  LinuxSll2 = 276,
}

/**
 * Where an IP fragment sits in its datagram, so the flow layer can attribute later
 * fragments and put the datagram back together.
 */
export interface FragmentInfo {
  /** IPv4 identification (or IPv6 fragment header id). */
  readonly id: number;
  /** Offset of this fragment's data in bytes. */
  readonly offset: number;
  /** More fragments follow. */
  readonly more: boolean;
  /**
   * The protocol of the datagram's first header after the IP header: the IPv4 protocol
   * field, or the IPv6 Fragment header's Next Header.
   */
  readonly protocol: number;
  /** The fragment's share of the datagram (after the IPv4 header / IPv6 Fragment header); a view into the frame. */
  readonly data: Uint8Array;
  /** Tunnels opened on the way down to this fragment's IP header (0 for the outermost). */
  readonly tunnelDepth: number;
}

/**
 * An IP datagram the flow layer put back together from its fragments, or, when it had to
 * give up on one, the leading part of it that it holds (see src/flow/reassembly.ts).
 * decodeDatagram() turns it into a packet as if it had come in one frame.
 */
export interface ReassembledDatagram {
  readonly ipVersion: 4 | 6;
  readonly srcIp: string;
  readonly dstIp: string;
  /** As FragmentInfo.protocol, from the fragment at offset 0. */
  readonly protocol: number;
  readonly vlanId: number;
  readonly srcMac: string | null;
  readonly dstMac: string | null;
  readonly tunnelDepth: number;
  /** The datagram after its IP header: the whole of it, or the bytes held from offset 0 on. */
  readonly data: Uint8Array;
  readonly complete: boolean;
  /** Fragment frames that went into it, and the sum of their wire lengths. */
  readonly frames: number;
  readonly wireLength: number;
  /** Capture time of the latest of those frames. */
  readonly timestamp: number;
}

export interface DecodedPacket {
  /** Capture timestamp in milliseconds since the epoch (fractional). */
  readonly timestamp: number;
  /** Length of the frame on the wire (layer 2 included), as nDPI counts bytes. */
  readonly wireLength: number;
  /** Innermost 802.1Q VLAN id, 0 when untagged. */
  readonly vlanId: number;
  readonly srcMac: string | null;
  readonly dstMac: string | null;
  readonly ipVersion: 4 | 6;
  /** Canonical text: dotted quad, or RFC 5952 IPv6. */
  readonly srcIp: string;
  readonly dstIp: string;
  /** Transport protocol after IPv6 extension headers. */
  readonly ipProtocol: number;
  /** 0 for protocols without ports. */
  readonly srcPort: number;
  readonly dstPort: number;
  /** TCP flags byte (FIN=1 SYN=2 RST=4 PSH=8 ACK=16), 0 for non-TCP. */
  readonly tcpFlags: number;
  readonly tcpSeq: number;
  readonly tcpAck: number;
  /** Transport payload (may be empty); a view into the frame, not a copy. */
  readonly payload: Uint8Array;
  /** Set when the IP packet is a fragment (first or later). */
  readonly fragment: FragmentInfo | null;
  /**
   * True for a fragment without the transport header (a non-first one, or a first one
   * too short to hold it): ports and payload are not known from the packet itself and
   * must be attributed through the fragment's id.
   */
  readonly laterFragment: boolean;
}

/** Shared by every packet without payload (bare ACKs mostly): a view per packet costs. */
const NO_PAYLOAD = new Uint8Array(0);

/**
 * The decoder's packet: DecodedPacket's fields, with the payload, the MAC addresses and the
 * TCP sequence numbers kept as offsets into the frame's bytes and read only when asked for.
 * Most packets go no further than the flow table, which reads neither, and on txiki.js
 * the view and the text cost about as much as the rest of decoding. The pipeline decodes
 * every frame into one PacketView (decodeFrame): nothing may keep the object past the
 * packet's turn, only values read from it.
 */
export class PacketView implements DecodedPacket {
  timestamp = 0;
  wireLength = 0;
  vlanId = 0;
  ipVersion: 4 | 6 = 4;
  srcIp = '';
  dstIp = '';
  ipProtocol = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  fragment: FragmentInfo | null = null;
  laterFragment = false;
  /** The bytes the offsets below index: the frame, or a capture chunk holding it. */
  bytes: Uint8Array = NO_PAYLOAD;
  payloadStart = 0;
  payloadEnd = 0;
  /** Where the TCP header starts in `bytes`, -1 for other packets. */
  tcpAt = -1;
  /** Where each MAC address starts in `bytes`, -1 when the link layer has none. */
  srcMacAt = -1;
  dstMacAt = -1;
  /** The MAC text once read (undefined: not yet); set directly for a reassembled datagram. */
  srcMacText: string | null | undefined = undefined;
  dstMacText: string | null | undefined = undefined;

  get payload(): Uint8Array {
    return this.payloadEnd > this.payloadStart ? this.bytes.subarray(this.payloadStart, this.payloadEnd) : NO_PAYLOAD;
  }

  get tcpSeq(): number {
    // Read inline (the header was checked whole when decoded): the pipeline asks for
    // every classified packet, and a call costs more than the reads under txiki.js.
    const at = this.tcpAt;
    if (at < 0) return 0;
    const b = this.bytes;
    return ((b[at + 4]! << 24) >>> 0) + ((b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!);
  }

  get tcpAck(): number {
    return this.tcpAt < 0 ? 0 : u32be(this.bytes, this.tcpAt + 8);
  }

  get srcMac(): string | null {
    if (this.srcMacText === undefined) this.srcMacText = this.srcMacAt < 0 ? null : macTextCached(this.bytes, this.srcMacAt);
    return this.srcMacText;
  }

  get dstMac(): string | null {
    if (this.dstMacText === undefined) this.dstMacText = this.dstMacAt < 0 ? null : macTextCached(this.bytes, this.dstMacAt);
    return this.dstMacText;
  }
}

/** Why a frame produced no packet. Counted, never thrown. */
export type DecodeSkip =
  | 'non-ip' // ARP, LLDP, STP…: not an error, just not ours
  | 'malformed' // truncated or inconsistent headers
  | 'unsupported-link'; // a link type we do not decode

