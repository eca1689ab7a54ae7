/**
 * One direction of a TCP connection as a byte stream, for records that span segments.
 * Segments are placed by sequence number: in-order data is appended, retransmitted bytes
 * are skipped, and a few segments that arrive early are held until the gap fills. The
 * buffer is bounded; overflowing it marks the stream broken rather than growing.
 */
// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

/** Segments held while waiting for a gap to fill. */
const MAX_EARLY_SEGMENTS = 4;
/** How far ahead of the expected sequence an early segment may start. */
const MAX_EARLY_DISTANCE = 65536;

/** The buffer before first use (shared: growing replaces it before anything is written). */
const EMPTY = new Uint8Array(0);

/**
 * Buffers of streams that were given up, for new streams to reuse: allocating a large
 * typed array costs far more than filling one, and most TLS flows need one buffer for
 * their server's certificate flight. Bounded; only bytes a stream wrote are ever read.
 */
const spare: Uint8Array[] = [];
const SPARE_MAX = 8;

function bufferOf(size: number): Uint8Array {
  for (let i = spare.length - 1; i >= 0; i--) {
    const b = spare[i]!;
    if (b.length >= size) {
      spare.splice(i, 1);
      return b;
    }
  }
  return new Uint8Array(size);
}

interface Early {
  readonly seq: number;
  readonly data: Uint8Array;
}

export class TcpByteStream {
  /** Allocated on first use: most flows offered to TLS are refused on their first packet. */
  private buf: Uint8Array = EMPTY;
  private used = 0;
  /**
   * The segment just pushed, when it arrived in order onto an empty stream: read in place
   * instead of copied (most handshake messages come whole in one segment). Only valid
   * until `release()`, which keeps what is left of it.
   */
  private borrowed: Uint8Array | null = null;
  private borrowedStart = 0;
  private nextSeq: number | null = null;
  private early: Early[] = [];
  /** Room wanted for unconsumed bytes (see `expect`). */
  private expected = 0;
  /** Set when data did not fit: the stream's contents can no longer be trusted. */
  overflowed = false;

  constructor(private readonly cap: number) {}

  /**
   * Whether `bytes` is a view of the segment just pushed (valid as long as the caller's
   * packet), rather than of this stream's own buffer (moved by `consume`).
   */
  get inPlace(): boolean {
    return this.borrowed !== null;
  }

  /**
   * The caller knows `total` unconsumed bytes will be needed (a record's length is in its
   * header): the buffer, when next allocated, gets room for them at once instead of
   * growing segment by segment.
   */
  expect(total: number): void {
    this.expected = Math.min(this.cap, total);
  }

  /** Unconsumed bytes, in order (a view, valid until the next push/consume/release). */
  get bytes(): Uint8Array {
    const b = this.borrowed;
    // The segment itself while none of it is consumed: under txiki.js a view costs more
    // than the rest of this call (callers only read it).
    if (b !== null) return this.borrowedStart === 0 ? b : b.subarray(this.borrowedStart);
    return this.buf.subarray(0, this.used);
  }

  /**
   * Add one segment's payload. `seq` is the TCP sequence number of its first byte; 0 means
   * unknown (hand-built packets), and such segments are simply appended in arrival order.
   * The caller reads `bytes` and then calls `release()` before the segment's memory may
   * change.
   */
  push(seq: number, payload: Uint8Array): void {
    this.release();
    var size = payload.length; // read once: a native call under txiki.js
    if (this.overflowed || size === 0) return;
    if (this.nextSeq === null || seq === 0) {
      if (this.used === 0 && size <= this.cap) this.borrow(payload, seq);
      else this.append(payload, seq);
      return;
    }
    var d = (seq - this.nextSeq) | 0;
    if (d <= 0) {
      if (-d < size) {
        if (d === 0 && this.used === 0 && this.early.length === 0 && size <= this.cap) {
          this.borrow(payload, seq);
          return;
        }
        this.append(payload.subarray(-d), (seq - d) >>> 0);
      }
    } else if (d < MAX_EARLY_DISTANCE && this.early.length < MAX_EARLY_SEGMENTS) {
      this.early.push({ seq, data: payload.slice() });
      return;
    } else {
      return;
    }
    this.drainEarly();
  }

