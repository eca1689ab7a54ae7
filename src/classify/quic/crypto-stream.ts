/**
 * The client's CRYPTO stream, rebuilt from frames that may come out of order, overlap,
 * or spread over several Initial packets. Bounded: data past `cap` is refused.
 */
// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export class CryptoStream {
  private buf: Uint8Array;
  /** Received [start, end) ranges, sorted and merged, flat: start0, end0, start1, end1, … */
  private ranges: number[] = [];

  constructor(private readonly cap: number) {
    this.buf = new Uint8Array(Math.min(cap, 2048));
  }

  /** Store one fragment; false when it lies (partly) beyond the cap. */
  write(offset: number, data: Uint8Array): boolean {
    var size = data.length; // read once: a native call under txiki.js
    var end = offset + size;
    // Offsets come from varints (never negative); a huge one lands past the cap.
    if (end > this.cap) return false;
    if (size === 0) return true;
    if (end > this.buf.length) {
      var grown = new Uint8Array(Math.min(this.cap, Math.max(end, this.buf.length * 2)));
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf.set(data, offset);
    // Merge [offset, end) with every range it touches or overlaps, in place.
    var r = this.ranges;
    var i = 0;
    while (i < r.length && r[i + 1]! < offset) i += 2;
    var j = i;
    var start = offset;
    var stop = end;
    for (; j < r.length && r[j]! <= stop; j += 2) {
      if (r[j]! < start) start = r[j]!;
      if (r[j + 1]! > stop) stop = r[j + 1]!;
    }
    if (j === i) {
      r.splice(i, 0, start, stop);
    } else {
      r[i] = start;
      r[i + 1] = stop;
      if (j > i + 2) r.splice(i + 2, j - i - 2);
    }
    return true;
  }

  /** Forget everything received (the buffer is kept for reuse). */
  clear(): void {
    this.ranges = [];
  }

  /** Bytes received without a gap from offset 0. */
  get contiguous(): number {
    const r = this.ranges;
    return r.length > 0 && r[0] === 0 ? r[1]! : 0;
  }

  /** Anything received at all. */
  get started(): boolean {
    return this.ranges.length > 0;
  }

  /** The first `n` bytes (the caller checked `contiguous`). */
  prefix(n: number): Uint8Array {
    return this.buf.subarray(0, Math.min(n, this.contiguous));
  }

  /** The first handshake message, once it is complete (header: type + 24-bit length). */
  firstMessage(): Uint8Array | null {
    const n = this.contiguous;
    if (n < 4) return null;
    const len = 4 + ((this.buf[1]! << 16) | (this.buf[2]! << 8) | this.buf[3]!);
    return len <= n ? this.buf.subarray(0, len) : null;
  }
}
