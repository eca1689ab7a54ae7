/**
 * What every target is: it receives the firings of a batch (after the verdicts were sent)
 * and changes something outside the daemon — a kernel set, a conntrack entry, a file, a
 * socket. A target never throws into the daemon: failures are counted and reported once
 * per reason (see errors.ts).
 */
import type { FlowRecord } from '../record/flow-record.js';
import type { NativeLoader } from '../runtime/native-abi.js';

/** Why a flow reaches a target: an action fired (or fired again after a change), or a flow it fired for ended. */
export type TargetEventKind = 'new' | 'updated' | 'expired';

/** The events that are matches (the kernel targets and the log act on nothing else). */
export function matchesOnly(events: readonly TargetEvent[]): readonly TargetEvent[] {
  return events.some((e) => e.kind === 'expired') ? events.filter((e) => e.kind !== 'expired') : events;
}

export interface TargetEvent {
  readonly record: FlowRecord;
  /** The action that fired. */
  readonly action: string;
  readonly kind: TargetEventKind;
}

export interface TargetStatus {
  readonly name: string;
  readonly type: string;
  /** Events handled (elements added, labels set, records written or sent). */
  readonly done: number;
  /** Events that could not be carried out, by reason. */
  readonly failed: number;
  readonly errors: Readonly<Record<string, number>>;
  /** Records dropped by a full buffer (sink, ipfix). */
  readonly dropped: number;
}

export interface Target {
  readonly name: string;
  readonly type: string;
  /** Prepare (managed sets, sockets). Never rejects: a failure is reported and counted. */
  start(): Promise<void>;
  /** One batch of events for this target. Never rejects. */
  handle(events: readonly TargetEvent[]): Promise<void>;
  /**
   * Set targets with a ttl: how often the element of a flow that is still alive is added
   * again (half the ttl), so it does not expire while the flow goes on past the queue.
   */
  readonly refreshMs?: number;
  /** Periodic work (rotation, template refresh, retries); `now` is wall-clock ms. */
  tick?(now: number): Promise<void>;
  /**
   * Close files and sockets; when `final` (shutdown, not a reload), flush_on_destroy
   * empties the sets. Never rejects.
   */
  stop(final?: boolean): Promise<void>;
  status(): TargetStatus;
}

/** What targets need from the daemon. */
export interface TargetDeps {
  /** One line for the log (procd's stderr). */
  readonly log: (level: 'error' | 'warning' | 'info', message: string) => void;
  readonly loadNative: NativeLoader;
  /** Wall clock, ms since the epoch. */
  readonly now: () => number;
  readonly readTextFile: (path: string) => Promise<string>;
  readonly appendFile: (path: string, data: string | Uint8Array) => Promise<void>;
}
