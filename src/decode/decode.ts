/**
 * Frame → DecodedPacket: link layer (Ethernet with 802.1Q/QinQ, PPPoE and MPLS; PPP,
 * PPP in HDLC-like framing, PPPoE without Ethernet and Cisco HDLC; Linux cooked
 * SLL/SLL2, raw IP, BSD/OpenBSD loopback), IPv4 with options and fragments, IPv6 with
 * extension headers, TCP/UDP/ICMP, and tunnels: GTP-U, IPv4/IPv6 in IPv4/IPv6 (the
 * inner packet is the flow, as nDPI keys it). Every length is checked against the bytes
 * present: a damaged frame yields a 'malformed' result with the reason, never an
 * exception. Fragments are described, not reassembled (that needs state: see
 * src/flow/reassembly.ts); decodeDatagram() decodes what reassembly gives back.
 *
 * Longer than the house's ~450 lines on purpose: it is one table of header layouts, each
 * a few checked reads, and splitting the layers apart would put the hot path behind calls.
 */
import { ipv4Slotted, ipv4TextCached, ipv6TextCached } from './address-cache.js';
import { IPPROTO_TCP, IPPROTO_UDP, LinkType, PacketView, type FragmentInfo, type ReassembledDatagram } from './packet.js';

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;
const ETH_PPPOE_SESSION = 0x8864;
const ETH_MPLS = 0x8847;
const ETH_MPLS_MC = 0x8848;

/** PPP protocol numbers (RFC 1332, RFC 5072). */
const PPP_IPV4 = 0x0021;
const PPP_IPV6 = 0x0057;
/** IP protocol numbers of IP-in-IP encapsulation: IPv4 (RFC 2003), IPv6 (RFC 4213 6in4, RFC 2473). */
const IPPROTO_IPIP = 4;
const IPPROTO_IPV6 = 41;

const GTP_U_PORT = 2152;
/** Tunnels nest at most this deep; a deeper one is left closed, its carrier is the flow (loop guard). */
const MAX_TUNNEL_DEPTH = 2;

type Fail = { readonly ok: false; readonly skip: 'non-ip' | 'malformed' | 'unsupported-link'; readonly reason: string };

/** A decoded packet, or why there is none. */
export type DecodeOutcome = PacketView | Fail;

/** Whether decoding gave no packet. */
export function decodeFailed(r: DecodeOutcome): r is Fail {
  return (r as { readonly ok?: boolean }).ok === false;
}

const malformed = (reason: string): Fail => ({ ok: false, skip: 'malformed', reason });
const nonIp = (reason: string): Fail => ({ ok: false, skip: 'non-ip', reason });

/**
 * One captured or queued frame → its packet, or why there is none. The frame is
 * `bytes[start, end)`; the packet is a new object each call (see decodeFrame for the
 * pipeline's reused one).
 */
export function decodePacket(linkType: number, data: Uint8Array, timestamp: number, wireLength: number): DecodeOutcome {
  return decodeFrame(new PacketView(), linkType, data, 0, data.length, timestamp, wireLength);
}

/**
 * The frame `bytes[start, end)` decoded into `p` (every field rewritten), which is returned;
 * or why there is no packet. Filling one object per pipeline instead of allocating one per
 * frame, and indexing the capture chunk instead of a view per frame, is a large share of
 * decoding's cost on txiki.js.
 */
