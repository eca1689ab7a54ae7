/**
 * STUN message parsing: RFC 8489 (and 5389) with the magic cookie, classic STUN (RFC 3489)
 * without it, TURN methods (RFC 8656, 6062) and the framings STUN travels in: RFC 4571's
 * 2-byte length on TCP and Microsoft's multiplexed-TURN header (MS-TURN 2.2.3, 0xFF10).
 * Pure functions over bytes; nothing here knows about flows.
 */
import { ipv4Text, ipv6Text } from '../../net/format.js';
import { u16be } from '../../util/bytes.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export const STUN_HEADER = 20;
export const MAGIC_COOKIE = 0x2112a442;
const MS_TURN_MULTIPLEXED = 0xff10;
const MS_TURN_HEADER = 12;

/** Methods: RFC 8489 Binding, RFC 3489 Shared Secret, TURN (RFC 8656, RFC 6062). */
export const METHOD_NAMES: { readonly [m: number]: string } = {
  0x001: 'binding',
  0x002: 'shared_secret',
  0x003: 'allocate',
  0x004: 'refresh',
  0x005: 'data_indication_old',
  0x006: 'send',
  0x007: 'data',
  0x008: 'create_permission',
  0x009: 'channel_bind',
  0x00a: 'connect',
  0x00b: 'connection_bind',
  0x00c: 'connection_attempt',
};
const TURN_METHODS = [0x003, 0x004, 0x005, 0x006, 0x007, 0x008, 0x009, 0x00a, 0x00b, 0x00c];
/** Message types WhatsApp's relays use outside the IANA registry. */
export const WHATSAPP_MESSAGE_TYPES = [0x0800, 0x0801, 0x0802];
/** RFC 3489 message types (classic STUN has no cookie, so only these are believed). */
const CLASSIC_TYPES = [0x0001, 0x0101, 0x0111, 0x0002, 0x0102, 0x0112, 0x0003, 0x0103, 0x0113, 0x0004, 0x0104, 0x0114, 0x0115, 0x0006, 0x0106, 0x0116];

/** An attribute where it lies in its message (`attributeValue` makes the view when read). */
export interface StunAttribute {
  readonly type: number;
  readonly offset: number;
  readonly length: number;
}

export interface StunMessage {
  readonly type: number;
  /** 12-bit method (class bits removed). */
  readonly method: number;
  /** 0 request, 1 indication, 2 success response, 3 error response. */
  readonly cls: number;
  readonly classic: boolean;
  /** The message's bytes, header first. */
  readonly bytes: Uint8Array;
  /**
   * Offsets rather than value views: a view is an object to make, under an interpreter
   * dearer than the parse around it, and most values are never read.
   */
  readonly attributes: readonly StunAttribute[];
  /** A TURN method (Allocate, Send, Data, ChannelBind, …). */
  readonly turn: boolean;
}

export function methodOf(type: number): number {
  return (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
}

function classOf(type: number): number {
  return ((type & 0x0010) >> 4) | ((type & 0x0100) >> 7);
}

/** Walk the attributes of `b[STUN_HEADER, end)`; null when they do not tile the body. */
function readAttributes(b: Uint8Array, end: number): StunAttribute[] | null {
  var out: StunAttribute[] = [];
  var count = 0;
  var off = STUN_HEADER;
  while (off < end) {
    if (off + 4 > end) return null;
    // Read inline (in bounds: `end` is within `b`): a call per field adds up under txiki.js.
    var type = (b[off]! << 8) | b[off + 1]!;
    var len = (b[off + 2]! << 8) | b[off + 3]!;
    if (off + 4 + len > end) return null;
    // Stored by index, counted here: `push` is a native call under txiki.js.
    out[count++] = { type, offset: off + 4, length: len };
    // Values are padded to 4 bytes; some stacks leave the last one unpadded.
    off += 4 + ((len + 3) & ~3);
    if (count > 64) return null;
  }
  return out;
}

/**
 * One STUN message at the start of `b`. On UDP the message must fill the datagram; on
 * TCP it may be followed by more stream bytes.
 */
export function parseStunMessage(b: Uint8Array, tcp: boolean): StunMessage | null {
  var size = b.length; // read once: a native call under txiki.js
  if (size < STUN_HEADER) return null;
  // Header fields read inline (the length is checked): every datagram of a candidate or
  // claimed flow comes here, and a call per field adds up under txiki.js.
  var type = (b[0]! << 8) | b[1]!;
  var length = (b[2]! << 8) | b[3]!;
  // The two top bits of a STUN message are zero (RFC 7983 demultiplexing).
  if (type === 0 || (type & 0xc000) !== 0) return null;
  var end = STUN_HEADER + length;
  if (tcp ? end > size : end !== size) return null;
  var classic = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) !== MAGIC_COOKIE; // the cookie's top bit is 0
  var whatsapp = type >= WHATSAPP_MESSAGE_TYPES[0]! && type <= WHATSAPP_MESSAGE_TYPES[2]!; // consecutive
  var method = methodOf(type);
  if (classic) {
    // Without a cookie only RFC 3489's own types, with a body of whole words that tiles,
    // are believed;
    // and not on TCP, where RFC 5389 made the cookie mandatory.
    if (tcp || !CLASSIC_TYPES.includes(type) || length % 4 !== 0) return null;
  } else if (!whatsapp && METHOD_NAMES[method] === undefined) {
    return null;
  }
  var attributes = readAttributes(b, end);
  if (!attributes) return null;
  return {
    type,
    method,
    cls: classOf(type),
    classic,
    bytes: b,
    attributes,
    turn: method >= TURN_METHODS[0]! && method <= TURN_METHODS[TURN_METHODS.length - 1]!, // consecutive
  };
}

