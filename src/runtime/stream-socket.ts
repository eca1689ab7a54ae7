/**
 * Stream sockets (unix domain for now) for both runtimes: the ubus client talks to ubusd
 * through this. One small pull interface — read a chunk, write bytes, close — that Node's
 * net.Socket and txiki.js's Direct Sockets (`tjs.connect('pipe', path)`) both fit.
 */
import { detectRuntime } from './index.js';

export interface StreamSocket {
  /** The next chunk of bytes, or null once the peer has closed (or close() was called). */
  read(): Promise<Uint8Array | null>;
  /** Queue bytes; resolves once the runtime has taken them. Writes keep their order. */
  write(data: Uint8Array): Promise<void>;
  /** Close both directions; a pending read() resolves with null. Idempotent. */
  close(): void;
}

/** Connect to the unix stream socket at `path`; rejects (ENOENT, ECONNREFUSED, …) when nobody listens. */
export async function connectUnix(path: string): Promise<StreamSocket> {
  switch (detectRuntime()) {
    case 'node':
      return (await import('./stream-socket-node.js')).connectUnixNode(path);
    case 'txiki':
      return (await import('./stream-socket-txiki.js')).connectUnixTxiki(path);
    default:
      throw new Error('unix sockets need Node or txiki.js');
  }
}