export function decodeFrame(
  p: PacketView,
  linkType: number,
  bytes: Uint8Array,
  start: number,
  end: number,
  timestamp: number,
  wireLength: number,
): DecodeOutcome {
  p.timestamp = timestamp;
  p.wireLength = wireLength;
  p.bytes = bytes;
  p.vlanId = 0;
  p.srcMacText = undefined;
  p.dstMacText = undefined;
  // The fast path's locals are `var`s, not `let`/`const`: QuickJS checks a lexical
  // variable's initialisation at every read (an opcode of its own, without the short
  // forms), which made this path about a tenth slower under txiki.js.
  var d = bytes;
  var off = start;
  // Ethernet carrying IPv4 without options, untagged and unfragmented, with TCP or UDP:
  // most frames. The general path below, written out in one function: on txiki.js its
  // seven nested calls per frame cost more than the reads themselves.
  if (linkType === LinkType.Ethernet && end >= off + 34 && d[off + 14] === 0x45 && d[off + 12] === 0x08 && d[off + 13] === 0x00) {
    var ip = off + 14;
    var total = (d[ip + 2]! << 8) | d[ip + 3]!;
    var proto = d[ip + 9]!;
    // Total 0 (TSO) and lengths below the header take the general path, as do fragments.
    if (total >= 20 && (d[ip + 6]! & 0x3f) === 0 && d[ip + 7] === 0 && (proto === IPPROTO_TCP || proto === IPPROTO_UDP)) {
      var ipEnd = ip + total > end ? end : ip + total;
      var t = ip + 20;
      // Used only when the ports are inside the datagram (payloadStart is set).
      var srcPort = (d[t]! << 8) | d[t + 1]!;
      var dstPort = (d[t + 2]! << 8) | d[t + 3]!;
      // What differs between TCP and UDP; payloadStart stays -1 when the general path must see it.
      var payloadStart = -1;
      var payloadEnd = ipEnd;
      var tcpFlags = 0;
      var tcpAt = -1;
      if (proto === IPPROTO_TCP) {
        var dataOff = ipEnd >= t + 20 ? (d[t + 12]! >> 4) * 4 : 0;
        if (dataOff >= 20 && ipEnd >= t + dataOff) {
          tcpFlags = d[t + 13]!;
          tcpAt = t;
          payloadStart = t + dataOff;
        }
      } else if (ipEnd >= t + 8 && srcPort !== GTP_U_PORT && dstPort !== GTP_U_PORT) {
        var udpLen = (d[t + 4]! << 8) | d[t + 5]!;
        payloadStart = t + 8;
        if (udpLen >= 8 && t + udpLen < ipEnd) payloadEnd = t + udpLen;
      }
      if (payloadStart >= 0) {
        p.dstMacAt = off;
        p.srcMacAt = off + 6;
        p.ipVersion = 4;
        // The previous frame's two addresses first, either way round: most frames continue
        // its flow. (ipv4TextCached's pair, written out here: its two calls per frame cost
        // more than the comparisons under txiki.js.)
        var srcWord = (d[ip + 12]! << 24) | (d[ip + 13]! << 16) | (d[ip + 14]! << 8) | d[ip + 15]!;
        var dstWord = (d[ip + 16]! << 24) | (d[ip + 17]! << 16) | (d[ip + 18]! << 8) | d[ip + 19]!;
        var srcText: string;
        var dstText: string;
        if (srcWord === lastSrcWord && dstWord === lastDstWord) {
          srcText = lastSrcText;
          dstText = lastDstText;
        } else if (srcWord === lastDstWord && dstWord === lastSrcWord) {
          srcText = lastDstText;
          dstText = lastSrcText;
        } else {
          srcText = srcWord === lastSrcWord ? lastSrcText : srcWord === lastDstWord ? lastDstText : ipv4Slotted(d, ip + 12, srcWord);
          dstText = dstWord === lastDstWord ? lastDstText : dstWord === lastSrcWord ? lastSrcText : ipv4Slotted(d, ip + 16, dstWord);
        }
        lastSrcWord = srcWord;
        lastSrcText = srcText;
        lastDstWord = dstWord;
        lastDstText = dstText;
        p.srcIp = srcText;
        p.dstIp = dstText;
        p.ipProtocol = proto;
        p.srcPort = srcPort;
        p.dstPort = dstPort;
        p.tcpFlags = tcpFlags;
        p.tcpAt = tcpAt;
        p.payloadStart = payloadStart;
        p.payloadEnd = payloadEnd;
        p.fragment = null;
        p.laterFragment = false;
        return p;
      }
    }
  }
  // The other link layers say where their MACs are, if anywhere.
  p.srcMacAt = -1;
  p.dstMacAt = -1;
  switch (linkType) {
    case LinkType.Ethernet:
      return decodeEthernet(d, off, end, p);
    case LinkType.Raw:
    case 12: // DLT_RAW on OpenBSD
    case 14: // DLT_RAW on BSD/OS
      return decodeIpGuess(d, off, end, p);
    case LinkType.Ipv4:
      return decodeIpv4(d, off, end, p, 0);
    case LinkType.Ipv6:
      return decodeIpv6(d, off, end, p, 0);
    case LinkType.Null:
    case LinkType.Loop: {
      if (end < off + 4) return malformed('loopback header truncated');
      // DLT_NULL is in the capturing host's byte order; accept either.
      const be = u32(d, off);
      const le = (d[off]! | (d[off + 1]! << 8) | (d[off + 2]! << 16) | (d[off + 3]! << 24)) >>> 0;
      let af = linkType === LinkType.Loop ? be : le;
      if (af > 0xffff) af = be;
      if (af === 2) return decodeIpv4(d, off + 4, end, p, 0);
      if (af === 10 || af === 24 || af === 28 || af === 30) return decodeIpv6(d, off + 4, end, p, 0);
      return nonIp(`loopback address family ${af}`);
    }
    case LinkType.LinuxSll: {
      if (end < off + 16) return malformed('SLL header truncated');
      const hatype = (d[off + 2]! << 8) | d[off + 3]!;
      const alen = (d[off + 4]! << 8) | d[off + 5]!;
      if (hatype === 1 && alen === 6) p.srcMacAt = off + 6;
      return decodeEtherType((d[off + 14]! << 8) | d[off + 15]!, d, off + 16, end, p);
    }
    case LinkType.LinuxSll2: {
      if (end < off + 20) return malformed('SLL2 header truncated');
      const hatype = (d[off + 8]! << 8) | d[off + 9]!;
      const alen = d[off + 11]!;
      if (hatype === 1 && alen === 6) p.srcMacAt = off + 12;
      return decodeEtherType((d[off]! << 8) | d[off + 1]!, d, off + 20, end, p);
    }
    case LinkType.Ppp:
      return decodeHdlcPpp(d, off, end, p);
    case LinkType.PppHdlc:
      // LINKTYPE_PPP_HDLC also holds Cisco HDLC frames, told apart by the address byte.
      if (end > off && (d[off] === CHDLC_UNICAST || d[off] === CHDLC_BROADCAST)) return decodeCiscoHdlc(d, off, end, p);
      return decodeHdlcPpp(d, off, end, p);
    case LinkType.CiscoHdlc:
      return decodeCiscoHdlc(d, off, end, p);
    case LinkType.PppEther: {
      // A PPPoE header without the Ethernet one: its code tells session data (0) from discovery.
      if (end < off + 6) return malformed('PPPoE header truncated');
      if (d[off + 1] !== 0) return nonIp(`PPPoE discovery code 0x${d[off + 1]!.toString(16).padStart(2, '0')}`);
      return decodePpp(d, off + 6, end, p);
    }
    default:
      return { ok: false, skip: 'unsupported-link', reason: `link type ${linkType}` };
  }
}

