/**
 * BitTorrent, nDPI 'BitTorrent'. Four ways in:
 *  - the peer-wire handshake on TCP (BEP 3): "\x13BitTorrent protocol", 8 reserved bytes,
 *    the 20-byte info_hash and the peer id; it may arrive split over segments;
 *  - uTP (BEP 29), BitTorrent's UDP transport: a 20-byte header (version 1, type 0–4,
 *    an extension chain); one header proves little, so two consistent ones are needed
 *    (same connection, ids equal or one apart, different send times), unless a DATA
 *    packet carries the handshake;
 *  - DHT KRPC (BEP 5): a bencoded dictionary with y = q/r/e, a transaction id and an
 *    'a'/'r' dictionary holding a 20-byte node id;
 *  - Local Service Discovery (BEP 14): "BT-SEARCH * HTTP/1.1" with an Infohash header.
 * Meta `bt`: { info_hash } (lower-case hex) once some message named one.
 */
import { hex, latin1, u16be, u32be } from '../../util/bytes.js';
import { dissector, type Detection, type L4Packet } from '../dissector.js';
import { decodeBencode, isBytes, isDict, type BDict } from './bencode.js';

const PROTOCOL = 'BitTorrent';
const PSTR = 'BitTorrent protocol';
/** 1 (pstrlen) + 19 (pstr) + 8 (reserved) bytes come before the info_hash. */
const INFO_HASH_OFFSET = 28;
const HASH_LENGTH = 20;
const HANDSHAKE_LENGTH = 68;
const UTP_HEADER_LENGTH = 20;
/** Packets a claimed flow is still watched for an info_hash. */
const HASH_SEARCH_PACKETS = 4;
/** Payload packets an unclaimed flow gets before BitTorrent gives up on it. */
const MAX_UNCLAIMED_PACKETS = 6;

// ---------------------------------------------------------------- peer-wire handshake

export type HandshakeMatch = { readonly kind: 'handshake'; readonly infoHash: string | null } | { readonly kind: 'prefix' } | null;

/**
 * The start of a peer-wire handshake. 'prefix': the bytes so far agree but are too few
 * to decide (a client may send the handshake in pieces).
 */
export function matchHandshake(b: Uint8Array): HandshakeMatch {
  if (b.length === 0 || b[0] !== PSTR.length) return null;
  const n = Math.min(b.length - 1, PSTR.length);
  for (let i = 0; i < n; i++) if (b[1 + i] !== PSTR.charCodeAt(i)) return null;
  if (b.length < 1 + PSTR.length) return { kind: 'prefix' };
  const infoHash = b.length >= INFO_HASH_OFFSET + HASH_LENGTH ? hex(b, INFO_HASH_OFFSET, INFO_HASH_OFFSET + HASH_LENGTH) : null;
  return { kind: 'handshake', infoHash };
}

/** "\x13BitTorrent protocol" anywhere in `b` (uTP DATA carries the handshake), its info_hash. */
function findHandshakeHash(b: Uint8Array): string | null {
  for (let i = 0; i + INFO_HASH_OFFSET + HASH_LENGTH <= b.length; i++) {
    if (b[i] !== PSTR.length || b[i + 1] !== 0x42) continue;
    const m = matchHandshake(b.subarray(i));
    if (m?.kind === 'handshake' && m.infoHash) return m.infoHash;
  }
  return null;
}

// ---------------------------------------------------------------- uTP

export interface UtpHeader {
  /** 0 DATA, 1 FIN, 2 STATE, 3 RESET, 4 SYN. */
  readonly type: number;
  readonly connectionId: number;
  readonly seq: number;
  readonly ack: number;
  readonly timestamp: number;
  /** Header plus extensions. */
  readonly headerLength: number;
}

const UTP_DATA = 0;
const UTP_SYN = 4;
/** Extension types: 1 selective ACK, 2 extension bits (libutp); others are unknown. */
const UTP_MAX_EXTENSION = 2;
const UTP_MAX_EXTENSIONS = 4;

