/**
 * The receive loop shared by the netlink sources (NFQUEUE, conntrack events): on txiki.js
 * the event loop says when the JS-made socket is readable and C drains it without
 * waiting; under Node, C waits (briefly, so close() is noticed) on a koffi worker thread.
 * Either way `turn` gets the number of records each drain wrote (or -errno).
 */
import type { WatchedSocket } from '../runtime/daemon-types.js';

export type DrainCall = (fd: number, waitMs: number, out: Uint8Array, outLen: number) => number;
export type AsyncDrainCall = (fd: number, waitMs: number, out: Uint8Array, outLen: number) => Promise<number>;

const WAIT_MS = 200;

export class DrainLoop {
  private closed = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    private readonly fd: number,
    /** Present on txiki.js: the JS-made socket the event loop watches. */
    private readonly socket: WatchedSocket | null,
    private readonly drain: DrainCall,
    private readonly drainAsync: AsyncDrainCall | null,
    private readonly out: Uint8Array,
  ) {}

  start(turn: (n: number) => void): void {
    if (this.socket) {
      this.socket.onReadable(() => {
        if (!this.closed) turn(this.drain(this.fd, 0, this.out, this.out.length));
      });
      return;
    }
    const drainAsync = this.drainAsync;
    if (!drainAsync) throw new Error('no way to wait for the socket on this runtime');
    this.done = (async () => {
      while (!this.closed) {
        const n = await drainAsync(this.fd, WAIT_MS, this.out, this.out.length);
        if (this.closed) break;
        turn(n);
        // A failing socket must not spin the CPU.
        if (n < 0) await new Promise<void>((r) => setTimeout(() => r(), WAIT_MS));
      }
    })();
  }

  /** Stop; resolves once no drain runs any more (the fd can then be closed). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.socket) this.socket.close();
    await this.done;
  }
}
