/**
 * Zoom's own media protocol on UDP, nDPI 'Zoom' (structure after the Princeton
 * zoom-analysis work and Citizen Lab's report). Towards Zoom's servers (UDP 8801–8810)
 * every datagram carries an 8-byte "SFU" header whose first byte is its type:
 *   1/2  session setup from client/server: type, a small 16-bit sequence number, then a
 *        16-byte session id that the server's type 2 repeats from the client's type 1;
 *   3/4  keep-alive pair: type 4 echoes type 3's bytes 1–12 from the other side;
 *   5    media: after the SFU header a "media encapsulation" header whose type says where
 *        RTP/RTCP starts (13/30 screen share, 15 audio, 16 video, 33–35 RTCP).
 * Peer-to-peer calls send the media header alone; their first packets (type 0x1F 0x02 0x01)
 * hold length-prefixed fields (an address text, an id) and end in four zero bytes.
 * Meta `zoom`: { sfu_type, media? }.
 */
import { u32be } from '../../util/bytes.js';
import { dissector, type MetaSection } from '../dissector.js';
import { parseRtcp, parseRtp } from './rtp.js';

const PROTOCOL = 'Zoom';
const APPLICATION = 'zoom';
const FIRST_PORT = 8801;
const LAST_PORT = 8810;
const SFU_HEADER = 8;
const SESSION_ID_OFFSET = 3;
const SESSION_ID_LENGTH = 16;
const KEEPALIVE_ECHO = 12;
const MAX_UNCLAIMED_PACKETS = 6;

/** Media encapsulation types and where their RTP/RTCP starts within the media header. */
const MEDIA_OFFSETS: { readonly [type: number]: { readonly offset: number; readonly kind: string; readonly rtcp: boolean } } = {
  13: { offset: 27, kind: 'screen_share', rtcp: false },
  30: { offset: 20, kind: 'screen_share', rtcp: false },
  15: { offset: 19, kind: 'audio', rtcp: false },
  16: { offset: 24, kind: 'video', rtcp: false },
  33: { offset: 16, kind: 'rtcp', rtcp: true },
  34: { offset: 16, kind: 'rtcp', rtcp: true },
  35: { offset: 16, kind: 'rtcp', rtcp: true },
};

function isZoomPort(p: number): boolean {
  return p >= FIRST_PORT && p <= LAST_PORT;
}

/** A media encapsulation header followed by real RTP/RTCP: its media kind, else null. */
export function parseMedia(b: Uint8Array): string | null {
  const m = MEDIA_OFFSETS[b[0] ?? -1];
  if (!m || b.length <= m.offset) return null;
  const inner = b.subarray(m.offset);
  return (m.rtcp ? parseRtcp(inner) : parseRtp(inner)) ? m.kind : null;
}

/** A peer-to-peer opener: 24-byte header, two length-prefixed fields, four zero bytes. */
export function isP2pOpener(b: Uint8Array): boolean {
  if (b.length <= 36 || b[0] !== 0x1f || b[1] !== 0x02 || b[2] !== 0x01) return false;
  if (u32be(b, b.length - 4) !== 0) return false;
  const ipLen = u32be(b, 24);
  if (ipLen <= 0 || 28 + ipLen + 4 >= b.length) return false;
  const idLen = u32be(b, 28 + ipLen);
  return b.length === 28 + ipLen + 4 + idLen + 4;
}

/** Setup messages open a session: their sequence number is still below 256. */
function isSessionSetup(b: Uint8Array): boolean {
  return (b[0] === 1 || b[0] === 2) && b[1] === 0 && b[2] !== 0 && b.length >= SESSION_ID_OFFSET + SESSION_ID_LENGTH + 4;
}

function sameBytes(a: Uint8Array, b: Uint8Array, from: number, to: number): boolean {
  if (a.length < to || b.length < to) return false;
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  return true;
}

interface ZoomState {
  payloads: number;
  /** Last type-3 keep-alive per direction. */
  keepalive: [Uint8Array | null, Uint8Array | null];
}

export const zoomDissector = dissector<ZoomState>({
  name: 'zoom',
  ipProtocols: [17],
  create: () => ({ payloads: 0, keepalive: [null, null] }),
  feed(s, pkt, _flow, out) {
    s.payloads++;
    const b = pkt.payload;
    let meta: MetaSection | null = null;
    if (isZoomPort(pkt.srcPort) || isZoomPort(pkt.dstPort)) {
      if (b.length > SFU_HEADER && isSessionSetup(b)) meta = { sfu_type: b[0]! };
      else if (b[0] === 5 && b.length > SFU_HEADER + 1) {
        const media = parseMedia(b.subarray(SFU_HEADER));
        if (media) meta = { sfu_type: 5, media };
      } else if (b[0] === 3 && b.length > KEEPALIVE_ECHO) {
        s.keepalive[pkt.dir] = b.slice(0, KEEPALIVE_ECHO + 1);
      } else if (b[0] === 4 && s.keepalive[1 - pkt.dir] && sameBytes(b, s.keepalive[1 - pkt.dir]!, 1, KEEPALIVE_ECHO + 1)) {
        meta = { sfu_type: 4 };
      }
    } else if (isP2pOpener(b)) {
      meta = { sfu_type: 0, p2p: true };
    } else {
      // Off Zoom's server ports only a peer-to-peer opener, which comes first, is proof.
      return 'no';
    }
    if (meta) {
      out.protocol = PROTOCOL;
      out.application = APPLICATION;
      out.meta['zoom'] = meta;
      return 'done';
    }
    return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
  },
});