export function parseUtp(b: Uint8Array): UtpHeader | null {
  if (b.length < UTP_HEADER_LENGTH) return null;
  const type = b[0]! >> 4;
  const version = b[0]! & 0x0f;
  if (version !== 1 || type > UTP_SYN) return null;
  // Extension chain: each is (next type, length, data).
  let ext = b[1]!;
  let off = UTP_HEADER_LENGTH;
  let count = 0;
  while (ext !== 0) {
    if (ext > UTP_MAX_EXTENSION || ++count > UTP_MAX_EXTENSIONS || off + 2 > b.length) return null;
    const len = b[off + 1]!;
    // Selective ACK bitmasks are whole 32-bit words; extension bits are 8 bytes.
    if ((ext === 1 && (len === 0 || len % 4 !== 0)) || (ext === 2 && len !== 8)) return null;
    ext = b[off]!;
    off += 2 + len;
    if (off > b.length) return null;
  }
  const connectionId = u16be(b, 2);
  const timestamp = u32be(b, 4);
  const timestampDiff = u32be(b, 8);
  const window = u32be(b, 12);
  const hasData = b.length > off;
  // Only DATA carries payload; a SYN cannot know the peer's clock yet.
  if (type === UTP_DATA ? !hasData : hasData) return null;
  if (type === UTP_SYN && timestampDiff !== 0) return null;
  if (connectionId === 0 || timestamp === 0 || (window === 0 && hasData)) return null;
  return { type, connectionId, seq: u16be(b, 16), ack: u16be(b, 18), timestamp, headerLength: off };
}

/** Two headers of one uTP connection: the SYN's id, the other side's id = SYN id ± 1. */
function sameUtpConnection(a: number, b: number): boolean {
  const d = (a - b) & 0xffff;
  return d === 0 || d === 1 || d === 0xffff;
}

// ---------------------------------------------------------------- DHT (KRPC)

export interface KrpcMessage {
  /** 'q' query, 'r' response, 'e' error. */
  readonly type: 'q' | 'r' | 'e';
  /** Query name for type 'q' (ping, find_node, get_peers, announce_peer, …). */
  readonly query: string | null;
  readonly infoHash: string | null;
}

const NODE_ID_LENGTH = 20;

function nodeIdOf(d: BDict | undefined): boolean {
  const id = d?.entries.get('id');
  return isBytes(id) && id.length === NODE_ID_LENGTH;
}

export function parseKrpc(b: Uint8Array): KrpcMessage | null {
  if (b.length < 12 || b[0] !== 0x64) return null; // 'd'
  const v = decodeBencode(b);
  if (!isDict(v)) return null;
  const y = v.entries.get('y');
  const t = v.entries.get('t');
  if (!isBytes(y) || y.length !== 1 || !isBytes(t)) return null;
  const type = String.fromCharCode(y[0]!);
  if (type === 'q') {
    const q = v.entries.get('q');
    const a = v.entries.get('a');
    if (!isBytes(q) || q.length === 0 || !isDict(a) || !nodeIdOf(a)) return null;
    const ih = a.entries.get('info_hash');
    const infoHash = isBytes(ih) && ih.length === HASH_LENGTH ? hex(ih) : null;
    return { type, query: latin1(q), infoHash };
  }
  if (type === 'r') {
    const r = v.entries.get('r');
    return isDict(r) && nodeIdOf(r) ? { type, query: null, infoHash: null } : null;
  }
  if (type === 'e') {
    // e: [code, message]
    const e = v.entries.get('e');
    return Array.isArray(e) && e.length >= 1 && typeof e[0] === 'number' ? { type, query: null, infoHash: null } : null;
  }
  return null;
}

// ---------------------------------------------------------------- Local Service Discovery

const LSD_REQUEST_LINE = 'BT-SEARCH * HTTP/1.1\r\n';

/** A BEP 14 announce: its first Infohash header (40 hex digits), or null if not LSD. */
export function parseLsd(b: Uint8Array): { readonly infoHash: string } | null {
  if (b.length < LSD_REQUEST_LINE.length + 20 || b.length > 4096) return null;
  const text = latin1(b);
  if (!text.startsWith(LSD_REQUEST_LINE)) return null;
  const m = /\r\ninfohash:[ \t]*([0-9a-f]{40})\r\n/i.exec(text);
  if (!m || !/\r\nhost:/i.test(text)) return null;
  return { infoHash: m[1]!.toLowerCase() };
}

// ---------------------------------------------------------------- dissector

