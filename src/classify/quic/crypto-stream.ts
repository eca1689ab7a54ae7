/**
 * The client's CRYPTO stream, rebuilt from frames that may come out of order, overlap,
 * or spread over several Initial packets. Bounded: data past `cap` is refused.
 */

export class CryptoStream {
  private buf: Uint8Array;
  /** Sorted, merged [start, end) ranges received. */
  private ranges: [number, number][] = [];

  constructor(private readonly cap: number) {
    this.buf = new Uint8Array(Math.min(cap, 2048));
  }

  /** Store one fragment; false when it lies (partly) beyond the cap. */
  write(offset: number, data: Uint8Array): boolean {
    const end = offset + data.length;
    if (!Number.isSafeInteger(offset) || end > this.cap) return false;
    if (data.length === 0) return true;
    if (end > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.cap, Math.max(end, this.buf.length * 2)));
      grown.set(this.buf);
      this.buf = grown;
    }
    this.buf.set(data, offset);
    // Insert [offset, end) in order and merge it with every range it touches or overlaps.
    const ranges = this.ranges;
    let i = 0;
    while (i < ranges.length && ranges[i]![1] < offset) i++;
    let j = i;
    let start = offset;
    let stop = end;
    while (j < ranges.length && ranges[j]![0] <= stop) {
      start = Math.min(start, ranges[j]![0]);
      stop = Math.max(stop, ranges[j]![1]);
      j++;
    }
    ranges.splice(i, j - i, [start, stop]);
    return true;
  }

  /** Forget everything received (the buffer is kept for reuse). */
  clear(): void {
    this.ranges = [];
  }

  /** Bytes received without a gap from offset 0. */
  get contiguous(): number {
    const first = this.ranges[0];
    return first && first[0] === 0 ? first[1] : 0;
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
