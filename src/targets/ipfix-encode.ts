/**
 * IPFIX encoding (RFC 7011) — pure. Three templates: IPv4 and IPv6 flows (addresses,
 * ports, protocol, octet and packet counts, start and end in ms, the application as
 * `applicationId` (RFC 6759) and the host name as a variable-length enterprise field),
 * and an options template mapping each applicationId to its `applicationName` and
 * `applicationDescription` (RFC 6759 §5), the table collectors such as nfdump read.
 *
 * Application ids use Classification Engine 13 (PANA-L7, a vendor's own layer-7 ids)
 * and a 3-byte selector from the application name (FNV-1a), so every router of a fleet
 * gives an application the same id without a shared table.
 */
import { writeAddress } from './element.js';
import { encodeUtf8 } from '../util/bytes.js';

export const IPFIX_VERSION = 10;
export const SET_TEMPLATE = 2;
export const SET_OPTIONS_TEMPLATE = 3;
export const TEMPLATE_V4 = 256;
export const TEMPLATE_V6 = 257;
export const TEMPLATE_APPS = 258;
/** Information element ids (IANA IPFIX registry). */
export const IE = {
  octetDeltaCount: 1,
  packetDeltaCount: 2,
  protocolIdentifier: 4,
  sourceTransportPort: 7,
  sourceIPv4Address: 8,
  destinationTransportPort: 11,
  destinationIPv4Address: 12,
  sourceIPv6Address: 27,
  destinationIPv6Address: 28,
  applicationDescription: 94,
  applicationId: 95,
  applicationName: 96,
  flowStartMilliseconds: 152,
  flowEndMilliseconds: 153,
} as const;
/** The host name's element number under the exporter's enterprise number. */
export const ENTERPRISE_HOST_NAME = 1;
export const VARIABLE_LENGTH = 0xffff;
export const APP_ID_LENGTH = 4;
/** Fixed lengths of the option record's strings (zero-padded). */
export const APP_NAME_LENGTH = 64;
export const PANA_L7 = 13;
const MESSAGE_HEADER = 16;
const SET_HEADER = 4;

export interface IpfixFlow {
  readonly ipVersion: 4 | 6;
  readonly source: string;
  readonly destination: string;
  readonly sourcePort: number;
  readonly destinationPort: number;
  readonly protocol: number;
  readonly octets: number;
  readonly packets: number;
  readonly startMs: number;
  readonly endMs: number;
  /** Application (or protocol) name; its id is derived from it. */
  readonly application: string;
  readonly hostName: string;
}

export interface AppEntry {
  readonly name: string;
  readonly description: string;
}

