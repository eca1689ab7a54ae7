/**
 * WhatsApp chat over TCP (5222/443), nDPI 'WhatsApp'. The client opens with a prologue
 * before the Noise handshake (WhatsApp's FunXMPP/Noise framing):
 *   [ 'E' 'D' 0x00 0x01, 24-bit length, routing data ]   optional edge-routing header
 *   'W' 'A' major minor                                  protocol version
 *   24-bit length, then the first frame
 * The prologue may be split over the first segments (clients often send "ED\0\1" alone),
 * or even byte group by byte group), so up to PROLOGUE_MAX bytes of the initiator's first
 * MAX_SEGMENTS segments are gathered. Claimed once 'WA' and a plausible version are seen
 * (and the first frame's length and first byte, when they came along, are sane), or as
 * soon as a whole edge-routing header ends a segment.
 * Meta `whatsapp`: { version: "major.minor" (when seen), edge_routing }.
 */
import { u24be } from '../../util/bytes.js';
import { dissector } from '../dissector.js';

const PROTOCOL = 'WhatsApp';
const APPLICATION = 'whatsapp';
const PROLOGUE_MAX = 64;
/** Routing data is a few bytes (a protobuf of a region hint); anything large is not it. */
const MAX_ROUTING_LENGTH = 32;
/** Versions seen in the wild run from 1.x (2015) to 6.x; leave room above. */
const MAX_MAJOR = 9;
const MAX_FIRST_FRAME = 1 << 16;
const MAX_SEGMENTS = 5;

export type PrologueMatch =
  /** major/minor are null when the edge-routing header came whole but 'WA' not yet. */
  | { readonly kind: 'match'; readonly major: number | null; readonly minor: number | null; readonly edgeRouting: boolean }
  | { readonly kind: 'partial' }
  | null;

function prefixOf(b: Uint8Array, off: number, expect: readonly number[]): boolean | null {
  for (let i = 0; i < expect.length; i++) {
    if (b[off + i] === undefined) return null; // too short to tell (no `b.length`: a native call under txiki.js)
    if (b[off + i] !== expect[i]) return false;
  }
  return true;
}

/** Judge the initiator's first bytes. 'partial': consistent so far, more bytes needed. */
export function matchPrologue(b: Uint8Array): PrologueMatch {
  let off = 0;
  let edgeRouting = false;
  const ed = prefixOf(b, 0, [0x45, 0x44, 0x00, 0x01]);
  if (ed === null) return prefixOf(b, 0, [0x57, 0x41]) === false && prefixOf(b, 0, [0x45, 0x44]) === false ? null : { kind: 'partial' };
  if (ed) {
    const len = u24be(b, 4);
    if (len < 0) return { kind: 'partial' };
    if (len === 0 || len > MAX_ROUTING_LENGTH) return null;
    off = 7 + len;
    edgeRouting = true;
  }
  // A whole edge-routing header (magic, version 1, a short length, all its data) is
  // WhatsApp's alone: 48 fixed bits. Claim on it without waiting for the next segment.
  if (edgeRouting && off === b.length) return { kind: 'match', major: null, minor: null, edgeRouting };
  const wa = prefixOf(b, off, [0x57, 0x41]);
  if (wa === false) return null;
  if (wa === null || off + 4 > b.length) return { kind: 'partial' };
  const major = b[off + 2]!;
  const minor = b[off + 3]!;
  if (major === 0 || major > MAX_MAJOR || minor > 0x3f) return null;
  // Clients often send the prologue as a segment of its own; when the first frame's
  // length did arrive with it, it must be sane.
  const frame = u24be(b, off + 4);
  if (frame === 0 || frame > MAX_FIRST_FRAME) return null;
  // And when the frame's first byte came too, it opens what WhatsApp sends first: a
  // FunXMPP list (0xf8/0xf9, the 1.x stream start) or the Noise HandshakeMessage's
  // client_hello field (protobuf field 2, length-delimited: 0x12).
  const first = off + 7 < b.length ? b[off + 7]! : -1;
  if (first !== -1 && first !== 0xf8 && first !== 0xf9 && first !== 0x12) return null;
  return { kind: 'match', major, minor, edgeRouting };
}

interface WaState {
  head: Uint8Array;
  segments: number;
}

export const whatsappDissector = dissector<WaState>({
  name: 'whatsapp',
  ipProtocols: [6],
  create: () => ({ head: new Uint8Array(0), segments: 0 }),
  feed(s, pkt, _flow, out) {
    // Only the initiator's stream carries the prologue.
    if (pkt.dir !== 0) return s.segments === 0 ? 'more' : 'no';
    if (++s.segments > MAX_SEGMENTS) return 'no';
    const room = PROLOGUE_MAX - s.head.length;
    const head = new Uint8Array(s.head.length + Math.min(room, pkt.payload.length));
    head.set(s.head);
    head.set(pkt.payload.subarray(0, room), s.head.length);
    s.head = head;
    const m = matchPrologue(head);
    if (m === null) return 'no';
    if (m.kind === 'partial') return head.length >= PROLOGUE_MAX ? 'no' : 'more';
    out.protocol = PROTOCOL;
    out.application = APPLICATION;
    out.meta['whatsapp'] = m.major === null ? { edge_routing: m.edgeRouting } : { version: `${m.major}.${m.minor}`, edge_routing: m.edgeRouting };
    return 'done';
  },
});
