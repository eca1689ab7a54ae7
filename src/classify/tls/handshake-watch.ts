/**
 * What the TLS and DTLS dissectors track alike while they watch a handshake: the facts it
 * revealed, whether and how the flow was claimed, which side is the client, the packet
 * budgets, and when there is nothing more to see in the clear.
 */
import type { Direction } from '../../flow/types.js';
import type { Detection } from '../dissector.js';
import type { ServerCertificate } from './certificate.js';
import { emptyFacts, type TlsFacts } from './facts.js';
import type { ServerHello } from './server-hello.js';

/** Payload packets looked at before giving up on an unclaimed flow (TLS: unless a handshake is arriving). */
export const MAX_PACKETS_UNCLAIMED = 10;

/**
 * A class, each dissector's state a subclass: its objects share one shape. A literal spread
 * into another (`{ ...newHandshakeWatch(), dirs }`) gave every TLS flow's state a V8 map of
 * its own, made per flow (~3.7 µs), and left the reads of the state megamorphic (replay of
 * corpus x40 under Node: main-thread CPU -0.14 s, 8 of 8 paired runs).
 */
export class HandshakeWatch {
  readonly facts: TlsFacts = emptyFacts();
  claimed = false;
  packets = 0;
  packetsSinceClaim = 0;
  /** The direction that sent the ClientHello (or the opposite of the ServerHello's). */
  clientDir: Direction | null = null;
  /** The server's side went encrypted (ChangeCipherSpec or Application Data seen). */
  serverEncrypted = false;
  /** Claimed only from a bare record: nothing of the handshake will follow. */
  midStream = false;
}

/** Count one payload packet against the budgets. */
export function countPacket(w: HandshakeWatch): void {
  w.packets++;
  if (w.claimed) w.packetsSinceClaim++;
}

/** A ClientHello went `dir`: that side is the client. */
export function sawClientHello(w: HandshakeWatch, dir: Direction): void {
  w.clientDir ??= dir;
}

/** A ServerHello went `dir`: the first one counts, and the other side is the client. */
export function sawServerHello(w: HandshakeWatch, sh: ServerHello, dir: Direction): void {
  w.facts.serverHello ??= sh;
  w.clientDir ??= dir === 0 ? 1 : 0;
}

/** A Certificate message went `dir`: kept when it is the server's first. */
export function sawCertificate(w: HandshakeWatch, dir: Direction, read: () => ServerCertificate | null): void {
  if (w.clientDir !== null && dir !== w.clientDir && !w.facts.certificate) w.facts.certificate = read();
}

/** Claim the flow as `protocol`; a claim on a bare record (not a hello) is mid-stream. */
export function claim(w: HandshakeWatch, out: Detection, protocol: string, onHandshake: boolean): void {
  w.claimed = true;
  w.midStream = !onHandshake;
  out.protocol = protocol;
}

/**
 * Nothing more to learn in the clear, whatever the protocol: picked up mid-stream with no
 * hello, the certificate read, the server encrypting, or `maxAfterClaim` packets spent.
 */
export function handshakeOutOfView(w: HandshakeWatch, maxAfterClaim: number): boolean {
  const f = w.facts;
  if (w.midStream && !f.clientHello && !f.serverHello) return true;
  if (f.certificate || w.serverEncrypted) return true;
  return w.packetsSinceClaim >= maxAfterClaim;
}
