/** StreamSocket over Node's net module (loaded lazily, so the bundle still parses on txiki.js). */
import type { StreamSocket } from './stream-socket.js';

interface NodeNetSocket {
  on(ev: 'data', fn: (chunk: Uint8Array) => void): void;
  on(ev: 'close', fn: () => void): void;
  on(ev: 'error', fn: (e: Error) => void): void;
  once(ev: 'connect', fn: () => void): void;
  once(ev: 'error', fn: (e: Error) => void): void;
  off(ev: 'error', fn: (e: Error) => void): void;
  write(data: Uint8Array, cb: (err?: Error | null) => void): boolean;
  destroy(): void;
}

interface NodeNet {
  createConnection(opts: { path: string }): NodeNetSocket;
}

const NET_MODULE = 'node:net';

export async function connectUnixNode(path: string): Promise<StreamSocket> {
  const net = (await import(NET_MODULE)) as NodeNet;
  const sock = net.createConnection({ path });
  await new Promise<void>((resolve, reject) => {
    const fail = (e: Error): void => reject(e);
    sock.once('error', fail);
    sock.once('connect', () => {
      sock.off('error', fail);
      resolve();
    });
  });

  const chunks: Uint8Array[] = [];
  let closed = false;
  let error: Error | null = null;
  let waiter: ((v: Uint8Array | null) => void) | null = null;
  let failWaiter: ((e: Error) => void) | null = null;

  const wake = (): void => {
    if (!waiter) return;
    const w = waiter;
    const f = failWaiter!;
    waiter = failWaiter = null;
    if (chunks.length) w(chunks.shift()!);
    else if (error) f(error);
    else if (closed) w(null);
    else {
      waiter = w;
      failWaiter = f;
    }
  };
  sock.on('data', (c) => {
    chunks.push(new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    wake();
  });
  sock.on('error', (e) => {
    error = e;
    wake();
  });
  sock.on('close', () => {
    closed = true;
    wake();
  });

  return {
    read: () =>
      new Promise<Uint8Array | null>((resolve, reject) => {
        if (chunks.length) return resolve(chunks.shift()!);
        if (error) return reject(error);
        if (closed) return resolve(null);
        waiter = resolve;
        failWaiter = reject;
      }),
    write: (data) =>
      new Promise<void>((resolve, reject) => {
        if (closed) return reject(new Error('socket is closed'));
        sock.write(data, (err) => (err ? reject(err) : resolve()));
      }),
    close: () => {
      if (closed) return;
      closed = true;
      sock.destroy();
      wake();
    },
  };
}
