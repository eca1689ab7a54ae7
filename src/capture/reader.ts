/**
 * Capture files: classic pcap (either byte order, micro- or nanosecond timestamps) and
 * pcapng (any number of sections and interfaces, per-interface link type and timestamp
 * resolution). Frames come out lazily; damage part-way through a file stops the
 * iteration and is reported by `error()`, so everything before the damage still counts.
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

/** Bigger than any real frame; a larger length means the file is damaged. */
const MAX_FRAME = 262144;

export function readCapture(bytes: Uint8Array): CaptureResult {
  if (bytes.length < 4) return { ok: false, error: 'file too short to be a capture' };
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const be = dv.getUint32(0, false);
  const le = dv.getUint32(0, true);
  if (be === PCAPNG_SHB) return readPcapng(bytes, dv);
  for (const little of [false, true]) {
    const m = little ? le : be;
    if (m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS) return readPcap(bytes, dv, little, m === PCAP_MAGIC_NS);
  }
  return { ok: false, error: 'not a pcap or pcapng file (unknown magic number)' };
}

/** Where iteration stopped on damage; shared by every pass over one capture. */
interface DamageSlot {
  damage: string | null;
}

/**
 * Frames are handed out by plain iterator objects rather than generators: replay spends a
 * good part of its per-packet budget here, and resuming a generator costs more than a call.
 * Every `[Symbol.iterator]()` starts a fresh pass from the first frame.
 */
function framesOf(start: () => Iterator<CaptureFrame>): Iterable<CaptureFrame> {
  return { [Symbol.iterator]: start };
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

function readPcap(bytes: Uint8Array, dv: DataView, little: boolean, nanos: boolean): CaptureResult {
  if (bytes.length < 24) return { ok: false, error: 'pcap header truncated' };
  // The top bits of the link type field carry FCS information (pcap-linktype(7)).
  const linkType = dv.getUint32(20, little) & 0x0fffffff;
  const slot: DamageSlot = { damage: null };
  const frames = framesOf(() => new PcapCursor(bytes, dv, little, nanos, linkType, slot));
  return { ok: true, format: 'pcap', frames, error: () => slot.damage };
}

class PcapCursor implements Iterator<CaptureFrame> {
  private off = 24;
  private index = 0;
  private stopped = false;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly dv: DataView,
    private readonly little: boolean,
    private readonly nanos: boolean,
    private readonly linkType: number,
    private readonly slot: DamageSlot,
  ) {}

  next(): IteratorResult<CaptureFrame> {
    const { bytes, dv, little } = this;
    const off = this.off;
    if (this.stopped || off >= bytes.length) return DONE;
    this.index++;
    if (off + 16 > bytes.length) return this.fail(`record ${this.index} header truncated at byte ${off}`);
    const sec = dv.getUint32(off, little);
    const frac = dv.getUint32(off + 4, little);
    const incl = dv.getUint32(off + 8, little);
    const orig = dv.getUint32(off + 12, little);
    if (incl > MAX_FRAME) return this.fail(`record ${this.index} claims ${incl} bytes at byte ${off}`);
    const start = off + 16;
    if (start + incl > bytes.length) return this.fail(`record ${this.index} data truncated at byte ${off}`);
    this.off = start + incl;
    const frame: CaptureFrame = {
      linkType: this.linkType,
      data: bytes.subarray(start, start + incl),
      timestamp: sec * 1000 + (this.nanos ? frac / 1e6 : frac / 1e3),
      wireLength: Math.max(orig, incl),
    };
    return { done: false, value: frame };
  }

  private fail(damage: string): IteratorResult<CaptureFrame> {
    this.slot.damage = damage;
    this.stopped = true;
    return DONE;
  }
}

interface PcapngInterface {
  readonly linkType: number;
  /** Timestamp units per second. */
  readonly unitsPerSecond: number;
}

const BT_IDB = 1;
const BT_OPB = 2; // obsolete Packet Block
const BT_SPB = 3;
const BT_EPB = 6;