/**
 * The fast path's last addresses (as 32-bit words, and their text). They start as 0.0.0.0,
 * whose word is 0, so the pair is always true to itself.
 */
let lastSrcWord = 0;
let lastSrcText = '0.0.0.0';
let lastDstWord = 0;
let lastDstText = '0.0.0.0';

// Two-byte fields are read inline throughout (no u16 helper): a call per field cost more
// than the reads under txiki.js, which tunnelled and IPv6 frames pay several times over.

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function decodeEthernet(d: Uint8Array, off: number, end: number, p: PacketView): DecodeOutcome {
  if (end < off + 14) return malformed('Ethernet header truncated');
  p.dstMacAt = off;
  p.srcMacAt = off + 6;
  return decodeEtherType((d[off + 12]! << 8) | d[off + 13]!, d, off + 14, end, p);
}

function decodeEtherType(type: number, d: Uint8Array, off: number, end: number, p: PacketView): DecodeOutcome {
  // VLAN tags stack (QinQ); the innermost id is the one flows are keyed by.
  for (var tags = 0; type === ETH_VLAN || type === ETH_QINQ || type === ETH_QINQ_OLD; tags++) {
    if (tags > 8) return malformed('too many VLAN tags');
    if (end < off + 4) return malformed('VLAN tag truncated');
    p.vlanId = ((d[off]! << 8) | d[off + 1]!) & 0x0fff;
    type = (d[off + 2]! << 8) | d[off + 3]!;
    off += 4;
  }
  switch (type) {
    case ETH_IPV4:
      return decodeIpv4(d, off, end, p, 0);
    case ETH_IPV6:
      return decodeIpv6(d, off, end, p, 0);
    case ETH_PPPOE_SESSION: {
      // RFC 2516 §4: version/type, code, session id, length, then the PPP Protocol field.
      // The two-octet IP values are read here rather than in decodePpp(): sending every
      // PPPoE frame through that call measurably slowed the whole Ethernet path (V8 inlining).
      if (end < off + 6) return malformed('PPPoE header truncated');
      var ppp = end >= off + 8 ? ((d[off + 6]! << 8) | d[off + 7]!) : -1;
      if (ppp === PPP_IPV4) return decodeIpv4(d, off + 8, end, p, 0);
      if (ppp === PPP_IPV6) return decodeIpv6(d, off + 8, end, p, 0);
      return decodePpp(d, off + 6, end, p);
    }
    case ETH_MPLS:
    case ETH_MPLS_MC: {
      for (var labels = 0; ; labels++) {
        if (labels > 16) return malformed('MPLS label stack too deep');
        if (end < off + 4) return malformed('MPLS label truncated');
        var bottom = (d[off + 2]! & 1) === 1;
        off += 4;
        if (bottom) break;
      }
      return decodeIpGuess(d, off, end, p);
    }
    default:
      return nonIp(`EtherType 0x${type.toString(16).padStart(4, '0')}`);
  }
}

