/**
 * libubox "blob" attributes, as the ubus wire carries them: a big-endian u32 header (bit 31
 * "extended" = a blobmsg attribute, bits 24–30 the id, bits 0–23 the length including the
 * 4-byte header), then the payload, zero-padded to 4 bytes. Containers hold their children
 * back to back, each padded; a container's length counts its children's padding.
 * Layout and checks follow libubox blob.c/blob.h (blob_pad_len, blob_for_each_attr).
 */

export const BLOB_HEADER = 4;
export const BLOB_EXTENDED = 0x80000000;
const ID_SHIFT = 24;
const ID_MASK = 0x7f;
export const BLOB_LEN_MASK = 0x00ffffff;

/** A malformed attribute: what was wrong and at which byte offset of the buffer it sat. */
export class BlobError extends Error {
  constructor(message: string, readonly offset: number) {
    super(`${message} at byte ${offset}`);
    this.name = 'BlobError';
  }
}

/** Bytes needed to pad `len` to the 4-byte blob alignment. */
export function padLen(len: number): number {
  return (len + 3) & ~3;
}

/** One attribute as read from a buffer; `payload` is a view, not a copy. */
export interface RawBlobAttr {
  readonly id: number;
  readonly extended: boolean;
  readonly payload: Uint8Array;
  /** Offset of the attribute's header in the buffer it was read from. */
  readonly offset: number;
}

export function readU32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

export function readU16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

/** The header of the attribute at `at`: id, extended flag and raw length (header included). */
export function readBlobHeader(b: Uint8Array, at: number): { id: number; extended: boolean; rawLen: number } {
  const word = readU32(b, at);
  return { id: (word >>> ID_SHIFT) & ID_MASK, extended: (word & BLOB_EXTENDED) !== 0, rawLen: word & BLOB_LEN_MASK };
}

/**
 * The attributes laid back to back in `b[start, end)`. As blob_for_each_attr: each must
 * be at least a header long and fit with its padding (the last one may end unpadded at
 * `end`); unlike it, bytes that do not form an attribute are an error, not ignored.
 */
export function parseBlobAttrs(b: Uint8Array, start = 0, end = b.length): RawBlobAttr[] {
  const out: RawBlobAttr[] = [];
  let at = start;
  while (at < end) {
    if (end - at < BLOB_HEADER) throw new BlobError(`${end - at} stray bytes after the last attribute`, at);
    const h = readBlobHeader(b, at);
    if (h.rawLen < BLOB_HEADER) throw new BlobError(`attribute length ${h.rawLen} is shorter than its header`, at);
    if (h.rawLen > end - at) throw new BlobError(`attribute length ${h.rawLen} runs past its container (${end - at} bytes left)`, at);
    out.push({ id: h.id, extended: h.extended, payload: b.subarray(at + BLOB_HEADER, at + h.rawLen), offset: at });
    at += Math.min(padLen(h.rawLen), end - at);
  }
  return out;
}

/**
 * An append-only byte buffer for building attributes. Containers are built by reserving
 * the header, writing the children, then patching the length in (blob_nest_start/end).
 */
export class BlobWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.len++] = v & 0xff;
  }

  u16(v: number): void {
    this.reserve(2);
    this.buf[this.len++] = (v >>> 8) & 0xff;
    this.buf[this.len++] = v & 0xff;
  }

  u32(v: number): void {
    this.reserve(4);
    this.setU32(this.len, v);
    this.len += 4;
  }

  u64(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.u32(Number(u >> 32n));
    this.u32(Number(u & 0xffffffffn));
  }

  f64(v: number): void {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, false);
    this.bytes(new Uint8Array(dv.buffer));
  }

  /** Zero bytes up to the next 4-byte boundary (blob_fill_pad). */
  pad(): void {
    const n = padLen(this.len) - this.len;
    this.reserve(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }

  private setU32(at: number, v: number): void {
    this.buf[at] = (v >>> 24) & 0xff;
    this.buf[at + 1] = (v >>> 16) & 0xff;
    this.buf[at + 2] = (v >>> 8) & 0xff;
    this.buf[at + 3] = v & 0xff;
  }

  /** Reserve an attribute header; returns the mark that `end` takes. */
  begin(): number {
    const mark = this.len;
    this.u32(0);
    return mark;
  }

  /**
   * Close the attribute begun at `mark`: its raw length is everything written since,
   * then pad. Throws when the attribute outgrows the 24-bit length field.
   */
  end(mark: number, id: number, extended: boolean): void {
    const raw = this.len - mark;
    if (raw > BLOB_LEN_MASK) throw new RangeError(`blob attribute of ${raw} bytes exceeds the 16 MiB length field`);
    this.setU32(mark, ((extended ? BLOB_EXTENDED : 0) | ((id & ID_MASK) << ID_SHIFT) | raw) >>> 0);
    this.pad();
  }

  /** A plain attribute with `payload` as its data (blob_put). */
  attr(id: number, payload: Uint8Array): void {
    const m = this.begin();
    this.bytes(payload);
    this.end(m, id, false);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
