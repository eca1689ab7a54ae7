/**
 * DNS wire format (RFC 1035 §4), shared by DNS, mDNS and LLMNR: header, questions and
 * resource records, with name compression. Pure and bounds-checked: malformed input gives
 * null or a message marked incomplete, never an exception.
 */
import { ipv4Text, ipv6Text } from '../../net/format.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export const DNS_HEADER_LENGTH = 12;

export const TYPE_A = 1;
export const TYPE_CNAME = 5;
export const TYPE_PTR = 12;
export const TYPE_AAAA = 28;
export const TYPE_OPT = 41;

export interface DnsHeader {
  readonly id: number;
  /** true for a response (QR bit). */
  readonly response: boolean;
  readonly opcode: number;
  readonly truncated: boolean;
  readonly rcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
}

/**
 * A domain name where it lies in its message: the offset of each label's length byte, in
 * order (root = no labels). Offsets, not label views: a view is an object to allocate, and
 * most names are never turned into text.
 */
export interface DnsName {
  readonly msg: Uint8Array;
  readonly labels: readonly number[];
}

export interface DnsQuestion {
  readonly name: DnsName;
  readonly type: number;
  /** Class with mDNS's unicast-response bit cleared. */
  readonly cls: number;
}

export interface DnsRecord {
  readonly section: 'answer' | 'authority' | 'additional';
  readonly name: DnsName;
  readonly type: number;
  readonly cls: number;
  readonly ttl: number;
  /** Offset of the RDATA within the message, and its length. */
  readonly rdataOffset: number;
  readonly rdataLength: number;
}

export interface DnsMessage {
  readonly header: DnsHeader;
  readonly questions: readonly DnsQuestion[];
  /** Records that parsed, in message order (answers, then authority, then additional). */
  readonly records: readonly DnsRecord[];
  /**
   * 'complete': every declared record parsed; 'short': the bytes ran out (a truncated or
   * fragmented message); 'invalid': a record broke the format.
   */
  readonly recordsStatus: 'complete' | 'short' | 'invalid';
  /** Offset just after the last record parsed. */
  readonly end: number;
}

type NameResult = { readonly name: DnsName; readonly end: number } | 'short' | 'invalid';

/** Longest legal name on the wire, RFC 1035 §3.1. */
const MAX_NAME_WIRE_LENGTH = 255;

/**
 * Read the name at `offset` in `msg`, following compression pointers. A pointer must
 * point backwards (to an earlier name), which also rules out loops.
 */
export function readName(msg: Uint8Array, offset: number): NameResult {
  // The length read once and the labels stored by index: under txiki.js a typed array's
  // `length` and an array's `push` are each a native call, per label.
  var size = msg.length;
  var labels: number[] = [];
  var count = 0;
  var pos = offset;
  var end = -1; // where the name ends in the original position (after the first pointer)
  var wireLength = 1;
  var lowest = offset;
  for (;;) {
    if (pos >= size) return 'short';
    var len = msg[pos]!;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { name: { msg, labels }, end };
    }
    var kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 2 > size) return 'short';
      var target = ((len & 0x3f) << 8) | msg[pos + 1]!;
      if (target >= lowest || target < DNS_HEADER_LENGTH) return 'invalid';
      if (end < 0) end = pos + 2;
      lowest = target;
      pos = target;
      continue;
    }
    if (kind !== 0) return 'invalid'; // 0x40/0x80 label types are obsolete or unassigned
    wireLength += len + 1;
    if (wireLength > MAX_NAME_WIRE_LENGTH) return 'invalid';
    if (pos + 1 + len > size) return 'short';
    labels[count++] = pos;
    pos += 1 + len;
  }
}

export function parseDnsHeader(msg: Uint8Array): DnsHeader | null {
  if (msg.length < DNS_HEADER_LENGTH) return null;
  // Read inline (the length is checked): a call per field adds up under txiki.js.
  const flags = (msg[2]! << 8) | msg[3]!;
  return {
    id: (msg[0]! << 8) | msg[1]!,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0x0f,
    truncated: (flags & 0x0200) !== 0,
    rcode: flags & 0x0f,
    qdcount: (msg[4]! << 8) | msg[5]!,
    ancount: (msg[6]! << 8) | msg[7]!,
    nscount: (msg[8]! << 8) | msg[9]!,
    arcount: (msg[10]! << 8) | msg[11]!,
  };
}

