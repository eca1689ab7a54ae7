/**
 * Outgoing sockets for the sink and IPFIX targets, on both runtimes: a stream (unix or
 * TCP) whose write() resolves once the runtime has taken the bytes — so a stalled reader
 * shows as a write that does not resolve, which the caller bounds — and a connected UDP
 * socket. The same pull shape as the ubus client's unix sockets (read/write/close).
 */
import { detectRuntime } from './index.js';

export type StreamEndpoint =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface OutStream {
  /** The next chunk from the peer, or null once it closed (or close() was called). */
  read(): Promise<Uint8Array | null>;
  /** Resolves once the bytes are handed to the kernel; rejects when the peer is gone. */
  write(data: Uint8Array): Promise<void>;
  close(): void;
}

export interface DatagramOut {
  send(data: Uint8Array): Promise<void>;
  close(): void;
}

export async function connectStream(ep: StreamEndpoint): Promise<OutStream> {
  switch (detectRuntime()) {
    case 'node':
      return (await import('./net-socket-node.js')).connectStreamNode(ep);
    case 'txiki':
      return (await import('./net-socket-txiki.js')).connectStreamTxiki(ep);
    default:
      throw new Error('sockets need Node or txiki.js');
  }
}

export async function openDatagram(host: string, port: number): Promise<DatagramOut> {
  switch (detectRuntime()) {
    case 'node':
      return (await import('./net-socket-node.js')).openDatagramNode(host, port);
    case 'txiki':
      return (await import('./net-socket-txiki.js')).openDatagramTxiki(host, port);
    default:
      throw new Error('sockets need Node or txiki.js');
  }
}