interface BtState {
  claimed: boolean;
  payloads: number;
  afterClaim: number;
  /** TCP: the first bytes of each direction while they still look like a handshake. */
  head: [Uint8Array | null, Uint8Array | null];
  /** uTP: the last valid header, null before one. */
  utp: UtpHeader | null;
  tcpDead: [boolean, boolean];
}

function setHash(out: Detection, infoHash: string | null): void {
  if (infoHash) out.meta['bt'] = { info_hash: infoHash };
}

function claim(s: BtState, out: Detection, infoHash: string | null): 'more' | 'done' {
  s.claimed = true;
  out.protocol = PROTOCOL;
  out.meta['bt'] = {};
  setHash(out, infoHash);
  return infoHash ? 'done' : 'more';
}

function hasHash(out: Detection): boolean {
  return typeof out.meta['bt']?.['info_hash'] === 'string';
}

function feedTcp(s: BtState, pkt: L4Packet, out: Detection): 'no' | 'more' | 'done' {
  const d = pkt.dir;
  if (!s.tcpDead[d]) {
    const prev = s.head[d];
    const joined = prev ? concat(prev, pkt.payload.subarray(0, HANDSHAKE_LENGTH - prev.length)) : pkt.payload;
    const m = matchHandshake(joined);
    if (m === null) {
      s.tcpDead[d] = true;
      s.head[d] = null;
    } else if (m.kind === 'prefix' || m.infoHash === null) {
      // Keep the bytes until the info_hash is whole (a handshake may come in pieces).
      s.head[d] = joined.slice(0, HANDSHAKE_LENGTH);
      if (m.kind === 'handshake' && !s.claimed) return claim(s, out, null);
    } else {
      s.head[d] = null;
      s.tcpDead[d] = true;
      if (!s.claimed) return claim(s, out, m.infoHash);
      if (!hasHash(out)) setHash(out, m.infoHash);
    }
  }
  if (s.claimed) return hasHash(out) || (s.tcpDead[0] && s.tcpDead[1]) ? 'done' : 'more';
  // The initiator speaks first, but a one-sided capture may hold only the reply.
  return (s.tcpDead[0] && s.tcpDead[1]) || s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : 'more';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function feedUdp(s: BtState, pkt: L4Packet, out: Detection): 'no' | 'more' | 'done' {
  const p = pkt.payload;
  const krpc = parseKrpc(p);
  if (krpc) {
    if (!s.claimed) return claim(s, out, krpc.infoHash);
    if (!hasHash(out)) setHash(out, krpc.infoHash);
    return hasHash(out) ? 'done' : 'more';
  }
  const lsd = parseLsd(p);
  if (lsd) return s.claimed ? 'done' : claim(s, out, lsd.infoHash);
  // uTP runs between unprivileged ports.
  const utp = pkt.srcPort >= 1024 && pkt.dstPort >= 1024 ? parseUtp(p) : null;
  if (utp) {
    const hash = utp.type === UTP_DATA ? findHandshakeHash(p.subarray(utp.headerLength)) : null;
    if (s.claimed) {
      if (!hasHash(out)) setHash(out, hash);
      return hasHash(out) ? 'done' : 'more';
    }
    // A second header of the same connection, sent at another moment (a duplicate of the
    // same datagram proves nothing).
    const prev = s.utp;
    const confirmed = prev !== null && sameUtpConnection(prev.connectionId, utp.connectionId) && prev.timestamp !== utp.timestamp;
    s.utp = utp;
    if (confirmed || hash) return claim(s, out, hash);
    return 'more';
  }
  if (s.claimed) return 'more';
  return s.payloads >= MAX_UNCLAIMED_PACKETS ? 'no' : s.utp !== null ? 'more' : 'no';
}

export const bittorrentDissector = dissector<BtState>({
  name: 'bittorrent',
  ipProtocols: [6, 17],
  create: () => ({ claimed: false, payloads: 0, afterClaim: 0, head: [null, null], utp: null, tcpDead: [false, false] }),
  feed(s, pkt, flow, out) {
    s.payloads++;
    if (s.claimed && ++s.afterClaim > HASH_SEARCH_PACKETS) return 'done';
    return flow.ipProtocol === 6 ? feedTcp(s, pkt, out) : feedUdp(s, pkt, out);
  },
});
