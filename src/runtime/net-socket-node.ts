/** Outgoing unix/TCP streams and UDP over Node's net and dgram (loaded only on Node). */
import type { DatagramOut, OutStream, StreamEndpoint } from './net-socket.js';

interface NodeSocket {
  write(data: Uint8Array, cb: (err?: Error | null) => void): boolean;
  on(ev: 'data', fn: (b: Uint8Array) => void): void;
  on(ev: 'error' | 'close' | 'connect', fn: (e?: Error) => void): void;
  once(ev: 'error' | 'connect', fn: (e?: Error) => void): void;
  destroy(): void;
}
interface NodeNet {
  createConnection(opts: { path: string } | { host: string; port: number }): NodeSocket;
}
interface NodeUdp {
  connect(port: number, host: string, cb: () => void): void;
  send(data: Uint8Array, cb: (err: Error | null) => void): void;
  on(ev: 'error', fn: (e: Error) => void): void;
  close(): void;
}
interface NodeDgram {
  createSocket(type: 'udp4' | 'udp6'): NodeUdp;
}

const NET_MODULE = 'node:net';
const DGRAM_MODULE = 'node:dgram';

export async function connectStreamNode(ep: StreamEndpoint): Promise<OutStream> {
  const net = (await import(NET_MODULE)) as NodeNet;
  const sock = net.createConnection(ep.kind === 'unix' ? { path: ep.path } : { host: ep.host, port: ep.port });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', (e) => reject(e));
  });
  const chunks: Uint8Array[] = [];
  let wake: (() => void) | null = null;
  let closed = false;
  let failure: Error | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  sock.on('data', (b) => {
    chunks.push(b);
    notify();
  });
  sock.on('error', (e) => {
    failure = e ?? new Error('socket error');
    notify();
  });
  sock.on('close', () => {
    closed = true;
    notify();
  });
  return {
    async read() {
      while (chunks.length === 0 && !closed && !failure) await new Promise<void>((r) => (wake = r));
      return chunks.shift() ?? null;
    },
    write(data) {
      if (closed || failure) return Promise.reject(failure ?? new Error('socket is closed'));
      return new Promise((resolve, reject) => sock.write(data, (err) => (err ? reject(err) : resolve())));
    },
    close() {
      if (closed) return;
      closed = true;
      sock.destroy();
      notify();
    },
  };
}

export async function openDatagramNode(host: string, port: number): Promise<DatagramOut> {
  const dgram = (await import(DGRAM_MODULE)) as NodeDgram;
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  sock.on('error', () => {});
  await new Promise<void>((resolve) => sock.connect(port, host, resolve));
  return {
    send: (data) => new Promise((resolve, reject) => sock.send(data, (err) => (err ? reject(err) : resolve()))),
    close: () => sock.close(),
  };
}
