/**
 * QUIC packet headers: the checks nDPI makes before calling a datagram a client's first
 * packet (Initial, 0-RTT), and the long-header layout walked to find each coalesced packet.
 */
import { u32be } from '../../util/bytes.js';
import { gquicNumber, hasIetfLongHeader, isForcingVn, isGquic, isIetf, longPacketType, Q046, Q050, V2 } from './versions.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/** Connection ids are at most 20 bytes since draft-22. */
const MAX_CID = 20;
/** Clients pad datagrams carrying Initials to at least 1200 bytes. */
const MIN_INITIAL_DATAGRAM = 1200;

/**
 * The version of a datagram that looks like a client's first packet (nDPI's
 * `may_be_initial_pkt`), or null. Google QUIC before Q046 puts the version after an
 * 8-byte connection id in a "public header"; everything since uses long headers.
 */
export function initialVersion(d: Uint8Array): number | null {
  if (d.length < MIN_INITIAL_DATAGRAM) return null;
  const f = d[0]!;
  let version = 0;
  if (f & 0x80) version = u32be(d, 1);
  else if (f & 0x08 && !(f & 0x40) && f & 0x01) version = u32be(d, 9);
  if (!isGquic(version) && !isIetf(version)) return null;
  const g = gquicNumber(version);
  if (g !== 0 && g <= 43 && (!(f & 0x08) || f & 0x30)) return null;
  if (version === Q046 && (f & 0x03) !== 0x03) return null;
  // Long-header type bits must say Initial (v2 renumbered the types).
  if (((isIetf(version) && version !== V2) || version === Q046 || version === Q050) && f & 0x30) return null;
  if (version === V2 && (f & 0x30) !== 0x10) return null;
  if (isForcingVn(version) && (f & 0xc0) !== 0xc0) return null;
  if (hasIetfLongHeader(version)) {
    const dcidLen = d[5]!;
    const scidLen = d[6 + dcidLen];
    if (dcidLen > MAX_CID || scidLen === undefined || scidLen > MAX_CID) return null;
  }
  return version;
}

/** An IETF-style 0-RTT packet (nDPI's `may_be_0rtt`): its version, or null. */
export function zeroRttVersion(d: Uint8Array): number | null {
  if (d.length < 6) return null;
  const f = d[0]!;
  const version = u32be(d, 1);
  if (!isIetf(version) || (f & 0xc0) !== 0xc0) return null;
  if (longPacketType(f, version) !== 1) return null;
  const dcidLen = d[5]!;
  if (d.length <= 6 + dcidLen) return null;
  const scidLen = d[6 + dcidLen]!;
  if (d.length <= 7 + dcidLen + scidLen) return null;
  if (dcidLen > MAX_CID || scidLen > MAX_CID) return null;
  return version;
}

export interface LongHeader {
  readonly first: number;
  readonly version: number;
  /** 0 Initial, 1 0-RTT, 2 Handshake, 3 Retry (v1 numbering). */
  readonly type: number;
  readonly dcid: Uint8Array;
  readonly scid: Uint8Array;
  /** Offset of the (protected) packet number, relative to the datagram. */
  readonly pnOffset: number;
  /** Offset just past this packet (where a coalesced one may start). */
  readonly end: number;
}

/**
 * The long-header packet at `o` (IETF invariants), or null if it is cut short, is a
 * Retry or version negotiation (no Length field), or claims more bytes than there are.
 */
export function readLongHeader(d: Uint8Array, o: number): LongHeader | null {
  var first = d[o];
  if (first === undefined || !(first & 0x80)) return null;
  var n = d.length; // read once: a native call under txiki.js
  var version = u32be(d, o + 1);
  if (version <= 0) return null;
  var p = o + 5;
  var dcidLen = d[p];
  if (dcidLen === undefined || dcidLen > MAX_CID || p + 1 + dcidLen >= n) return null;
  var dcid = d.subarray(p + 1, p + 1 + dcidLen);
  p += 1 + dcidLen;
  var scidLen = d[p]!;
  if (scidLen > MAX_CID || p + 1 + scidLen > n) return null;
  var scid = d.subarray(p + 1, p + 1 + scidLen);
  p += 1 + scidLen;
  var type = longPacketType(first, version);
  if (type === 3) return null;
  // The token length (Initials) and the Length field: varints read inline (varint.ts's
  // rules), as every datagram offered to QUIC has its headers read.
  if (type === 0) {
    if (p >= n) return null;
    var size = 1 << (d[p]! >> 6);
    if (p + size > n) return null;
    var token = d[p]! & 0x3f;
    for (var i = 1; i < size; i++) token = token * 256 + d[p + i]!;
    p += size + token;
    if (p > n) return null;
  }
  if (p >= n) return null;
  var size = 1 << (d[p]! >> 6);
  if (p + size > n) return null;
  var len = d[p]! & 0x3f;
  for (var i = 1; i < size; i++) len = len * 256 + d[p + i]!;
  var pnOffset = p + size;
  var end = pnOffset + len;
  if (end > n) return null;
  return { first, version, type, dcid, scid, pnOffset, end };
}

/**
 * Short-header packets from a client to port 443 (nDPI's `may_be_sh`): the first 8 bytes
 * after the flags are the server's connection id; three packets with the same id and
 * differing last bytes make a QUIC flow seen only after its handshake.
 */
export interface ShortHeaderTrail {
  cid: Uint8Array | null;
  lastByte: number;
  stage: number;
}

/** 1: QUIC; -1: keep looking; 0: not this. */
export function shortHeaderStep(t: ShortHeaderTrail, d: Uint8Array, srcPort: number, dstPort: number): 1 | -1 | 0 {
  if (d.length === 0 || !(d[0]! & 0x40)) return 0;
  if (dstPort !== 443) return srcPort === 443 ? -1 : 0;
  if (d.length < 9) return 0;
  const last = d[d.length - 1]!;
  const cid = d.subarray(1, 9);
  if (t.cid) {
    for (let i = 0; i < 8; i++) if (cid[i] !== t.cid[i]) return 0;
    if (t.lastByte === last) return 0;
    t.stage++;
    t.lastByte = last;
    return t.stage >= 3 ? 1 : -1;
  }
  t.cid = cid.slice();
  t.stage = 1;
  t.lastByte = last;
  return -1;
}

/** A Google QUIC REJ from port 443 (nDPI's `may_be_gquic_rej`). */
export function isGquicReject(d: Uint8Array, srcPort: number): boolean {
  if (srcPort !== 443 || d[0] !== 0x08 || d.length < 1 + 8 + 1 + 12 + 16) return false;
  for (let i = 22; i + 3 <= 22 + 16 - 3 + 2 && i + 3 <= d.length; i++) {
    if (d[i] === 0x52 && d[i + 1] === 0x45 && d[i + 2] === 0x4a) return true;
  }
  return false;
}