/**
 * A PPP packet from its Protocol field on (RFC 1661 §2). The field is one octet when
 * Protocol-Field-Compression (§6.5) dropped a leading zero octet: values are assigned with
 * the first octet even and the last odd, so an odd first octet is a whole field. PPPoE
 * may negotiate it (RFC 2516 §7 forbids only ACFC, FCS alternatives and ACCM).
 */
function decodePpp(d: Uint8Array, off: number, end: number, p: PacketView): DecodeOutcome {
  if (end <= off) return malformed('PPP protocol field truncated');
  var proto = d[off]!;
  if ((proto & 1) === 0) {
    if (end < off + 2) return malformed('PPP protocol field truncated');
    proto = (proto << 8) | d[off + 1]!;
    off += 2;
  } else off += 1;
  if (proto === PPP_IPV4) return decodeIpv4(d, off, end, p, 0);
  if (proto === PPP_IPV6) return decodeIpv6(d, off, end, p, 0);
  return nonIp(`PPP protocol 0x${proto.toString(16).padStart(4, '0')}`);
}

/** RFC 1662 §3.1: the All-Stations address and the Unnumbered Information control byte. */
const HDLC_ALL_STATIONS = 0xff;
const HDLC_UI = 0x03;

/**
 * LINKTYPE_PPP / LINKTYPE_PPP_HDLC: the RFC 1662 address and control bytes (0xff 0x03),
 * unless Address-and-Control-Field-Compression (RFC 1661 §6.6) left them out — a Protocol
 * field never starts with 0xff — then the Protocol field. The capture holds the frame
 * without byte stuffing or FCS (pcap-linktype(7)).
 */
function decodeHdlcPpp(d: Uint8Array, off: number, end: number, p: PacketView): DecodeOutcome {
  const framed = end >= off + 2 && d[off] === HDLC_ALL_STATIONS && d[off + 1] === HDLC_UI;
  return decodePpp(d, framed ? off + 2 : off, end, p);
}

/** Cisco HDLC (RFC 1547 §4.3.1): address 0x0f or 0x8f, control 0, then an EtherType. */
const CHDLC_UNICAST = 0x0f;
const CHDLC_BROADCAST = 0x8f;

function decodeCiscoHdlc(d: Uint8Array, off: number, end: number, p: PacketView): DecodeOutcome {
  if (end < off + 4) return malformed('Cisco HDLC header truncated');
  return decodeEtherType((d[off + 2]! << 8) | d[off + 3]!, d, off + 4, end, p);
}

