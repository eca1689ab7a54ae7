/**
 * Capture files: classic pcap (either byte order, micro- or nanosecond timestamps) and
 * pcapng (any number of sections and interfaces, per-interface link type and timestamp
 * resolution), read as a stream: bytes go in by `push` in chunks of any size, frames come
 * out by `next` as soon as they are whole, and only the unread tail of the bytes is held.
 * Damage part-way through stops the frames and is reported by `error`, so everything
 * before it still counts. `readCapture` reads a capture held whole in memory.
 */

export interface CaptureFrame {
  readonly linkType: number;
  readonly data: Uint8Array;
  /** Milliseconds since the epoch (fractional). */
  readonly timestamp: number;
  /** Original length on the wire (may exceed data.length when the capture was snapped). */
  readonly wireLength: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export interface Capture {
  readonly ok: true;
  readonly format: CaptureFormat;
  readonly frames: Iterable<CaptureFrame>;
  /** Damage met while iterating, or null; meaningful once iteration finished. */
  error(): string | null;
}

export type CaptureResult = Capture | { readonly ok: false; readonly error: string };

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER = 0x1a2b3c4d;

/** Bytes of a new chunk copied behind the unread rest of the last one (push): most frames that straddle two chunks fit. */
const BRIDGE = 4096;
/** Bigger than any real frame; a larger length means the file is damaged. */
const MAX_FRAME = 262144;
/** Bigger than any real pcapng block (a packet block holds one frame): damage beyond it, not a wait for more bytes. */
const MAX_BLOCK = 16 << 20;

interface PcapngInterface {
  readonly linkType: number;
  /** Timestamp units per second. */
  readonly unitsPerSecond: number;
}

const BT_IDB = 1;
const BT_OPB = 2; // obsolete Packet Block
const BT_SPB = 3;
const BT_EPB = 6;

const EMPTY = new Uint8Array(0);

/** Where `CaptureStream.drain` hands each frame (the pipeline's frameIn). */
export interface FrameSink {
  frameIn(linkType: number, bytes: Uint8Array, start: number, end: number, timestamp: number, wireLength: number): unknown;
}

/**
 * A capture read from chunks. After `next()` returns true, the frame is in `linkType`,
 * `bytes[frameStart, frameEnd)` (also as the view `data`), `timestamp` and `wireLength` until the
 * next call (one object serves every frame, and the packet path reads the frame where it
 * lies: no per-frame allocation here). `bytes` are often the pushed chunk itself, which
 * the caller may reuse once the chunk after it has been pushed (Runtime.readChunks): what
 * a reader of the frame keeps past the frame, it copies.
 */
export class CaptureStream {
  linkType = 0;
  bytes: Uint8Array = EMPTY;
  frameStart = 0;
  frameEnd = 0;
  timestamp = 0;
  wireLength = 0;
  /** Known once the file's first bytes are in. */
  format: CaptureFormat | null = null;
  /** Not a capture at all (set from its first bytes); no frame comes out. */
  refused: string | null = null;
  /** Damage met part-way; the frames before it came out. */
  damage: string | null = null;

  private buf: Uint8Array = EMPTY;
  private dv: DataView = new DataView(EMPTY.buffer);
  /** Read position in `buf`, and `buf[0]`'s offset in the file (for messages). */
  private off = 0;
  private base = 0;
  private ended = false;
  private little = false;
  private nanos = false;
  private pcapLinkType = 0;
  private index = 0;
  private ifaces: PcapngInterface[] = [];
  /** The chunk a bridge was made for (see push), and how many bytes of the bridge came before it. */
  private pending: Uint8Array | null = null;
  private pendingAt = 0;

  /** The frame as a view of its own. */
  get data(): Uint8Array {
    return this.bytes.subarray(this.frameStart, this.frameEnd);
  }

