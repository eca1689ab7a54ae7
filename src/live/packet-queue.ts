/**
 * The packet source of the daemon, as the layers above see it: batches of packets in,
 * one batch of verdicts out. Nothing above this knows about netlink; nothing below it
 * knows about flows or policy (src/live/nfqueue.ts is the NFQUEUE implementation).
 */
import type { PacketMeta } from '../flow/packet-meta.js';

export type Verdict = 'accept' | 'drop' | 'repeat';

export interface QueuedPacket {
  /** Kernel packet id (per queue). */
  readonly id: number;
  readonly queue: number;
  /** The packet from its IP header, up to the copy range (lent until the handler returns). */
  readonly data: Uint8Array;
  /** Its length on the wire (more than data.length when the copy was cut). */
  readonly length: number;
  readonly meta: PacketMeta;
}

export interface PacketBatch {
  readonly packets: readonly QueuedPacket[];
  /** Every packet is accepted unmarked unless its verdict is set here. */
  setVerdict(index: number, verdict: Verdict, mark?: number): void;
}

export interface QueueCounters {
  batches: number;
  packets: number;
  verdicts: number;
  /** Packets whose record could not be read (cut short, unknown family). */
  malformed: number;
  /** Receive or verdict calls that failed. */
  errors: number;
}

export interface PacketQueue {
  /** What is bound, for the log (e.g. "NFQUEUE 0-1 (fail-open, gso)"). */
  readonly description: string;
  readonly counters: QueueCounters;
  /**
   * Deliver batches to `handle` until close(); the verdicts a handler set are sent as soon
   * as it returns, before the next batch is read. `afterVerdicts` runs once they are sent.
   */
  start(handle: (batch: PacketBatch) => void, afterVerdicts?: () => void): void;
  /** Stop receiving and release the queues (the kernel then bypasses or drops per the rules). */
  close(): Promise<void>;
}
