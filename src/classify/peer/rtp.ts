/**
 * RTP and RTCP (RFC 3550), nDPI 'RTP' / 'RTCP', on UDP and on TCP with the RFC 4571
 * 2-byte length framing. One header proves little (version 2 and a payload type leave a
 * quarter of random bytes in), so a stream is claimed on the second packet of one
 * direction that continues the first: same SSRC, sequence number a little ahead,
 * timestamp not running backwards by much. RTCP is claimed on two compound packets
 * (SR/RR first, lengths adding up to the datagram) from the same sender SSRC.
 * Meta `rtp`: { payload_type, ssrc, stream? ('audio' | 'video') }.
 */
import { u16be, u32be } from '../../util/bytes.js';
import { dissector, type MetaSection } from '../dissector.js';

const RTP_HEADER = 12;
const RTCP_HEADER = 8;
/** Reordering and loss allowed between two consecutive packets we see. */
const MAX_SEQ_STEP = 100;
/** 90 kHz video over 10 s; audio clocks run slower. */
const MAX_TS_STEP = 900_000;
const MAX_UNCLAIMED_PACKETS = 6;
/** Payload packets allowed before the first RTP/RTCP-looking one (signalling, STUN probes). */
const MAX_LEADING_OTHERS = 3;
/** Ports RTP never uses, or that look alike (mDNS, LLMNR, Ethereum's devp2p). */
const EXCLUDED_UDP_PORTS = [5353, 5355, 30303];

/** IANA RTP payload types: static 0–34, dynamic 96–127 (35–95 unassigned; 72–76 clash with RTCP). */
export function isRtpPayloadType(pt: number): boolean {
  return pt <= 34 || (pt >= 96 && pt <= 127);
}

/** RTCP packet types: 192/193 (old FIR/NACK), 194–213 (SR, RR, SDES, BYE, APP, feedback, XR, …). */
function isRtcpType(pt: number): boolean {
  return pt >= 192 && pt <= 213;
}

export interface RtpHeader {
  readonly payloadType: number;
  readonly seq: number;
  readonly timestamp: number;
  readonly ssrc: number;
}

/** An RTP header that fits in `b` (CSRCs and header extension included). */
export function parseRtp(b: Uint8Array): RtpHeader | null {
  if (b.length < RTP_HEADER || (b[0]! & 0xc0) !== 0x80) return null;
  const payloadType = b[1]! & 0x7f;
  if (!isRtpPayloadType(payloadType)) return null;
  let len = RTP_HEADER + 4 * (b[0]! & 0x0f);
  if (b[0]! & 0x10) {
    if (len + 4 > b.length) return null;
    len += 4 + 4 * u16be(b, len + 2);
  }
  if (len > b.length) return null;
  // With padding, the last byte counts padding bytes (at least itself) within the payload.
  if (b[0]! & 0x20) {
    const pad = b[b.length - 1]!;
    if (pad === 0 || len + pad > b.length) return null;
  }
  return { payloadType, seq: u16be(b, 2), timestamp: u32be(b, 4), ssrc: u32be(b, 8) };
}

/** A compound RTCP packet covering `b` exactly: the first packet's sender SSRC, else null. */
export function parseRtcp(b: Uint8Array): { readonly ssrc: number; readonly firstType: number } | null {
  if (b.length < RTCP_HEADER) return null;
  const firstType = b[1]!;
  // RFC 3550 §6.1: a compound packet starts with SR or RR (SRTCP keeps that header in clear).
  if (firstType !== 200 && firstType !== 201) return null;
  let off = 0;
  let parts = 0;
  while (off < b.length) {
    if (off + 4 > b.length || (b[off]! & 0xc0) !== 0x80 || !isRtcpType(b[off + 1]!)) {
      // SRTCP appends an encrypted trailer after the first packet: accept only when the
      // first packet is whole and followed by at least the 4-byte E+index word.
      return parts >= 1 && b.length - off >= 4 ? { ssrc: u32be(b, 4), firstType } : null;
    }
    off += 4 * (u16be(b, off + 2) + 1);
    parts++;
  }
  return off === b.length ? { ssrc: u32be(b, 4), firstType } : null;
}

/** Media kind nDPI reports for well-known payload types (static and customary dynamic ones). */
export function streamKind(pt: number): 'audio' | 'video' | null {
  if ([0, 3, 4, 8, 9, 13, 96, 97, 98, 101, 103, 104, 111, 112, 114, 115, 116, 117, 118].includes(pt)) return 'audio';
  if ([34, 121, 122, 123, 127].includes(pt)) return 'video';
  return null;
}

/** The RTP/RTCP bytes of a payload: UDP as is, TCP's first RFC 4571 frame. */
export function mediaBytes(payload: Uint8Array, tcp: boolean): Uint8Array | null {
  if (!tcp) return payload;
  const len = u16be(payload, 0);
  if (len < RTCP_HEADER) return null;
  // A frame longer than the segment was cut by TCP segmentation: keep what arrived.
  return payload.subarray(2, Math.min(payload.length, 2 + len));
}

/** Second packet continues the first: same stream, sequence a little ahead, time not far off. */
export function continues(prev: RtpHeader, next: RtpHeader): boolean {
  if (prev.ssrc !== next.ssrc) return false;
  const seqStep = (next.seq - prev.seq) & 0xffff;
  const tsStep = (next.timestamp - prev.timestamp) >>> 0;
  const tsOk = tsStep <= MAX_TS_STEP || 0x1_0000_0000 - tsStep <= MAX_TS_STEP;
  return seqStep >= 1 && seqStep <= MAX_SEQ_STEP && tsOk;
}

interface RtpState {
  payloads: number;
  lastRtp: [RtpHeader | null, RtpHeader | null];
  rtcpSsrc: [number, number];
  mediaSeen: boolean;
}

export const rtpDissector = dissector<RtpState>({
  name: 'rtp',
  ipProtocols: [6, 17],
  create: () => ({ payloads: 0, lastRtp: [null, null], rtcpSsrc: [-1, -1], mediaSeen: false }),
  feed(s, pkt, flow, out) {
    const tcp = flow.ipProtocol === 6;
    if (!tcp && (pkt.dstPort < 1024 || pkt.srcPort < 1024 || EXCLUDED_UDP_PORTS.includes(pkt.dstPort) || EXCLUDED_UDP_PORTS.includes(pkt.srcPort))) {
      return 'no';
    }
    s.payloads++;
    const b = mediaBytes(pkt.payload, tcp);
    const d = pkt.dir;
    const rtp = b ? parseRtp(b) : null;
    if (rtp) {
      s.mediaSeen = true;
      const prev = s.lastRtp[d];
      s.lastRtp[d] = rtp;
      if (prev && continues(prev, rtp)) {
        out.protocol = 'RTP';
        const meta: MetaSection = { payload_type: rtp.payloadType, ssrc: rtp.ssrc };
        const kind = streamKind(rtp.payloadType);
        if (kind) meta['stream'] = kind;
        out.meta['rtp'] = meta;
        return 'done';
      }
    } else {
      const rtcp = b ? parseRtcp(b) : null;
      if (rtcp) {
        s.mediaSeen = true;
        if (s.rtcpSsrc[d] === rtcp.ssrc) {
          out.protocol = 'RTCP';
          out.meta['rtp'] = { ssrc: rtcp.ssrc, rtcp_type: rtcp.firstType };
          return 'done';
        }
        s.rtcpSsrc[d] = rtcp.ssrc;
      }
    }
    if (!s.mediaSeen && s.payloads >= MAX_LEADING_OTHERS) return 'no';
    return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
  },
});