  /**
   * More bytes of the file. The frame cut in two by the chunk boundary is copied into a
   * small bridge (the unread rest, then the chunk's first BRIDGE bytes), and once past it
   * the frames are read from the chunk where it lies: copying each whole chunk behind the
   * rest of the one before was a new buffer of the capture's size in all, and under Node
   * a few percent of a replay with its collections.
   */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.pending !== null) this.leaveBridge();
    const rest = this.buf.length - this.off;
    if (rest === 0) {
      this.buf = chunk;
    } else {
      // A fresh buffer, never the old one reused: the bridge is the only copy of the rest
      // once the caller reuses the last chunk.
      const take = chunk.length > BRIDGE ? BRIDGE : chunk.length;
      const joined = new Uint8Array(rest + take);
      joined.set(this.buf.subarray(this.off));
      joined.set(take === chunk.length ? chunk : chunk.subarray(0, take), rest);
      this.buf = joined;
      if (take < chunk.length) {
        this.pending = chunk;
        this.pendingAt = rest;
      }
    }
    this.base += this.off;
    this.off = 0;
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /**
   * Out of the bridge: past its first frame, reading goes on in the chunk itself; a frame
   * longer than the bridge is read from its start and the whole chunk joined, as before.
   */
  private leaveBridge(): void {
    const chunk = this.pending!;
    const at = this.pendingAt;
    this.pending = null;
    if (this.off >= at) {
      this.base += at;
      this.off -= at;
      this.buf = chunk;
    } else {
      const joined = new Uint8Array(at - this.off + chunk.length);
      joined.set(this.buf.subarray(this.off, at));
      joined.set(chunk, at - this.off);
      this.base += this.off;
      this.off = 0;
      this.buf = joined;
    }
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  }

  /** No more bytes: what is left unread is damage. */
  end(): void {
    if (this.pending !== null) this.leaveBridge();
    this.ended = true;
  }

  /** Whether frames have stopped for good (refused, damaged, or read to the end). */
  get finished(): boolean {
    return this.refused !== null || this.damage !== null || (this.ended && this.off >= this.buf.length);
  }

  /** The next whole frame; false when more bytes are needed or the frames have ended. */
  next(): boolean {
    if (this.refused !== null || this.damage !== null) return false;
    if (this.format === null && !this.readFileHeader()) return false;
    for (;;) {
      const got = this.format === 'pcap' ? this.nextPcap() : this.nextPcapng();
      // A bridge ran out (its frames read, or the one in it is longer): on into the chunk.
      if (got || this.pending === null || this.damage !== null) return got;
      this.leaveBridge();
    }
  }

  /**
   * Every whole frame held now, to `sink` in order: what `while (next()) sink.frameIn(…)`
   * does. Classic pcap frames go through a loop over locals: on txiki.js the call and the
   * six fields written and read back per frame were a few percent of a whole replay.
   * The frame fields (`frameStart`, …) are not kept up to date by it.
   */
  drain(sink: FrameSink): void {
    if (this.format === null && (this.refused !== null || !this.readFileHeader())) return;
    for (;;) {
      if (this.format === 'pcap' && this.damage === null) this.drainPcap(sink);
      // Anything else, the end of a bridge, and the last bytes of a pcap (a record cut
      // short, damage): one at a time.
      if (!this.next()) return;
      sink.frameIn(this.linkType, this.bytes, this.frameStart, this.frameEnd, this.timestamp, this.wireLength);
    }
  }

  /** nextPcap's loop for whole records; stops at the first one not whole or not plausible (next() judges it). */
  private drainPcap(sink: FrameSink): void {
    const buf = this.buf;
    const dv = this.dv;
    const have = buf.length;
    const little = this.little;
    const linkType = this.pcapLinkType;
    const perMs = this.nanos ? 1e6 : 1e3;
    let off = this.off;
    let index = this.index;
    this.linkType = linkType;
    this.bytes = buf;
    try {
      while (off + 16 <= have) {
        const incl = dv.getUint32(off + 8, little);
        const start = off + 16;
        const end = start + incl;
        if (incl > MAX_FRAME || end > have) break;
        const orig = dv.getUint32(off + 12, little);
        const timestamp = dv.getUint32(off, little) * 1000 + dv.getUint32(off + 4, little) / perMs;
        index++;
        off = end;
        sink.frameIn(linkType, buf, start, end, timestamp, orig > incl ? orig : incl);
      }
    } finally {
      // Also when the sink throws: the frames it was handed stay consumed, as with next().
      this.off = off;
      this.index = index;
    }
  }

