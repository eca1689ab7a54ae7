/**
 * blobmsg: named, typed blob attributes (libubox blobmsg.c). Each is an extended blob
 * attribute whose payload starts with a BE u16 name length, the name, a NUL, zero padding
 * to 4 bytes, then the value. Arrays and tables nest attributes (array items carry empty
 * names). Integers are big-endian; bool is int8; double is the IEEE bits as a BE u64.
 *
 * Two views: `BlobmsgAttr` trees keep every type exactly (an int16 stays an int16, an
 * int64 is a bigint) so encode(decode(x)) gives x back byte for byte; `toJson`/`fromJson`
 * map to plain values the way libubox's blobmsg_json does for `ubus call`.
 */
import { utf8, encodeUtf8 } from '../util/bytes.js';
import { BlobError, BlobWriter, padLen, parseBlobAttrs, readU16, readU32 } from './blob.js';

export const BLOBMSG_TYPE = {
  unspec: 0,
  array: 1,
  table: 2,
  string: 3,
  int64: 4,
  int32: 5,
  int16: 6,
  int8: 7,
  double: 8,
} as const;

export type BlobmsgTypeName = keyof typeof BLOBMSG_TYPE;
const TYPE_NAMES: readonly BlobmsgTypeName[] = ['unspec', 'array', 'table', 'string', 'int64', 'int32', 'int16', 'int8', 'double'];

export type BlobmsgValue =
  | { readonly type: 'unspec'; readonly bytes: Uint8Array }
  | { readonly type: 'array' | 'table'; readonly items: readonly BlobmsgAttr[] }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'int64'; readonly value: bigint }
  | { readonly type: 'int32' | 'int16' | 'int8'; readonly value: number }
  | { readonly type: 'double'; readonly value: number };

export interface BlobmsgAttr {
  readonly name: string;
  readonly value: BlobmsgValue;
}

/** A JSON-like value as blobmsg_json produces and accepts it (bigint for int64 beyond 2^53). */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Length of the name header: u16 length, name, NUL, padded to 4 (blobmsg_hdrlen). */
export function blobmsgHeaderLen(nameBytes: number): number {
  return padLen(2 + nameBytes + 1);
}

// ------------------------------------------------------------------ encoding

function writeValue(w: BlobWriter, v: BlobmsgValue): void {
  switch (v.type) {
    case 'unspec':
      w.bytes(v.bytes);
      return;
    case 'array':
    case 'table':
      for (const item of v.items) writeAttr(w, item);
      return;
    case 'string':
      w.bytes(encodeUtf8(v.value));
      w.u8(0);
      return;
    case 'int64':
      w.u64(v.value);
      return;
    case 'int32':
      w.u32(v.value >>> 0);
      return;
    case 'int16':
      w.u16(v.value & 0xffff);
      return;
    case 'int8':
      w.u8(v.value & 0xff);
      return;
    case 'double':
      w.f64(v.value);
      return;
  }
}

/** Append one blobmsg attribute (blobmsg_add_field / blobmsg_open_nested). */
export function writeAttr(w: BlobWriter, a: BlobmsgAttr): void {
  const name = encodeUtf8(a.name);
  if (name.length > 0xffff) throw new RangeError(`blobmsg name of ${name.length} bytes is longer than 65535`);
  const mark = w.begin();
  w.u16(name.length);
  w.bytes(name);
  w.u8(0);
  w.pad();
  writeValue(w, a.value);
  w.end(mark, BLOBMSG_TYPE[a.value.type], true);
}

/** The attributes back to back: a table's content, or the payload of ubus's DATA. */
export function encodeBlobmsg(attrs: readonly BlobmsgAttr[]): Uint8Array {
  const w = new BlobWriter();
  for (const a of attrs) writeAttr(w, a);
  return w.finish();
}

// ------------------------------------------------------------------ decoding

/** Signed value of an n-byte big-endian integer (blobmsg_format_json prints them signed). */
function signed(v: number, bits: number): number {
  const shift = 32 - bits;
  return bits === 32 ? v | 0 : (v << shift) >> shift;
}

const EXACT_LEN: Partial<Record<BlobmsgTypeName, number>> = { int64: 8, int32: 4, int16: 2, int8: 1, double: 8 };

function decodeValue(type: BlobmsgTypeName, b: Uint8Array, base: number, depth: number): BlobmsgValue {
  const exact = EXACT_LEN[type];
  if (exact !== undefined && b.length !== exact) throw new BlobError(`${type} value of ${b.length} bytes (must be ${exact})`, base);
  switch (type) {
    case 'unspec':
      return { type, bytes: b.slice() };
    case 'array':
    case 'table':
      return { type, items: decodeAttrs(b, type === 'table', base, depth + 1) };
    case 'string':
      if (b.length < 1 || b[b.length - 1] !== 0) throw new BlobError('string value without its terminating NUL', base);
      return { type, value: utf8(b, 0, b.length - 1) };
    case 'int64':
      return { type, value: BigInt.asIntN(64, (BigInt(readU32(b, 0)) << 32n) | BigInt(readU32(b, 4))) };
    case 'int32':
      return { type, value: signed(readU32(b, 0), 32) };
    case 'int16':
      return { type, value: signed(readU16(b, 0), 16) };
    case 'int8':
      return { type, value: signed(b[0]!, 8) };
    case 'double':
      return { type, value: new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, false) };
  }
}