  /** Drop the first `n` bytes (a parsed record). */
  consume(n: number): void {
    var b = this.borrowed;
    if (b !== null) {
      var size = b.length;
      this.borrowedStart = this.borrowedStart + n < size ? this.borrowedStart + n : size;
      return;
    }
    var k = n < this.used ? n : this.used;
    this.buf.copyWithin(0, k, this.used);
    this.used -= k;
  }

  /** Keep (copy) what is left of a segment read in place; call before its memory may change. */
  release(): void {
    var b = this.borrowed;
    if (b === null) return;
    this.borrowed = null;
    if (this.borrowedStart < b.length) this.store(b.subarray(this.borrowedStart));
  }

  /**
   * The stream will not be used again (its reader gave up or finished): its buffer goes
   * to the spares. Nothing else may hold a view of it.
   */
  dispose(): void {
    this.borrowed = null;
    this.recycle();
    this.buf = EMPTY;
    this.used = 0;
    this.early = [];
    this.overflowed = true;
  }

  private recycle(): void {
    if (this.buf.length > 0 && spare.length < SPARE_MAX) spare.push(this.buf);
  }

  private borrow(payload: Uint8Array, seq: number): void {
    this.borrowed = payload;
    this.borrowedStart = 0;
    this.nextSeq = (seq + payload.length) >>> 0;
  }

  private drainEarly(): void {
    for (let progress = true; progress && this.early.length > 0 && !this.overflowed; ) {
      progress = false;
      for (let i = 0; i < this.early.length; i++) {
        const e = this.early[i]!;
        const d = (e.seq - this.nextSeq!) | 0;
        if (d > 0) continue;
        this.early.splice(i, 1);
        if (-d < e.data.length) this.append(e.data.subarray(-d), (e.seq - d) >>> 0);
        progress = true;
        break;
      }
    }
  }

  private append(data: Uint8Array, seq: number): void {
    if (!this.store(data)) return;
    this.nextSeq = (seq + data.length) >>> 0;
  }

  /** Copy bytes to the end of the buffer; false (and overflowed) when over the cap. */
  private store(data: Uint8Array): boolean {
    var size = data.length; // read once: a native call under txiki.js
    if (this.used + size > this.cap) {
      this.overflowed = true;
      return false;
    }
    if (this.used + size > this.buf.length) {
      var grown = bufferOf(Math.min(this.cap, Math.max(this.buf.length * 2, this.used + size, this.expected, 2048)));
      grown.set(this.buf.subarray(0, this.used));
      this.recycle();
      this.buf = grown;
      this.expected = 0;
    }
    this.buf.set(data, this.used);
    this.used += size;
    return true;
  }
}

/**
 * The first bytes of one direction, in sequence order, for readers that only gather (an
 * HTTP head, a DNS message over TCP) and never consume: a stable copy, replaced when it
 * grows. Retransmitted, overlapping and early segments are placed as TcpByteStream places
 * them; at `cap` bytes (or a segment that would pass it) the prefix is full.
 */
export class TcpPrefix {
  private stream: TcpByteStream | null = null;
  /** The bytes so far (never modified; a new array when more arrive). */
  bytes: Uint8Array = EMPTY;
  /** The cap was reached: nothing more is added. */
  full = false;

  constructor(private readonly cap: number) {}

  /** Add a segment; true when the prefix grew. */
  push(seq: number, payload: Uint8Array): boolean {
    if (this.full) return false;
    // The stream only puts segments in order: what it hands over is consumed at once and
    // joined to `bytes` here, so in-order segments are read in place, never copied twice.
    const s = (this.stream ??= new TcpByteStream(this.cap));
    s.push(seq, payload.subarray(0, this.cap));
    const added = s.bytes;
    const total = this.bytes.length + added.length;
    const fits = total <= this.cap;
    if (added.length > 0 && fits) {
      const joined = new Uint8Array(total);
      joined.set(this.bytes);
      joined.set(added, this.bytes.length);
      this.bytes = joined;
    }
    s.consume(added.length);
    s.release();
    if (!fits || s.overflowed || this.bytes.length >= this.cap) {
      this.full = true;
      s.dispose();
      this.stream = null;
    }
    return added.length > 0 && fits;
  }
}