function decodeIpGuess(d: Uint8Array, off: number, end: number, p: PacketView): DecodeOutcome {
  if (end <= off) return malformed('IP header missing');
  var v = d[off]! >> 4;
  if (v === 4) return decodeIpv4(d, off, end, p, 0);
  if (v === 6) return decodeIpv6(d, off, end, p, 0);
  return nonIp(`IP version ${v}`);
}

/** The IP packet `d[off, frameEnd)`: its header, then the transport within the IP length. */
function decodeIpv4(d: Uint8Array, off: number, frameEnd: number, p: PacketView, depth: number): DecodeOutcome {
  if (frameEnd < off + 20) return malformed('IPv4 header truncated');
  if (d[off]! >> 4 !== 4) return malformed(`IPv4 header has version ${d[off]! >> 4}`);
  var ihl = (d[off]! & 0x0f) * 4;
  if (ihl < 20) return malformed(`IPv4 header length ${ihl}`);
  if (frameEnd < off + ihl) return malformed('IPv4 options truncated');
  var total = (d[off + 2]! << 8) | d[off + 3]!;
  // Captured on a host that offloads segmentation (TSO/GSO), a packet has total length 0
  // until the NIC fills it in: it then runs to the end of the frame (as Wireshark's
  // ip.tso_support reads it). Any other length below the header is damage.
  if (total < ihl && total !== 0) return malformed(`IPv4 total length ${total} below header length`);
  // A snapped capture holds less than `total`; Ethernet padding can add more. Trust neither.
  var end = total === 0 || off + total > frameEnd ? frameEnd : off + total;
  var flagsFrag = (d[off + 6]! << 8) | d[off + 7]!;
  var fragOffset = (flagsFrag & 0x1fff) * 8;
  var more = (flagsFrag & 0x2000) !== 0;
  var proto = d[off + 9]!;
  var fragment: FragmentInfo | null =
    more || fragOffset > 0
      ? { id: (d[off + 4]! << 8) | d[off + 5]!, offset: fragOffset, more, protocol: proto, data: d.subarray(off + ihl, end), tunnelDepth: depth }
      : null;
  return decodeTransport(d, off + ihl, end, proto, 4, ipv4TextCached(d, off + 12), ipv4TextCached(d, off + 16), fragment, p, depth);
}

const EXT_HOP_BY_HOP = 0;
const EXT_ROUTING = 43;
const EXT_FRAGMENT = 44;
const EXT_AH = 51;
const EXT_DEST_OPTS = 60;
const EXT_MOBILITY = 135;

function decodeIpv6(d: Uint8Array, off: number, frameEnd: number, p: PacketView, depth: number): DecodeOutcome {
  if (frameEnd < off + 40) return malformed('IPv6 header truncated');
  if (d[off]! >> 4 !== 6) return malformed(`IPv6 header has version ${d[off]! >> 4}`);
  var payloadLen = (d[off + 4]! << 8) | d[off + 5]!;
  // Jumbograms (payload length 0 with a hop-by-hop option) take the rest of the frame.
  var end = payloadLen === 0 || off + 40 + payloadLen > frameEnd ? frameEnd : off + 40 + payloadLen;
  return decodeIpv6Headers(d, off + 40, end, d[off + 6]!, ipv6TextCached(d, off + 8), ipv6TextCached(d, off + 24), p, depth);
}

