/**
 * The seam between the packet path and the targets. The daemon collects the firings of
 * one batch while it classifies, sends the batch's verdicts, and only then hands the
 * firings over here: a target (an nft set update, a log write, a sink) never delays a
 * packet. Batches are handed to the runner one after another, in order; when the runner
 * falls behind, the backlog is bounded and the oldest waiting firings are dropped (counted).
 */
import type { Firing } from '../policy/runner.js';

/** Performs the targets of fired actions (src/targets implements it). */
export interface TargetRunner {
  /** The firings of one batch. Rejections are logged and counted, never fatal. */
  run(firings: readonly Firing[]): Promise<void>;
}

export interface DispatchCounters {
  /** Firings handed to the runner. */
  dispatched: number;
  /** Firings dropped because the runner's backlog was full. */
  dropped: number;
  /** Batches whose run() rejected. */
  failures: number;
}

export class FiringDispatcher {
  private pending: Firing[] = [];
  private readonly waiting: Firing[][] = [];
  private waitingFirings = 0;
  private running = false;
  private idleWaiters: (() => void)[] = [];
  readonly counters: DispatchCounters = { dispatched: 0, dropped: 0, failures: 0 };

  constructor(
    private readonly runner: TargetRunner,
    private readonly onError: (e: unknown) => void,
    /** Firings waiting for the runner at most. */
    private readonly maxBacklog = 10_000,
  ) {}

  /** Policy's `fire` callback: remember the firing until the batch is done. */
  readonly collect = (f: Firing): void => {
    this.pending.push(f);
  };

  /** The batch's verdicts are sent: hand its firings over (asynchronously). */
  batchDone(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.waiting.push(batch);
    this.waitingFirings += batch.length;
    while (this.waitingFirings > this.maxBacklog && this.waiting.length > 1) {
      const old = this.waiting.shift()!;
      this.waitingFirings -= old.length;
      this.counters.dropped += old.length;
    }
    if (!this.running) void this.drain();
  }

  /** Resolves once every handed-over firing has run (shutdown, tests). */
  idle(): Promise<void> {
    if (!this.running && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(): Promise<void> {
    this.running = true;
    // A turn of the event loop first: the caller goes back to the queue before any target runs.
    await Promise.resolve();
    while (this.waiting.length > 0) {
      const batch = this.waiting.shift()!;
      this.waitingFirings -= batch.length;
      this.counters.dispatched += batch.length;
      try {
        await this.runner.run(batch);
      } catch (e) {
        this.counters.failures++;
        this.onError(e);
      }
    }
    this.running = false;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }
}
