/**
 * A bounded queue of frames in front of a connection that may be slow, stalled or absent:
 * push() never waits (a frame that does not fit is dropped and counted), and one pump
 * writes the frames in order, reconnecting with backoff after a failure. The packet path
 * and the targets' callers never wait on the peer. Shared by the sink and IPFIX-over-TCP.
 */
import { errorText } from '../runtime/types.js';

export interface FrameConnection {
  write(data: Uint8Array): Promise<void>;
  close(): void;
}

export interface OutBufferOptions {
  readonly maxBytes: number;
  readonly connect: () => Promise<FrameConnection>;
  /** Called once per (re)connection before queued frames go out (IPFIX templates). */
  readonly onConnect?: (c: FrameConnection) => Promise<void>;
  readonly onError: (reason: string) => void;
  /** Longest wait between reconnection attempts, ms. */
  readonly maxBackoffMs?: number;
}

/** Frames are written in chunks of about this many bytes (fewer syscalls, bounded copies). */
const CHUNK = 64 * 1024;

export class OutBuffer {
  private frames: Uint8Array[] = [];
  private bytes = 0;
  private conn: FrameConnection | null = null;
  private pumping = false;
  private backoff = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  sent = 0;
  dropped = 0;

  constructor(private readonly opts: OutBufferOptions) {}

  /** Queue a frame; false (counted as dropped) when the buffer is full. */
  push(frame: Uint8Array): boolean {
    if (this.closed || this.bytes + frame.length > this.opts.maxBytes) {
      this.dropped++;
      return false;
    }
    this.frames.push(frame);
    this.bytes += frame.length;
    if (!this.pumping) void this.pump();
    return true;
  }

  get queuedBytes(): number {
    return this.bytes;
  }

  /** Resolves when everything queued was written (or the buffer was closed). */
  drained(): Promise<void> {
    if (this.frames.length === 0 && !this.pumping) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    while (this.frames.length > 0 && !this.closed) {
      if (!this.conn) {
        try {
          const c = await this.opts.connect();
          // Closed while connecting: the new socket must not outlive the buffer.
          if (this.closed) {
            c.close();
            break;
          }
          if (this.opts.onConnect) await this.opts.onConnect(c);
          this.conn = c;
          this.backoff = 0;
        } catch (e) {
          this.opts.onError(`cannot connect: ${errorText(e)}`);
          await this.sleepBackoff();
          continue;
        }
      }
      // Take frames up to a chunk; they leave the queue only once written.
      let n = 0;
      let size = 0;
      while (n < this.frames.length && (n === 0 || size + this.frames[n]!.length <= CHUNK)) size += this.frames[n++]!.length;
      const chunk = n === 1 ? this.frames[0]! : join(this.frames, n, size);
      try {
        await this.conn.write(chunk);
      } catch (e) {
        this.opts.onError(`connection lost: ${errorText(e)}`);
        this.conn.close();
        this.conn = null;
        await this.sleepBackoff();
        continue;
      }
      this.frames.splice(0, n);
      this.bytes -= size;
      this.sent += n;
    }
    this.pumping = false;
    if (this.closed) {
      this.conn?.close();
      this.conn = null;
    }
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private sleepBackoff(): Promise<void> {
    this.backoff = Math.min(this.opts.maxBackoffMs ?? 30_000, this.backoff ? this.backoff * 2 : 250);
    return new Promise((r) => setTimeout(r, this.backoff));
  }

  /** Close once what is queued went out, or after `graceMs` (a stalled peer waits no longer). */
  async closeAfter(graceMs: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.drained(), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    this.close();
  }

  close(): void {
    this.closed = true;
    this.conn?.close();
    this.conn = null;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}

function join(frames: readonly Uint8Array[], n: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < n; i++) {
    out.set(frames[i]!, at);
    at += frames[i]!.length;
  }
  return out;
}