/** The record sections in message order (their counts are the header's an/ns/arcount). */
const SECTIONS: readonly DnsRecord['section'][] = ['answer', 'authority', 'additional'];

/**
 * Parse a whole message. Null when the header or a question does not parse (the questions
 * are what names a flow, so they must be whole); records are parsed as far as they go.
 */
export function parseDnsMessage(msg: Uint8Array): DnsMessage | null {
  var header = parseDnsHeader(msg);
  if (!header) return null;
  var size = msg.length; // read once: a native call under txiki.js
  // Each question takes at least 5 bytes and each record 11: counts beyond that are noise.
  var minimum = DNS_HEADER_LENGTH + header.qdcount * 5;
  if (minimum > size) return null;
  var pos = DNS_HEADER_LENGTH;
  var questions: DnsQuestion[] = [];
  for (var i = 0; i < header.qdcount; i++) {
    var n = readName(msg, pos);
    if (typeof n === 'string') return null;
    var e = n.end;
    if (e + 4 > size) return null;
    // Fields read inline (bounds checked above): a call each adds up under txiki.js.
    questions.push({ name: n.name, type: (msg[e]! << 8) | msg[e + 1]!, cls: ((msg[e + 2]! << 8) | msg[e + 3]!) & 0x7fff });
    pos = e + 4;
  }
  var records: DnsRecord[] = [];
  var status: DnsMessage['recordsStatus'] = 'complete';
  outer: for (var k = 0; k < 3; k++) {
    var section = SECTIONS[k]!;
    var count = k === 0 ? header.ancount : k === 1 ? header.nscount : header.arcount;
    for (var i = 0; i < count; i++) {
      var n = readName(msg, pos);
      if (typeof n === 'string') {
        status = n;
        break outer;
      }
      var e = n.end;
      if (e + 10 > size) {
        status = 'short';
        break outer;
      }
      var rdataLength = (msg[e + 8]! << 8) | msg[e + 9]!;
      var rdataOffset = e + 10;
      if (rdataOffset + rdataLength > size) {
        status = 'short';
        break outer;
      }
      records.push({
        section,
        name: n.name,
        type: (msg[e]! << 8) | msg[e + 1]!,
        cls: ((msg[e + 2]! << 8) | msg[e + 3]!) & 0x7fff,
        ttl: ((msg[e + 4]! << 24) >>> 0) + ((msg[e + 5]! << 16) | (msg[e + 6]! << 8) | msg[e + 7]!),
        rdataOffset,
        rdataLength,
      });
      pos = rdataOffset + rdataLength;
    }
  }
  return { header, questions, records, recordsStatus: status, end: pos };
}

/** Address carried by an A or AAAA record, or null for other types or odd lengths. */
export function recordAddress(msg: Uint8Array, r: DnsRecord): string | null {
  if (r.type === TYPE_A && r.rdataLength === 4) return ipv4Text(msg, r.rdataOffset);
  if (r.type === TYPE_AAAA && r.rdataLength === 16) return ipv6Text(msg, r.rdataOffset);
  return null;
}

/** Target name of a CNAME or PTR record (may use compression), or null. */
export function recordTargetName(msg: Uint8Array, r: DnsRecord): DnsName | null {
  if (r.type !== TYPE_CNAME && r.type !== TYPE_PTR) return null;
  const n = readName(msg, r.rdataOffset);
  return typeof n === 'string' || n.end > r.rdataOffset + r.rdataLength ? null : n.name;
}

/** Classes a real question or record uses: IN, CH, HS, NONE (updates), ANY. */
export function isKnownClass(cls: number): boolean {
  return cls === 1 || cls === 3 || cls === 4 || cls === 254 || cls === 255;
}
