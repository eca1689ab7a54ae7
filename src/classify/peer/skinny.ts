/**
 * Cisco Skinny Client Control Protocol (SCCP) on TCP 2000, nDPI 'CiscoSkinny' (message
 * layout as in Wireshark's packet-skinny.c). Every message is little-endian:
 *   data length (4: counts from the message id to the end) | header version (4) |
 *   message id (4) | data
 * Header versions: 0 (basic), 0x0A–0x0B, 0x0F–0x16 (CM 7–22). Message ids fall in the
 * station (0x0000–0x009F, 0x0100–0x0160) and CallManager ranges (0x8000, 0x8100–0x8101).
 * A segment may carry several messages: each one must parse, and they must end exactly
 * at the end of the segment.
 * Meta `skinny`: { version, message_id } of the first message.
 */
import { dissector } from '../dissector.js';

const PROTOCOL = 'CiscoSkinny';
const PORT = 2000;
const HEADER = 12;
const MAX_MESSAGE = 1 << 16;
const MAX_MESSAGES_PER_SEGMENT = 16;

function u32le(b: Uint8Array, o: number): number {
  return o + 4 <= b.length ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0 : -1;
}

function isVersion(v: number): boolean {
  return v === 0 || v === 0x0a || v === 0x0b || (v >= 0x0f && v <= 0x16);
}

function isMessageId(id: number): boolean {
  return id <= 0x009f || (id >= 0x0100 && id <= 0x0160) || id === 0x8000 || id === 0x8100 || id === 0x8101;
}

/** All messages of a segment; the first one's version and id, or null. */
export function parseSkinny(b: Uint8Array): { readonly version: number; readonly messageId: number } | null {
  let off = 0;
  let first: { version: number; messageId: number } | null = null;
  for (let n = 0; n < MAX_MESSAGES_PER_SEGMENT && off < b.length; n++) {
    const len = u32le(b, off);
    const version = u32le(b, off + 4);
    const id = u32le(b, off + 8);
    if (len < 4 || len > MAX_MESSAGE || !isVersion(version) || !isMessageId(id)) return null;
    first ??= { version, messageId: id };
    off += 8 + len;
  }
  return off === b.length && first && b.length >= HEADER ? first : null;
}

export const skinnyDissector = dissector<null>({
  name: 'skinny',
  ipProtocols: [6],
  firstLook: { ports: [PORT] },
  create: () => null,
  feed(_s, pkt, _flow, out) {
    if (pkt.srcPort !== PORT && pkt.dstPort !== PORT) return 'no';
    const m = parseSkinny(pkt.payload);
    if (!m) return 'no';
    out.protocol = PROTOCOL;
    out.meta['skinny'] = { version: m.version, message_id: m.messageId };
    return 'done';
  },
});
