/**
 * A bounded bencode reader (BEP 3), enough to validate BitTorrent DHT KRPC messages
 * (BEP 5). Strings stay byte views; dictionaries keep their keys as latin-1 text.
 * Depth, item count and lengths are capped so a hostile datagram costs little.
 */
import { latin1 } from '../../util/bytes.js';

export type BValue = Uint8Array | number | BValue[] | BDict;
export interface BDict {
  readonly kind: 'dict';
  readonly entries: Map<string, BValue>;
}

const MAX_DEPTH = 8;
const MAX_ITEMS = 512;
/** Integers longer than this are not plausible in KRPC (and would lose precision). */
const MAX_INT_DIGITS = 15;

interface Cursor {
  pos: number;
  items: number;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function readString(b: Uint8Array, c: Cursor): Uint8Array | null {
  let len = 0;
  let digits = 0;
  while (isDigit(b[c.pos])) {
    len = len * 10 + (b[c.pos]! - 0x30);
    c.pos++;
    if (++digits > 7) return null;
  }
  // A leading zero is only allowed for the empty string ("0:").
  if (digits === 0 || b[c.pos] !== 0x3a || (digits > 1 && b[c.pos - digits] === 0x30)) return null;
  c.pos++;
  if (c.pos + len > b.length) return null;
  const s = b.subarray(c.pos, c.pos + len);
  c.pos += len;
  return s;
}

function readInt(b: Uint8Array, c: Cursor): number | null {
  c.pos++; // 'i'
  let neg = false;
  if (b[c.pos] === 0x2d) {
    neg = true;
    c.pos++;
  }
  const start = c.pos;
  let v = 0;
  while (isDigit(b[c.pos])) {
    v = v * 10 + (b[c.pos]! - 0x30);
    c.pos++;
  }
  const digits = c.pos - start;
  if (digits === 0 || digits > MAX_INT_DIGITS || b[c.pos] !== 0x65) return null;
  if (digits > 1 && b[start] === 0x30) return null; // no leading zeros
  if (neg && v === 0) return null; // "i-0e" is invalid
  c.pos++;
  return neg ? -v : v;
}

function readValue(b: Uint8Array, c: Cursor, depth: number): BValue | null {
  if (++c.items > MAX_ITEMS || depth > MAX_DEPTH) return null;
  const t = b[c.pos];
  if (t === undefined) return null;
  if (t === 0x69) return readInt(b, c);
  if (isDigit(t)) return readString(b, c);
  if (t === 0x6c) {
    c.pos++;
    const list: BValue[] = [];
    while (b[c.pos] !== 0x65) {
      if (c.pos >= b.length) return null;
      const v = readValue(b, c, depth + 1);
      if (v === null) return null;
      list.push(v);
    }
    c.pos++;
    return list;
  }
  if (t === 0x64) {
    c.pos++;
    const entries = new Map<string, BValue>();
    while (b[c.pos] !== 0x65) {
      if (c.pos >= b.length) return null;
      const k = readString(b, c);
      if (k === null) return null;
      const v = readValue(b, c, depth + 1);
      if (v === null) return null;
      entries.set(latin1(k), v);
    }
    c.pos++;
    return { kind: 'dict', entries };
  }
  return null;
}

/** The whole buffer as one bencoded value, or null (trailing bytes are not allowed). */
export function decodeBencode(b: Uint8Array): BValue | null {
  const c: Cursor = { pos: 0, items: 0 };
  const v = readValue(b, c, 0);
  return v !== null && c.pos === b.length ? v : null;
}

export function isDict(v: BValue | null | undefined): v is BDict {
  return typeof v === 'object' && v !== null && !(v instanceof Uint8Array) && !Array.isArray(v);
}

export function isBytes(v: BValue | null | undefined): v is Uint8Array {
  return v instanceof Uint8Array;
}