/** RFC 6759 applicationId: engine 13 (PANA-L7) and a 24-bit selector from the name. */
export function applicationId(name: string): Uint8Array {
  let h = 0x811c9dc5;
  for (const b of encodeUtf8(name)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return new Uint8Array([PANA_L7, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff]);
}

interface Field {
  readonly id: number;
  readonly length: number;
  readonly enterprise?: number;
}

function flowFields(v: 4 | 6, pen: number): Field[] {
  return [
    { id: v === 4 ? IE.sourceIPv4Address : IE.sourceIPv6Address, length: v === 4 ? 4 : 16 },
    { id: v === 4 ? IE.destinationIPv4Address : IE.destinationIPv6Address, length: v === 4 ? 4 : 16 },
    { id: IE.sourceTransportPort, length: 2 },
    { id: IE.destinationTransportPort, length: 2 },
    { id: IE.protocolIdentifier, length: 1 },
    { id: IE.octetDeltaCount, length: 8 },
    { id: IE.packetDeltaCount, length: 8 },
    { id: IE.flowStartMilliseconds, length: 8 },
    { id: IE.flowEndMilliseconds, length: 8 },
    // Variable length, as the octetArray it is: collectors then keep its bytes in order
    // (nfdump reads a fixed 4-byte field as a number and swaps it).
    { id: IE.applicationId, length: VARIABLE_LENGTH },
    { id: ENTERPRISE_HOST_NAME, length: VARIABLE_LENGTH, enterprise: pen },
  ];
}

/** A growing byte buffer with big-endian writers (network order throughout IPFIX). */
class Bytes {
  buf = new Uint8Array(256);
  len = 0;
  private view = new DataView(this.buf.buffer);

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }
  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.len, v);
    this.len += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.len, v >>> 0);
    this.len += 4;
  }
  u64(v: number): void {
    this.room(8);
    this.view.setBigUint64(this.len, BigInt(Math.max(0, Math.floor(v))));
    this.len += 8;
  }
  bytes(b: Uint8Array, fixed = b.length): void {
    this.room(fixed);
    this.buf.set(b.subarray(0, fixed), this.len);
    this.buf.fill(0, this.len + Math.min(b.length, fixed), this.len + fixed);
    this.len += fixed;
  }
  setU16(at: number, v: number): void {
    this.view.setUint16(at, v);
  }
  take(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function templateRecord(out: Bytes, id: number, fields: readonly Field[], scopeCount: number | null): void {
  out.u16(id);
  out.u16(fields.length);
  if (scopeCount !== null) out.u16(scopeCount);
  for (const f of fields) {
    out.u16(f.enterprise !== undefined ? f.id | 0x8000 : f.id);
    out.u16(f.length);
    if (f.enterprise !== undefined) out.u32(f.enterprise);
  }
}

/** The template set and the options template set, as two sets. */
export function templateSets(pen: number): Uint8Array[] {
  const t = new Bytes();
  t.u16(SET_TEMPLATE);
  t.u16(0);
  templateRecord(t, TEMPLATE_V4, flowFields(4, pen), null);
  templateRecord(t, TEMPLATE_V6, flowFields(6, pen), null);
  t.setU16(2, t.len);
  const o = new Bytes();
  o.u16(SET_OPTIONS_TEMPLATE);
  o.u16(0);
  // Scope: the applicationId; the id again as an option field, because nfdump takes the
  // id of its application table from the option fields only.
  templateRecord(
    o,
    TEMPLATE_APPS,
    [
      { id: IE.applicationId, length: APP_ID_LENGTH },
      { id: IE.applicationId, length: APP_ID_LENGTH },
      { id: IE.applicationName, length: APP_NAME_LENGTH },
      { id: IE.applicationDescription, length: APP_NAME_LENGTH },
    ],
    1,
  );
  // Sets end on a 4-byte boundary (RFC 7011 §3.3.1 allows padding).
  while (o.len % 4) o.u8(0);
  o.setU16(2, o.len);
  return [t.take(), o.take()];
}

/** RFC 7011 §7: a length octet, or 255 and two length octets, then the bytes. */
function variableField(out: Bytes, b: Uint8Array): void {
  if (b.length < 255) out.u8(b.length);
  else {
    out.u8(255);
    out.u16(b.length);
  }
  out.bytes(b);
}

/** One data record of a flow (without the set header). */
export function flowRecord(f: IpfixFlow): { template: number; bytes: Uint8Array } {
  const out = new Bytes();
  const addr = new Uint8Array(16);
  const alen = f.ipVersion === 4 ? 4 : 16;
  writeAddress(addr, 0, f.source, f.ipVersion);
  out.bytes(addr, alen);
  addr.fill(0);
  writeAddress(addr, 0, f.destination, f.ipVersion);
  out.bytes(addr, alen);
  out.u16(f.sourcePort);
  out.u16(f.destinationPort);
  out.u8(f.protocol);
  out.u64(f.octets);
  out.u64(f.packets);
  out.u64(f.startMs);
  out.u64(f.endMs);
  variableField(out, applicationId(f.application));
  variableField(out, encodeUtf8(f.hostName).subarray(0, 65535));
  return { template: f.ipVersion === 4 ? TEMPLATE_V4 : TEMPLATE_V6, bytes: out.take() };
}

/** One option record of the application table. */
export function appRecord(a: AppEntry): Uint8Array {
  const out = new Bytes();
  const id = applicationId(a.name);
  out.bytes(id);
  out.bytes(id);
  // Zero-padded, and at least one NUL at the end (nfdump terminates the string there).
  out.bytes(encodeUtf8(a.name).subarray(0, APP_NAME_LENGTH - 1), APP_NAME_LENGTH);
  out.bytes(encodeUtf8(a.description).subarray(0, APP_NAME_LENGTH - 1), APP_NAME_LENGTH);
  return out.take();
}

/** A set of records of one template (`records` already encoded). */
export function dataSet(template: number, records: readonly Uint8Array[]): Uint8Array {
  const out = new Bytes();
  out.u16(template);
  out.u16(0);
  for (const r of records) out.bytes(r);
  out.setU16(2, out.len);
  return out.take();
}

/** A message: header and sets. `sequence` counts the data records sent before it. */
export function message(sets: readonly Uint8Array[], exportTimeS: number, sequence: number, domain: number): Uint8Array {
  const out = new Bytes();
  out.u16(IPFIX_VERSION);
  out.u16(0);
  out.u32(exportTimeS);
  out.u32(sequence);
  out.u32(domain);
  for (const s of sets) out.bytes(s);
  out.setU16(2, out.len);
  return out.take();
}

/** Sets → messages of at most `maxBytes` (a UDP datagram's worth), in order. */
export function packSets(sets: readonly Uint8Array[], maxBytes: number): Uint8Array[][] {
  const groups: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  let size = MESSAGE_HEADER;
  for (const s of sets) {
    if (cur.length && size + s.length > maxBytes) {
      groups.push(cur);
      cur = [];
      size = MESSAGE_HEADER;
    }
    cur.push(s);
    size += s.length;
  }
  if (cur.length) groups.push(cur);
  return groups;
}

export { SET_HEADER, MESSAGE_HEADER };
