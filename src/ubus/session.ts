/**
 * One connection to ubusd: reads the HELLO, cuts the stream into frames, matches STATUS
 * and DATA answers to requests by seq and peer, and hands every other message (INVOKE,
 * NOTIFY, UNSUBSCRIBE) to its owner. It ends on EOF, a socket error or a malformed frame,
 * failing its pending requests; reconnecting is the client's business (client.ts).
 */
import type { OutStream } from '../runtime/net-socket.js';
import { BlobError } from './blob.js';
import { FrameReader } from './frames.js';
import { MSG, STATUS, type MsgAttrs, type UbusMessage, decodeMessage, statusText } from './message.js';

export class UbusError extends Error {
  constructor(
    readonly status: number,
    message = statusText(status),
  ) {
    super(message);
    this.name = 'UbusError';
  }
}

interface Pending {
  readonly peer: number;
  readonly onData: (attrs: MsgAttrs) => void;
  readonly resolve: (status: number) => void;
  readonly reject: (e: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export interface SessionHandlers {
  /** INVOKE, NOTIFY and UNSUBSCRIBE sent to this client. */
  onMessage(msg: UbusMessage, session: UbusSession): void;
  /** The session is over; `error` says why when it was not a plain close. */
  onClose(error: Error | null, session: UbusSession): void;
}

export class UbusSession {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private open = true;

  private constructor(
    private readonly sock: OutStream,
    readonly localId: number,
    private readonly frames: FrameReader,
    private readonly handlers: SessionHandlers,
    private readonly timeoutMs: number,
  ) {}

  /** Wait for ubusd's HELLO (it carries our client id), then start reading. */
  static async start(sock: OutStream, handlers: SessionHandlers, timeoutMs: number): Promise<UbusSession> {
    const frames = new FrameReader();
    let queued: Uint8Array[] = [];
    let hello: UbusMessage | undefined;
    try {
      while (!hello) {
        const chunk = await sock.read();
        if (!chunk) throw new Error('ubusd closed the connection before its HELLO');
        queued = frames.push(chunk);
        if (queued.length) hello = decodeMessage(queued.shift()!);
      }
      if (hello.type !== MSG.hello) throw new BlobError(`first message is of type ${hello.type}, not HELLO`, 0);
      if (hello.peer <= 1) throw new BlobError(`HELLO gives client id ${hello.peer}`, 4);
    } catch (e) {
      sock.close();
      throw e;
    }
    const s = new UbusSession(sock, hello.peer, frames, handlers, timeoutMs);
    for (const f of queued) s.dispatch(f);
    void s.readLoop();
    return s;
  }

  get isOpen(): boolean {
    return this.open;
  }

  private async readLoop(): Promise<void> {
    let error: Error | null = null;
    try {
      for (;;) {
        const chunk = await this.sock.read();
        if (!chunk || !this.open) break;
        for (const f of this.frames.push(chunk)) this.dispatch(f);
      }
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
    }
    this.end(error ?? (this.open ? new Error('ubusd closed the connection') : null));
  }

  /** Close and fail what is pending; `error` null = closed on purpose. */
  end(error: Error | null): void {
    if (!this.open) return;
    this.open = false;
    this.sock.close();
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new UbusError(STATUS.connectionFailed, error ? `connection lost: ${error.message}` : 'connection closed'));
    }
    this.pending.clear();
    this.handlers.onClose(error, this);
  }

  private dispatch(frame: Uint8Array): void {
    // A frame that does not decode leaves the stream out of step: end the session.
    const msg = decodeMessage(frame);
    if (msg.type === MSG.status || msg.type === MSG.data) {
      const p = this.pending.get(msg.seq);
      if (!p || p.peer !== msg.peer) return; // late answer to a timed-out request
      if (msg.type === MSG.data) {
        p.onData(msg.attrs);
        return;
      }
      this.pending.delete(msg.seq);
      clearTimeout(p.timer);
      p.resolve(msg.attrs.status ?? STATUS.invalidArgument);
      return;
    }
    this.handlers.onMessage(msg, this);
  }

  nextSeq(): number {
    this.seq = (this.seq + 1) & 0xffff;
    return this.seq;
  }

  send(frame: Uint8Array): void {
    if (!this.open) return;
    this.sock.write(frame).catch((e: unknown) => this.end(e instanceof Error ? e : new Error(String(e))));
  }

  /**
   * Send a request built for `seq` and collect its DATA answers until the STATUS.
   * Resolves with the DATA messages on status 0, rejects with UbusError otherwise.
   * `onData` sees each DATA as it arrives, before frames behind it in the same chunk are
   * dispatched (ADD_OBJECT's id must be known before the first INVOKE for it).
   */
  request(build: (seq: number) => Uint8Array, peer: number, onData?: (a: MsgAttrs) => void): Promise<MsgAttrs[]> {
    if (!this.open) return Promise.reject(new UbusError(STATUS.connectionFailed, 'not connected to ubusd'));
    const seq = this.nextSeq();
    const data: MsgAttrs[] = [];
    return new Promise<MsgAttrs[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(seq);
        reject(new UbusError(STATUS.timeout));
      }, this.timeoutMs);
      this.pending.set(seq, {
        peer,
        onData: (a) => {
          data.push(a);
          onData?.(a);
        },
        resolve: (status) => {
          if (status !== STATUS.ok) reject(new UbusError(status));
          else {
            const bad = data.find((d) => d.dataError);
            if (bad) reject(new UbusError(STATUS.parseError, `answer with malformed data: ${bad.dataError}`));
            else resolve(data);
          }
        },
        reject,
        timer,
      });
      this.send(build(seq));
    });
  }
}