  private readFileHeader(): boolean {
    const avail = this.buf.length - this.off;
    if (avail < 4) {
      if (this.ended) this.refused = 'file too short to be a capture';
      return false;
    }
    const be = this.dv.getUint32(0, false);
    const le = this.dv.getUint32(0, true);
    if (be === PCAPNG_SHB) {
      if (avail < 28) {
        if (this.ended) this.refused = 'pcapng section header truncated';
        return false;
      }
      const bom = this.dv.getUint32(8, true);
      if (bom !== PCAPNG_BYTE_ORDER && this.dv.getUint32(8, false) !== PCAPNG_BYTE_ORDER) {
        this.refused = 'pcapng section header has no valid byte-order magic';
        return false;
      }
      this.little = bom === PCAPNG_BYTE_ORDER;
      this.format = 'pcapng';
      return true;
    }
    const little = be !== PCAP_MAGIC_US && be !== PCAP_MAGIC_NS;
    const m = little ? le : be;
    if (m !== PCAP_MAGIC_US && m !== PCAP_MAGIC_NS) {
      this.refused = 'not a pcap or pcapng file (unknown magic number)';
      return false;
    }
    if (avail < 24) {
      if (this.ended) this.refused = 'pcap header truncated';
      return false;
    }
    this.little = little;
    this.nanos = m === PCAP_MAGIC_NS;
    // The top bits of the link type field carry FCS information (pcap-linktype(7)).
    this.pcapLinkType = this.dv.getUint32(20, little) & 0x0fffffff;
    this.off = 24;
    this.format = 'pcap';
    return true;
  }

  private nextPcap(): boolean {
    const buf = this.buf;
    const off = this.off;
    const have = buf.length;
    if (off >= have) return false;
    if (off + 16 > have) return this.short(`record ${this.index + 1} header truncated at byte ${this.base + off}`);
    const dv = this.dv;
    const little = this.little;
    const sec = dv.getUint32(off, little);
    const frac = dv.getUint32(off + 4, little);
    const incl = dv.getUint32(off + 8, little);
    const orig = dv.getUint32(off + 12, little);
    if (incl > MAX_FRAME) return this.fail(`record ${this.index + 1} claims ${incl} bytes at byte ${this.base + off}`);
    const start = off + 16;
    const end = start + incl;
    if (end > have) return this.short(`record ${this.index + 1} data truncated at byte ${this.base + off}`);
    this.index++;
    this.off = end;
    this.linkType = this.pcapLinkType;
    this.bytes = buf;
    this.frameStart = start;
    this.frameEnd = end;
    this.timestamp = sec * 1000 + (this.nanos ? frac / 1e6 : frac / 1e3);
    this.wireLength = orig > incl ? orig : incl;
    return true;
  }