/** The IPv6 extension header chain from `at` (header type `next`) on, then the transport. */
function decodeIpv6Headers(
  d: Uint8Array,
  at: number,
  end: number,
  next: number,
  srcIp: string,
  dstIp: string,
  p: PacketView,
  depth: number,
): DecodeOutcome {
  var fragment: FragmentInfo | null = null;
  for (var hops = 0; ; hops++) {
    if (hops > 16) return malformed('IPv6 extension header chain too long');
    if (next === EXT_HOP_BY_HOP || next === EXT_ROUTING || next === EXT_DEST_OPTS || next === EXT_MOBILITY) {
      if (end < at + 8) return malformed('IPv6 extension header truncated');
      var len = (d[at + 1]! + 1) * 8;
      next = d[at]!;
      at += len;
    } else if (next === EXT_AH) {
      if (end < at + 8) return malformed('IPv6 AH header truncated');
      var len = (d[at + 1]! + 2) * 4;
      next = d[at]!;
      at += len;
    } else if (next === EXT_FRAGMENT) {
      if (end < at + 8) return malformed('IPv6 fragment header truncated');
      var fo = (d[at + 2]! << 8) | d[at + 3]!;
      var offset = fo & 0xfff8;
      var more = (fo & 1) === 1;
      next = d[at]!;
      // An atomic fragment (offset 0, no more) is a whole packet (RFC 6946).
      if (more || offset > 0) fragment = { id: u32(d, at + 4), offset, more, protocol: next, data: d.subarray(at + 8, end), tunnelDepth: depth };
      at += 8;
      // After a later fragment's header comes the middle of the datagram, not headers.
      if (offset > 0) break;
    } else break;
    if (at > end) return malformed('IPv6 extension header overruns the packet');
  }
  return decodeTransport(d, at, end, next, 6, srcIp, dstIp, fragment, p, depth);
}

/** The transport header at `d[off]` of an IP packet ending at `end`, into `p`. */
function decodeTransport(
  d: Uint8Array,
  off: number,
  end: number,
  proto: number,
  ipVersion: 4 | 6,
  srcIp: string,
  dstIp: string,
  fragment: FragmentInfo | null,
  p: PacketView,
  depth: number,
): DecodeOutcome {
  // Later fragments carry no transport header: the flow layer attributes them by id. So
  // does a first fragment too short to hold it (RFC 1858's tiny fragments): reassembly
  // still puts its datagram together; its payload is the fragment's data (a view into `d`).
  if (fragment !== null && (fragment.offset > 0 || !holdsTransportHeader(d, off, end, proto))) {
    var at = fragment.data.byteOffset - d.byteOffset;
    return packetResult(p, ipVersion, srcIp, dstIp, proto, 0, 0, 0, -1, at, at + fragment.data.length, fragment, true);
  }
  if (proto === IPPROTO_TCP) {
    if (end < off + 20) return malformed('TCP header truncated');
    var dataOff = (d[off + 12]! >> 4) * 4;
    if (dataOff < 20) return malformed(`TCP data offset ${dataOff}`);
    if (end < off + dataOff) return malformed('TCP options truncated');
    return packetResult(p, ipVersion, srcIp, dstIp, proto, (d[off]! << 8) | d[off + 1]!, (d[off + 2]! << 8) | d[off + 3]!, d[off + 13]!, off, off + dataOff, end, fragment, false);
  }
  if (proto === IPPROTO_UDP) {
    if (end < off + 8) return malformed('UDP header truncated');
    var srcPort = (d[off]! << 8) | d[off + 1]!;
    var dstPort = (d[off + 2]! << 8) | d[off + 3]!;
    var udpLen = (d[off + 4]! << 8) | d[off + 5]!;
    // A fragmented datagram's length covers all fragments; otherwise it bounds the payload.
    var payloadEnd = !fragment && udpLen >= 8 && off + udpLen < end ? off + udpLen : end;
    // A fragment's tunnel is opened once reassembly has the whole datagram.
    if ((srcPort === GTP_U_PORT || dstPort === GTP_U_PORT) && fragment === null && depth < MAX_TUNNEL_DEPTH) {
      var gtpInner = decodeGtpU(d, off + 8, payloadEnd, p, depth + 1);
      if (gtpInner) return gtpInner;
    }
    return packetResult(p, ipVersion, srcIp, dstIp, proto, srcPort, dstPort, 0, -1, off + 8, payloadEnd, fragment, false);
  }
  var from = off < end ? off : end;
  if ((proto === IPPROTO_IPIP || proto === IPPROTO_IPV6) && fragment === null && depth < MAX_TUNNEL_DEPTH) {
    var inner = proto === IPPROTO_IPIP ? decodeIpv4(d, from, end, p, depth + 1) : decodeIpv6(d, from, end, p, depth + 1);
    // One that does not decode leaves its carrier as the packet.
    if (!decodeFailed(inner)) return inner;
  }
  // ICMP, ICMPv6, IGMP, GRE, ESP…: flows without ports, keyed by addresses alone.
  return packetResult(p, ipVersion, srcIp, dstIp, proto, 0, 0, 0, -1, from, end, fragment, false);
}