/** An attribute's value bytes. */
export function attributeValue(m: StunMessage, a: StunAttribute): Uint8Array {
  return m.bytes.subarray(a.offset, a.offset + a.length);
}

/** The 96-bit transaction ID (header bytes 8–20). */
export function transactionId(m: StunMessage): Uint8Array {
  return m.bytes.subarray(8, STUN_HEADER);
}

/** STUN inside its framings: RFC 4571 length (TCP) and MS-TURN multiplexing. */
export function unframeStun(b: Uint8Array, tcp: boolean): Uint8Array {
  // The length read once, and kept as views are cut: a native call each under txiki.js.
  var p = b;
  var size = b.length;
  if (tcp && size >= STUN_HEADER + 2 && u16be(p, 0) + 2 === size) {
    p = p.subarray(2);
    size -= 2;
  }
  if (size >= STUN_HEADER + MS_TURN_HEADER && ((p[0]! << 8) | p[1]!) === MS_TURN_MULTIPLEXED && ((p[2]! << 8) | p[3]!) + 4 === size) {
    p = p.subarray(MS_TURN_HEADER);
  }
  return p;
}

/** TURN ChannelData (RFC 8656 §12.4): channel 0x4000–0x7FFF, length, data (UDP: padded). */
export function parseChannelData(b: Uint8Array, tcp: boolean): { readonly channel: number; readonly data: Uint8Array } | null {
  if (b.length < 4) return null;
  const channel = (b[0]! << 8) | b[1]!;
  const len = (b[2]! << 8) | b[3]!;
  if (channel < 0x4000 || channel > 0x7fff) return null;
  const padded = 4 + ((len + 3) & ~3);
  if (tcp ? 4 + len > b.length : b.length !== 4 + len && b.length !== padded) return null;
  return { channel, data: b.subarray(4, 4 + len) };
}

export interface TransportAddress {
  readonly ip: string;
  readonly port: number;
}

/**
 * A (XOR-)MAPPED-ADDRESS style value: reserved, family (1 IPv4, 2 IPv6), port, address.
 * XOR forms are unmasked with the cookie (port, IPv4) and cookie + transaction id (IPv6).
 */
export function decodeAddress(value: Uint8Array, xor: boolean, transactionId: Uint8Array): TransportAddress | null {
  const family = value[1];
  const len = family === 1 ? 4 : family === 2 ? 16 : -1;
  if (len < 0 || value.length !== 4 + len) return null;
  const mask = new Uint8Array(16);
  if (xor) {
    mask.set([0x21, 0x12, 0xa4, 0x42]);
    mask.set(transactionId.subarray(0, 12), 4);
  }
  const port = u16be(value, 2) ^ (xor ? MAGIC_COOKIE >>> 16 : 0);
  const addr = new Uint8Array(len);
  for (let i = 0; i < len; i++) addr[i] = value[4 + i]! ^ mask[i]!;
  return { ip: len === 4 ? ipv4Text(addr, 0) : ipv6Text(addr, 0), port };
}