  private nextPcapng(): boolean {
    for (;;) {
      const { buf, dv } = this;
      const off = this.off;
      if (off >= buf.length) return false;
      const at = this.base + off;
      if (off + 12 > buf.length) return this.short(`block header truncated at byte ${at}`);
      const type = dv.getUint32(off, this.little);
      let little = this.little;
      if (type === PCAPNG_SHB) {
        // A new section may switch byte order and restarts interface numbering.
        const magic = dv.getUint32(off + 8, true);
        if (magic === PCAPNG_BYTE_ORDER) little = true;
        else if (dv.getUint32(off + 8, false) === PCAPNG_BYTE_ORDER) little = false;
        else return this.fail(`section header at byte ${at} has no byte-order magic`);
      }
      const len = dv.getUint32(off + 4, little);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK) return this.fail(`block at byte ${at} has bad length ${len}`);
      if (off + len > buf.length) return this.short(`block at byte ${at} has bad length ${len}`);
      // The length is written again at the block's end (pcapng §3.1): a mismatch means the
      // block, or the one before it, is damaged.
      const trailing = dv.getUint32(off + len - 4, little);
      if (trailing !== len) return this.fail(`block at byte ${at} ends with length ${trailing}, not the ${len} it starts with`);
      if (type === PCAPNG_SHB) {
        this.little = little;
        this.ifaces = [];
      }
      const body = off + 8;
      const bodyEnd = off + len - 4;
      // Other blocks (name resolution, statistics, custom) carry nothing we need.
      this.off = off + len;
      if (type === BT_IDB) {
        if (bodyEnd - body < 8) return this.fail(`interface block at byte ${at} truncated`);
        this.ifaces.push({
          linkType: dv.getUint16(body, little),
          unitsPerSecond: tsResolution(buf, dv, body + 8, bodyEnd, little),
        });
      } else if (type === BT_EPB || type === BT_OPB) {
        if (bodyEnd - body < 20) return this.fail(`packet block at byte ${at} truncated`);
        const ifId = type === BT_EPB ? dv.getUint32(body, little) : dv.getUint16(body, little);
        const iface = this.ifaces[ifId];
        const hi = dv.getUint32(body + 4, little);
        const lo = dv.getUint32(body + 8, little);
        const incl = dv.getUint32(body + 12, little);
        const orig = dv.getUint32(body + 16, little);
        const start = body + 20;
        if (!iface) return this.fail(`packet block at byte ${at} names unknown interface ${ifId}`);
        if (start + incl > bodyEnd) return this.fail(`packet block at byte ${at} data overruns its block`);
        const units = hi * 4294967296 + lo;
        this.linkType = iface.linkType;
        this.bytes = buf;
        this.frameStart = start;
        this.frameEnd = start + incl;
        this.timestamp = (units / iface.unitsPerSecond) * 1000;
        this.wireLength = orig > incl ? orig : incl;
        return true;
      } else if (type === BT_SPB) {
        const iface = this.ifaces[0];
        if (!iface || bodyEnd - body < 4) return this.fail(`simple packet block at byte ${at} without interface`);
        const orig = dv.getUint32(body, little);
        const incl = Math.min(orig, bodyEnd - body - 4);
        this.linkType = iface.linkType;
        this.bytes = buf;
        this.frameStart = body + 4;
        this.frameEnd = body + 4 + incl;
        this.timestamp = 0;
        this.wireLength = orig;
        return true;
      }
    }
  }

  /** The bytes stop inside a record: wait for more, or damage when the file has ended. */
  private short(damage: string): boolean {
    return this.ended ? this.fail(damage) : false;
  }

  private fail(damage: string): boolean {
    this.damage = damage;
    return false;
  }
}

/** A capture held whole in memory; each pass over `frames` reads it from the start. */
export function readCapture(bytes: Uint8Array): CaptureResult {
  const probe = streamOver(bytes);
  probe.next();
  if (probe.refused !== null) return { ok: false, error: probe.refused };
  let damage: string | null = null;
  const frames: Iterable<CaptureFrame> = {
    *[Symbol.iterator]() {
      const s = streamOver(bytes);
      while (s.next()) yield { linkType: s.linkType, data: s.data, timestamp: s.timestamp, wireLength: s.wireLength };
      damage = s.damage;
    },
  };
  return { ok: true, format: probe.format!, frames, error: () => damage };
}

function streamOver(bytes: Uint8Array): CaptureStream {
  const s = new CaptureStream();
  s.push(bytes);
  s.end();
  return s;
}

/** The if_tsresol option (code 9) of an interface block; microseconds by default. */
function tsResolution(bytes: Uint8Array, dv: DataView, off: number, end: number, little: boolean): number {
  while (off + 4 <= end) {
    const code = dv.getUint16(off, little);
    const len = dv.getUint16(off + 2, little);
    if (code === 0) break;
    if (code === 9 && len >= 1 && off + 5 <= end) {
      const v = bytes[off + 4]!;
      return v & 0x80 ? 2 ** (v & 0x7f) : 10 ** (v & 0x7f);
    }
    off += 4 + ((len + 3) & ~3);
  }
  return 1e6;
}
