/**
 * The far end of a ubus connection for tests without ubusd: a unix socket server that
 * plays frames recorded from a real ubusd (test/fixtures/ubus/wire.json), or any bytes a
 * test wants to throw at the client, and hands back the frames the client sent.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RecordedFrame {
  readonly dir: 'in' | 'out';
  readonly hex: string;
}
export interface Conversation {
  readonly label: string;
  readonly frames: readonly RecordedFrame[];
}
export interface WireFixture {
  readonly conversations: readonly Conversation[];
  readonly cli: Record<string, { code: number; output: string }>;
  readonly listenerOutput: string;
  readonly subscriberOutput: string;
}

export const wire = JSON.parse(readFileSync(new URL('../fixtures/ubus/wire.json', import.meta.url), 'utf8')) as WireFixture;

export function conversation(labelStart: string): Conversation {
  const c = wire.conversations.find((x) => x.label.startsWith(labelStart));
  if (!c) throw new Error(`no recorded conversation '${labelStart}'`);
  return c;
}

export const fromHex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
export const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** One accepted client: send it bytes, take its frames one at a time. */
export class PeerConnection {
  private buf = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiting: ((f: Buffer | null) => void) | null = null;
  closed = false;

  constructor(readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 12) {
        const len = 8 + (this.buf.readUInt32BE(8) & 0xffffff);
        if (this.buf.length < len) break;
        this.frames.push(this.buf.subarray(0, len));
        this.buf = this.buf.subarray(len);
      }
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
    sock.on('error', () => {});
  }

  private wake(): void {
    if (!this.waiting) return;
    if (this.frames.length) {
      const w = this.waiting;
      this.waiting = null;
      w(this.frames.shift()!);
    } else if (this.closed) {
      const w = this.waiting;
      this.waiting = null;
      w(null);
    }
  }

  send(hex: string | Uint8Array): void {
    this.sock.write(typeof hex === 'string' ? fromHex(hex) : hex);
  }

  /** The client's next frame as hex, or null once it has closed; fails after `ms`. */
  next(ms = 2000): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no frame from the client in time')), ms);
      this.waiting = (f) => {
        clearTimeout(t);
        resolve(f ? f.toString('hex') : null);
      };
      this.wake();
    });
  }
}

export class Peer {
  readonly dir = mkdtempSync(join(tmpdir(), 'fs-ubus-'));
  readonly path = join(this.dir, 'ubus.sock');
  private readonly server: Server;
  private readonly accepted: PeerConnection[] = [];
  private waiting: ((c: PeerConnection) => void) | null = null;

  constructor() {
    this.server = createServer((s) => {
      const c = new PeerConnection(s);
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(c);
      } else this.accepted.push(c);
    });
  }

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(this.path, r));
  }

  accept(): Promise<PeerConnection> {
    const c = this.accepted.shift();
    if (c) return Promise.resolve(c);
    return new Promise((r) => (this.waiting = r));
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Play a recorded conversation to the client on `conn`: each run of recorded ubusd
 * frames is sent, then the client's next frames must equal the recorded client frames of
 * the following run (as a set: a server may send its NOTIFY before or after its reply).
 */
export async function replay(conn: PeerConnection, c: Conversation): Promise<void> {
  const frames = c.frames;
  let i = 0;
  while (i < frames.length) {
    for (; i < frames.length && frames[i]!.dir === 'in'; i++) conn.send(frames[i]!.hex);
    const want: string[] = [];
    for (; i < frames.length && frames[i]!.dir === 'out'; i++) want.push(frames[i]!.hex);
    const got: string[] = [];
    for (let k = 0; k < want.length; k++) got.push((await conn.next()) ?? 'closed');
    if ([...got].sort().join() !== [...want].sort().join()) {
      throw new Error(`${c.label}: client sent\n  ${got.join('\n  ')}\nlibubus sent\n  ${want.join('\n  ')}`);
    }
  }
}
