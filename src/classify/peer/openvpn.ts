/**
 * OpenVPN (TCP with a 2-byte packet length, and UDP), nDPI 'OpenVPN'. Layout of control
 * packets (OpenVPN's ssl_pkt/reliable code, "openvpn-rfc" draft):
 *   opcode (5 bits) | key id (3 bits)
 *   session id (8)
 *   [tls-auth: HMAC (16/20/32/64) | replay packet id (4) | time (4)]
 *   [tls-crypt: packet id (4) | time (4) | tag (32), the rest encrypted]
 *   ack count (1) | acked packet ids (4 each) | remote session id (8, if acks)
 *   message packet id (4, not in P_ACK)
 * A session opens with a hard reset from each side (client V1/V2/V3, server V1/V2) under
 * key id 0. Each direction keeps one session id. The flow is claimed when
 *   - the server's reset acknowledges the client's (its remote session id is the client's
 *     session id, at the offset one of the HMAC sizes gives), or
 *   - both directions sent two control packets under their own constant session id
 *     (tls-crypt hides the acks), or
 *   - a one-sided capture shows three control packets under one session id, a reset
 *     first and then other control opcodes.
 * Meta `openvpn`: { reset, session_id, hmac_size? }.
 */
import { hex, u16be } from '../../util/bytes.js';
import { dissector, type MetaSection } from '../dissector.js';

const PROTOCOL = 'OpenVPN';
const HARD_RESET_CLIENT_V1 = 1;
const HARD_RESET_SERVER_V1 = 2;
const SOFT_RESET_V1 = 3;
const CONTROL_V1 = 4;
const ACK_V1 = 5;
const HARD_RESET_CLIENT_V2 = 7;
const HARD_RESET_SERVER_V2 = 8;
const HARD_RESET_CLIENT_V3 = 10;
const CONTROL_WKC_V1 = 11;
const CONTROL_OPCODES = [HARD_RESET_CLIENT_V1, HARD_RESET_SERVER_V1, SOFT_RESET_V1, CONTROL_V1, ACK_V1, HARD_RESET_CLIENT_V2, HARD_RESET_SERVER_V2, HARD_RESET_CLIENT_V3, CONTROL_WKC_V1];
const CLIENT_RESETS = [HARD_RESET_CLIENT_V1, HARD_RESET_CLIENT_V2, HARD_RESET_CLIENT_V3];
const SERVER_RESETS = [HARD_RESET_SERVER_V1, HARD_RESET_SERVER_V2];
const RESET_NAMES: { readonly [op: number]: string } = {
  [HARD_RESET_CLIENT_V1]: 'client_v1',
  [HARD_RESET_SERVER_V1]: 'server_v1',
  [HARD_RESET_CLIENT_V2]: 'client_v2',
  [HARD_RESET_SERVER_V2]: 'server_v2',
  [HARD_RESET_CLIENT_V3]: 'client_v3',
};
/** tls-auth HMAC sizes: none, MD5, SHA1, SHA256, SHA512. */
const HMAC_SIZES = [0, 16, 20, 32, 64];
/** opcode + session id + ack count + message packet id. */
const MIN_CONTROL = 14;
/** Resets carry no TLS data; even a tls-crypt-v2 client key stays well under this. */
const MAX_RESET = 1200;
const MAX_ACKS = 8;
const ONE_SIDED_PACKETS = 3;
const MAX_UNCLAIMED_PACKETS = 8;

export interface OvpnControl {
  readonly opcode: number;
  readonly keyId: number;
  readonly sessionId: string;
  /** The packet without TCP framing. */
  readonly bytes: Uint8Array;
}

/** The first OpenVPN control packet of a payload (TCP: behind its 2-byte length). */
export function parseOvpnControl(payload: Uint8Array, tcp: boolean): OvpnControl | null {
  let b = payload;
  if (tcp) {
    const len = u16be(payload, 0);
    if (len < MIN_CONTROL || len + 2 > payload.length) return null;
    b = payload.subarray(2, 2 + len);
  }
  if (b.length < MIN_CONTROL) return null;
  const opcode = b[0]! >> 3;
  if (!CONTROL_OPCODES.includes(opcode)) return null;
  return { opcode, keyId: b[0]! & 0x07, sessionId: hex(b, 1, 9), bytes: b };
}

/** HMAC size under which a server reset acknowledges `clientSession`, or -1. */
export function acknowledgesSession(serverReset: Uint8Array, clientSession: string): number {
  for (const h of HMAC_SIZES) {
    const off = 9 + (h > 0 ? h + 8 : 0);
    const acks = serverReset[off];
    if (acks === undefined || acks === 0 || acks > MAX_ACKS) continue;
    const remote = off + 1 + 4 * acks;
    if (remote + 8 <= serverReset.length && hex(serverReset, remote, remote + 8) === clientSession) return h;
  }
  return -1;
}

interface Side {
  first: number;
  session: string;
  count: number;
  /** Opcodes seen (bit set): a session moves from reset to ACK/CONTROL. */
  opcodes: number;
}

interface OvpnState {
  payloads: number;
  sides: [Side | null, Side | null];
}

export const openvpnDissector = dissector<OvpnState>({
  name: 'openvpn',
  ipProtocols: [6, 17],
  create: () => ({ payloads: 0, sides: [null, null] }),
  feed(s, pkt, flow, out) {
    s.payloads++;
    const p = parseOvpnControl(pkt.payload, flow.ipProtocol === 6);
    if (!p) return 'no';
    const d = pkt.dir;
    const side = s.sides[d];
    if (side === null) {
      // Each side opens with its hard reset, under key id 0, small.
      const isReset = CLIENT_RESETS.includes(p.opcode) || SERVER_RESETS.includes(p.opcode);
      if (!isReset || p.keyId !== 0 || p.bytes.length >= MAX_RESET) return 'no';
      s.sides[d] = { first: p.opcode, session: p.sessionId, count: 1, opcodes: 1 << p.opcode };
    } else {
      if (p.sessionId !== side.session) return 'no';
      side.count++;
      side.opcodes |= 1 << p.opcode;
    }
    const mine = s.sides[d]!;
    const other = s.sides[1 - d];
    // Each end picks its own random session id.
    if (other && other.session === mine.session) return 'no';
    let hmac = -1;
    let proven = false;
    if (other && CLIENT_RESETS.includes(other.first) && SERVER_RESETS.includes(p.opcode) && mine.count === 1) {
      hmac = acknowledgesSession(p.bytes, other.session);
      proven = hmac >= 0;
    }
    if (!proven && other && mine.count >= 2 && other.count >= 2) proven = true;
    // One side alone: a reset followed by other control messages (not its retransmissions).
    if (!proven && !other && mine.count >= ONE_SIDED_PACKETS && (mine.opcodes & (mine.opcodes - 1)) !== 0) proven = true;
    if (!proven) return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
    out.protocol = PROTOCOL;
    const opener = other && CLIENT_RESETS.includes(other.first) ? other : mine;
    const meta: MetaSection = { reset: RESET_NAMES[opener.first] ?? String(opener.first), session_id: opener.session };
    if (hmac >= 0) meta['hmac_size'] = hmac;
    out.meta['openvpn'] = meta;
    return 'done';
  },
});
