/**
 * One direction of a TCP connection as a byte stream, for records that span segments.
 * Segments are placed by sequence number: in-order data is appended, retransmitted bytes
 * are skipped, and a few segments that arrive early are held until the gap fills. The
 * buffer is bounded; overflowing it marks the stream broken rather than growing.
 */

/** Segments held while waiting for a gap to fill. */
const MAX_EARLY_SEGMENTS = 4;
/** How far ahead of the expected sequence an early segment may start. */
const MAX_EARLY_DISTANCE = 65536;

interface Early {
  readonly seq: number;
  readonly data: Uint8Array;
}

export class TcpByteStream {
  /** Allocated on first use: most flows offered to TLS are refused on their first packet. */
  private buf = new Uint8Array(0);
  private used = 0;
  private nextSeq: number | null = null;
  private early: Early[] = [];
  /** Set when data did not fit: the stream's contents can no longer be trusted. */
  overflowed = false;

  constructor(private readonly cap: number) {}

  /** Unconsumed bytes, in order (a view, valid until the next push/consume). */
  get bytes(): Uint8Array {
    return this.buf.subarray(0, this.used);
  }

  /**
   * Add one segment's payload. `seq` is the TCP sequence number of its first byte; 0 means
   * unknown (hand-built packets), and such segments are simply appended in arrival order.
   */
  push(seq: number, payload: Uint8Array): void {
    if (this.overflowed || payload.length === 0) return;
    if (this.nextSeq === null || seq === 0) {
      this.append(payload, seq);
      return;
    }
    const d = (seq - this.nextSeq) | 0;
    if (d <= 0) {
      if (-d < payload.length) this.append(payload.subarray(-d), (seq - d) >>> 0);
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
    const k = Math.min(n, this.used);
    this.buf.copyWithin(0, k, this.used);
    this.used -= k;
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
    if (this.used + data.length > this.cap) {
      this.overflowed = true;
      return;
    }
    if (this.used + data.length > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.cap, Math.max(this.buf.length * 2, this.used + data.length, 2048)));
      grown.set(this.buf.subarray(0, this.used));
      this.buf = grown;
    }
    this.buf.set(data, this.used);
    this.used += data.length;
    this.nextSeq = (seq + data.length) >>> 0;
  }
}
