/**
 * WireGuard, nDPI 'WireGuard' (https://www.wireguard.com/protocol/). Every message starts
 * with a type byte and three reserved zero bytes; the handshake messages have fixed sizes:
 *   1 initiation 148 bytes (sender index at 4)
 *   2 response    92 bytes (sender index at 4, receiver index at 8)
 *   3 cookie reply 64 bytes (receiver index at 4)
 *   4 transport data: 16-byte header (receiver index at 4, little-endian counter at 8),
 *     then the packet padded to 16 bytes and a 16-byte tag: 32 + 16·n bytes.
 * One message is not proof; the flow is claimed on a second that agrees with the first:
 * a response or cookie naming the initiation's sender index, a repeated initiation, or
 * two data packets of one direction under the same index with a growing counter.
 * Other datagrams may share the socket (Tailscale's discovery messages, NAT keepalives
 * of other stacks): once a WireGuard message was seen, a few of them are stepped over.
 * Meta `wireguard`: { message_type } of the message that decided.
 */
import { u32be } from '../../util/bytes.js';
import { dissector } from '../dissector.js';

const PROTOCOL = 'WireGuard';
const INITIATION = 1;
const RESPONSE = 2;
const COOKIE_REPLY = 3;
const TRANSPORT = 4;
const INITIATION_LENGTH = 148;
const RESPONSE_LENGTH = 92;
const COOKIE_REPLY_LENGTH = 64;
const MIN_TRANSPORT_LENGTH = 32;
/** A data counter may skip lost packets, not jump by millions. */
const MAX_COUNTER_STEP = 1 << 16;
const MAX_UNCLAIMED_PACKETS = 6;
/** Foreign datagrams tolerated between WireGuard messages before giving up. */
const MAX_FOREIGN_PACKETS = 2;

export interface WireGuardMessage {
  readonly type: number;
  /** Sender index (types 1, 2), else -1. */
  readonly sender: number;
  /** Receiver index (types 2, 3, 4), else -1. */
  readonly receiver: number;
  /** Transport counter (low 32 bits; type 4), else -1. */
  readonly counter: number;
}

export function parseWireGuard(b: Uint8Array): WireGuardMessage | null {
  if (b.length < MIN_TRANSPORT_LENGTH || b[1] !== 0 || b[2] !== 0 || b[3] !== 0) return null;
  const type = b[0]!;
  if (type === INITIATION && b.length === INITIATION_LENGTH) return { type, sender: u32be(b, 4), receiver: -1, counter: -1 };
  if (type === RESPONSE && b.length === RESPONSE_LENGTH) return { type, sender: u32be(b, 4), receiver: u32be(b, 8), counter: -1 };
  if (type === COOKIE_REPLY && b.length === COOKIE_REPLY_LENGTH) return { type, sender: -1, receiver: u32be(b, 4), counter: -1 };
  if (type === TRANSPORT && b.length % 16 === 0) {
    // The 64-bit counter is little-endian; a real tunnel never gets past 2^32 here.
    if (b[12] !== 0 || b[13] !== 0 || b[14] !== 0 || b[15] !== 0) return null;
    const counter = (b[8]! | (b[9]! << 8) | (b[10]! << 16) | (b[11]! << 24)) >>> 0;
    return { type, sender: -1, receiver: u32be(b, 4), counter };
  }
  return null;
}

interface WgState {
  payloads: number;
  /** A WireGuard-shaped message was seen on this flow. */
  seen: boolean;
  foreign: number;
  /** Sender index of the last initiation per direction, -1 if none. */
  initiator: [number, number];
  /** Last transport (receiver index, counter) per direction. */
  data: [{ receiver: number; counter: number } | null, { receiver: number; counter: number } | null];
}

export const wireguardDissector = dissector<WgState>({
  name: 'wireguard',
  ipProtocols: [17],
  create: () => ({ payloads: 0, seen: false, foreign: 0, initiator: [-1, -1], data: [null, null] }),
  feed(s, pkt, _flow, out) {
    s.payloads++;
    const m = parseWireGuard(pkt.payload);
    if (!m) {
      if (!s.seen || ++s.foreign > MAX_FOREIGN_PACKETS) return 'no';
      return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
    }
    s.seen = true;
    const d = pkt.dir;
    let proven = false;
    if (m.type === INITIATION) {
      // A retransmitted initiation (the handshake went unanswered).
      proven = s.initiator[d] !== -1;
      s.initiator[d] = m.sender;
    } else if (m.type === RESPONSE || m.type === COOKIE_REPLY) {
      proven = s.initiator[1 - d] !== -1 && s.initiator[1 - d] === m.receiver;
      if (!proven && s.initiator[1 - d] !== -1) return 'no';
    } else {
      const prev = s.data[d];
      if (prev && prev.receiver === m.receiver) {
        const step = m.counter - prev.counter;
        proven = step > 0 && step < MAX_COUNTER_STEP;
      }
      s.data[d] = { receiver: m.receiver, counter: m.counter };
    }
    if (proven) {
      out.protocol = PROTOCOL;
      out.meta['wireguard'] = { message_type: m.type };
      return 'done';
    }
    return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
  },
});