/** Nesting beyond this is refused: a hostile peer must not exhaust the stack. */
export const MAX_DEPTH = 64;

/**
 * Decode attributes back to back (blobmsg_check_attr_len's checks): each must be an
 * extended attribute of a known type whose name header fits and ends in a NUL, with a
 * value of its type's size. `named`: entries of a table must have non-empty names.
 * `base` is added to offsets in error messages.
 */
export function decodeAttrs(b: Uint8Array, named: boolean, base = 0, depth = 0): BlobmsgAttr[] {
  if (depth > MAX_DEPTH) throw new BlobError(`blobmsg nested deeper than ${MAX_DEPTH} levels`, base);
  const out: BlobmsgAttr[] = [];
  for (const raw of parseBlobAttrs(b)) {
    const at = base + raw.offset;
    if (!raw.extended) throw new BlobError('plain blob attribute where a blobmsg attribute belongs', at);
    const type = TYPE_NAMES[raw.id];
    if (!type) throw new BlobError(`unknown blobmsg type ${raw.id}`, at);
    const p = raw.payload;
    if (p.length < 2) throw new BlobError('blobmsg attribute too short for its name header', at);
    const nameLen = readU16(p, 0);
    const hdr = blobmsgHeaderLen(nameLen);
    if (p.length < hdr || p[2 + nameLen] !== 0) throw new BlobError(`blobmsg name of ${nameLen} bytes does not fit its attribute`, at);
    if (named && nameLen === 0) throw new BlobError('table entry without a name', at);
    const name = utf8(p, 2, 2 + nameLen);
    out.push({ name, value: decodeValue(type, p.subarray(hdr), at + 4 + hdr, depth) });
  }
  return out;
}

/** Decode a table's content (names required) — the DATA of an ubus message. */
export function decodeBlobmsg(b: Uint8Array, base = 0): BlobmsgAttr[] {
  return decodeAttrs(b, true, base);
}

// ------------------------------------------------------------------ JSON mapping

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

/** A plain value as blobmsg_add_json_element encodes it. */
export function jsonToValue(v: JsonValue): BlobmsgValue {
  if (v === null) return { type: 'unspec', bytes: new Uint8Array(0) };
  if (typeof v === 'boolean') return { type: 'int8', value: v ? 1 : 0 };
  if (typeof v === 'bigint') {
    return v >= BigInt(INT32_MIN) && v <= BigInt(INT32_MAX) ? { type: 'int32', value: Number(v) } : { type: 'int64', value: v };
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) return { type: 'double', value: v };
    if (v >= INT32_MIN && v <= INT32_MAX) return { type: 'int32', value: v };
    return { type: 'int64', value: BigInt(v) };
  }
  if (typeof v === 'string') return { type: 'string', value: v };
  if (Array.isArray(v)) return { type: 'array', items: v.map((x) => ({ name: '', value: jsonToValue(x) })) };
  return { type: 'table', items: fromJson(v) };
}

/** An object's fields as table entries, in insertion order; undefined fields are left out. */
export function fromJson(obj: { readonly [key: string]: JsonValue | undefined }): BlobmsgAttr[] {
  const out: BlobmsgAttr[] = [];
  for (const [name, v] of Object.entries(obj)) if (v !== undefined) out.push({ name, value: jsonToValue(v) });
  return out;
}

/** As blobmsg_format_json: int8 is a boolean, int64 a number (a bigint past 2^53), unspec null. */
export function valueToJson(v: BlobmsgValue): JsonValue {
  switch (v.type) {
    case 'unspec':
      return null;
    case 'array':
      return v.items.map((i) => valueToJson(i.value));
    case 'table':
      return toJson(v.items);
    case 'int8':
      return v.value !== 0;
    case 'int64': {
      const n = Number(v.value);
      return Number.isSafeInteger(n) ? n : v.value;
    }
    default:
      return v.value;
  }
}

/** Table entries as an object (a repeated name keeps its last value, as json-c does). */
export function toJson(attrs: readonly BlobmsgAttr[]): JsonObject {
  const out: JsonObject = {};
  for (const a of attrs) out[a.name] = valueToJson(a.value);
  return out;
}

export function blobmsgTypeName(id: number): BlobmsgTypeName | undefined {
  return TYPE_NAMES[id];
}
