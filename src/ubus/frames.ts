/**
 * Cuts a byte stream into ubus frames. A stream socket hands over arbitrary chunks; a
 * frame is complete once its header's blob length is in. A header that can never be
 * valid throws (the stream is out of step: the connection must close).
 */
import { BLOB_HEADER } from './blob.js';
import { HEADER_LEN, frameLength } from './message.js';

export class FrameReader {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;

  /** Add a chunk; returns the complete frames it finished, each its own copy. */
  push(chunk: Uint8Array): Uint8Array[] {
    this.append(chunk);
    const frames: Uint8Array[] = [];
    while (this.end - this.start >= HEADER_LEN + BLOB_HEADER) {
      const len = frameLength(this.buf, this.start);
      if (this.end - this.start < len) break;
      frames.push(this.buf.slice(this.start, this.start + len));
      this.start += len;
    }
    if (this.start === this.end) this.start = this.end = 0;
    return frames;
  }

  /** Bytes of an unfinished frame still waiting for the rest. */
  get pending(): number {
    return this.end - this.start;
  }

  private append(chunk: Uint8Array): void {
    if (this.end + chunk.length > this.buf.length) {
      const live = this.end - this.start;
      const next = new Uint8Array(Math.max(live + chunk.length, this.buf.length * 2, 4096));
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
      this.start = 0;
      this.end = live;
    }
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }
}