/** Whether a first fragment holds its whole TCP or UDP header. */
function holdsTransportHeader(d: Uint8Array, off: number, end: number, proto: number): boolean {
  if (proto === IPPROTO_TCP) return end >= off + 20 && end >= off + (d[off + 12]! >> 4) * 4;
  if (proto === IPPROTO_UDP) return end >= off + 8;
  return true;
}

/**
 * A datagram put back together by the flow layer, decoded as if it had come in one frame:
 * its IPv6 extension headers and transport header are read from its bytes, and a tunnel
 * in it is opened. An incomplete one (`complete` false) decodes from the bytes held.
 * A new packet object: reassembly hands datagrams out while the pipeline's own is in use.
 */
export function decodeDatagram(dg: ReassembledDatagram): DecodeOutcome {
  const p = new PacketView();
  p.timestamp = dg.timestamp;
  p.wireLength = dg.wireLength;
  p.vlanId = dg.vlanId;
  p.srcMacText = dg.srcMac;
  p.dstMacText = dg.dstMac;
  const d = dg.data;
  p.bytes = d;
  if (dg.ipVersion === 6) return decodeIpv6Headers(d, 0, d.length, dg.protocol, dg.srcIp, dg.dstIp, p, dg.tunnelDepth);
  return decodeTransport(d, 0, d.length, dg.protocol, 4, dg.srcIp, dg.dstIp, null, p, dg.tunnelDepth);
}

/**
 * The layers above the link, written into `p` in one place once the packet has decoded
 * (a tunnel's inner packet that fails leaves them to its carrier); the payload is
 * `p.bytes[payloadStart, payloadEnd)`, the TCP header (-1: none) at `p.bytes[tcpAt]`.
 */
function packetResult(
  p: PacketView,
  ipVersion: 4 | 6,
  srcIp: string,
  dstIp: string,
  proto: number,
  srcPort: number,
  dstPort: number,
  tcpFlags: number,
  tcpAt: number,
  payloadStart: number,
  payloadEnd: number,
  fragment: FragmentInfo | null,
  laterFragment: boolean,
): PacketView {
  p.ipVersion = ipVersion;
  p.srcIp = srcIp;
  p.dstIp = dstIp;
  p.ipProtocol = proto;
  p.srcPort = srcPort;
  p.dstPort = dstPort;
  p.tcpFlags = tcpFlags;
  p.tcpAt = tcpAt;
  p.payloadStart = payloadStart;
  p.payloadEnd = payloadEnd;
  p.fragment = fragment;
  p.laterFragment = laterFragment;
  return p;
}

/**
 * GTPv1-U G-PDU (3GPP TS 29.281) at `d[off, end)`: the user's IP packet inside. Null when
 * the payload is not a G-PDU carrying IP, so the outer UDP flow is kept as it is.
 */
function decodeGtpU(d: Uint8Array, off: number, end: number, p: PacketView, depth: number): PacketView | null {
  var g = off;
  if (end - g < 8 || d[g]! >> 5 !== 1 || (d[g]! & 0x10) === 0 || d[g + 1] !== 0xff) return null;
  var at = g + 8;
  if (d[g]! & 0x07) {
    if (end - g < 12) return null;
    var nextExt = d[g + 11]!;
    at = g + 12;
    for (var i = 0; nextExt !== 0 && i < 8; i++) {
      if (end < at + 1) return null;
      var len = d[at]! * 4;
      if (len === 0 || end < at + len) return null;
      nextExt = d[at + len - 1]!;
      at += len;
    }
  }
  if (end <= at) return null;
  var v = d[at]! >> 4;
  var r = v === 4 ? decodeIpv4(d, at, end, p, depth) : v === 6 ? decodeIpv6(d, at, end, p, depth) : null;
  return r && !decodeFailed(r) ? r : null;
}