function readPcapng(bytes: Uint8Array, dv: DataView): CaptureResult {
  if (bytes.length < 28) return { ok: false, error: 'pcapng section header truncated' };
  const bom = dv.getUint32(8, true);
  if (bom !== PCAPNG_BYTE_ORDER && dv.getUint32(8, false) !== PCAPNG_BYTE_ORDER) {
    return { ok: false, error: 'pcapng section header has no valid byte-order magic' };
  }
  const slot: DamageSlot = { damage: null };
  const frames = framesOf(() => new PcapngCursor(bytes, dv, bom === PCAPNG_BYTE_ORDER, slot));
  return { ok: true, format: 'pcapng', frames, error: () => slot.damage };
}

class PcapngCursor implements Iterator<CaptureFrame> {
  private ifaces: PcapngInterface[] = [];
  private off = 0;
  private stopped = false;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly dv: DataView,
    private little: boolean,
    private readonly slot: DamageSlot,
  ) {}

  next(): IteratorResult<CaptureFrame> {
    const { bytes, dv } = this;
    while (!this.stopped && this.off < bytes.length) {
      const off = this.off;
      if (off + 12 > bytes.length) return this.fail(`block header truncated at byte ${off}`);
      let type = dv.getUint32(off, this.little);
      if (type === PCAPNG_SHB) {
        // A new section may switch byte order and restarts interface numbering.
        const magic = dv.getUint32(off + 8, true);
        if (magic === PCAPNG_BYTE_ORDER) this.little = true;
        else if (dv.getUint32(off + 8, false) === PCAPNG_BYTE_ORDER) this.little = false;
        else return this.fail(`section header at byte ${off} has no byte-order magic`);
        this.ifaces = [];
        type = PCAPNG_SHB;
      }
      const little = this.little;
      const len = dv.getUint32(off + 4, little);
      if (len < 12 || len % 4 !== 0 || off + len > bytes.length) return this.fail(`block at byte ${off} has bad length ${len}`);
      const body = off + 8;
      const bodyEnd = off + len - 4;
      // Other blocks (name resolution, statistics, custom) carry nothing we need.
      this.off = off + len;
      if (type === BT_IDB) {
        if (bodyEnd - body < 8) return this.fail(`interface block at byte ${off} truncated`);
        this.ifaces.push({
          linkType: dv.getUint16(body, little),
          unitsPerSecond: tsResolution(bytes, dv, body + 8, bodyEnd, little),
        });
      } else if (type === BT_EPB || type === BT_OPB) {
        if (bodyEnd - body < 20) return this.fail(`packet block at byte ${off} truncated`);
        const ifId = type === BT_EPB ? dv.getUint32(body, little) : dv.getUint16(body, little);
        const iface = this.ifaces[ifId];
        const hi = dv.getUint32(body + 4, little);
        const lo = dv.getUint32(body + 8, little);
        const incl = dv.getUint32(body + 12, little);
        const orig = dv.getUint32(body + 16, little);
        const start = body + 20;
        if (!iface) return this.fail(`packet block at byte ${off} names unknown interface ${ifId}`);
        if (start + incl > bodyEnd) return this.fail(`packet block at byte ${off} data overruns its block`);
        const units = hi * 4294967296 + lo;
        const frame: CaptureFrame = {
          linkType: iface.linkType,
          data: bytes.subarray(start, start + incl),
          timestamp: (units / iface.unitsPerSecond) * 1000,
          wireLength: Math.max(orig, incl),
        };
        return { done: false, value: frame };
      } else if (type === BT_SPB) {
        const iface = this.ifaces[0];
        if (!iface || bodyEnd - body < 4) return this.fail(`simple packet block at byte ${off} without interface`);
        const orig = dv.getUint32(body, little);
        const incl = Math.min(orig, bodyEnd - body - 4);
        const frame: CaptureFrame = {
          linkType: iface.linkType,
          data: bytes.subarray(body + 4, body + 4 + incl),
          timestamp: 0,
          wireLength: orig,
        };
        return { done: false, value: frame };
      }
    }
    return DONE;
  }

  private fail(damage: string): IteratorResult<CaptureFrame> {
    this.slot.damage = damage;
    this.stopped = true;
    return DONE;
  }
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
