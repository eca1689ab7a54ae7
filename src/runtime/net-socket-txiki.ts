/** Outgoing unix/TCP streams and UDP over txiki.js Direct Sockets (`tjs.connect`). */
import type { DatagramOut, OutStream, StreamEndpoint } from './net-socket.js';

interface Reader<T> {
  read(): Promise<{ done: boolean; value?: T }>;
  cancel(): Promise<void>;
}
interface Writer<T> {
  write(chunk: T): Promise<void>;
}
interface DirectSocket<R, W> {
  readonly opened: Promise<{ readable: { getReader(): Reader<R> }; writable: { getWriter(): Writer<W> } }>;
  close(): void;
}
interface TjsConnect {
  connect(transport: 'pipe', path: string): Promise<DirectSocket<Uint8Array, Uint8Array>>;
  connect(transport: 'tcp', host: string, port: number): Promise<DirectSocket<Uint8Array, Uint8Array>>;
  connect(transport: 'udp', host: string, port: number): Promise<DirectSocket<{ data: Uint8Array }, { data: Uint8Array }>>;
}

const tjs = (): TjsConnect => (globalThis as unknown as { tjs: TjsConnect }).tjs;

export async function connectStreamTxiki(ep: StreamEndpoint): Promise<OutStream> {
  const sock = ep.kind === 'unix' ? await tjs().connect('pipe', ep.path) : await tjs().connect('tcp', ep.host, ep.port);
  const { readable, writable } = await sock.opened;
  const reader = readable.getReader();
  const writer = writable.getWriter();
  let closed = false;
  return {
    async read() {
      if (closed) return null;
      const r = await reader.read();
      return r.done || !r.value ? null : r.value;
    },
    async write(data) {
      if (closed) throw new Error('socket is closed');
      await writer.write(data);
    },
    close() {
      if (closed) return;
      closed = true;
      reader.cancel().catch(() => {});
      sock.close();
    },
  };
}

export async function openDatagramTxiki(host: string, port: number): Promise<DatagramOut> {
  const sock = await tjs().connect('udp', host, port);
  const { writable } = await sock.opened;
  const writer = writable.getWriter();
  return { send: (data) => writer.write({ data }), close: () => sock.close() };
}
