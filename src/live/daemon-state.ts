/**
 * The running daemon as other parts see it (ubus, status output): counters, the active
 * flows, what each action matched, reload and check, and an event on each action match.
 * Plain data and functions, no transport: src/ubus registers these as ubus methods.
 */
import type { Firing } from '../policy/runner.js';
import type { ReloadReport } from '../policy/manager.js';
import type { FlowRecord } from '../record/flow-record.js';

export interface LiveCounters {
  packets: number;
  batches: number;
  verdicts: number;
  /** Packets the daemon asked the kernel to drop. */
  dropped: number;
  /** Packets verdicted with the bypass mark (their flow leaves the queue). */
  bypassed: number;
  flowsCreated: number;
  flowsEnded: number;
  classifications: number;
  firings: number;
  /** Firings dropped because the targets fell behind. */
  firingsDropped: number;
  reloads: number;
  failedReloads: number;
}

/** One line of /proc/net/netfilter/nfnetlink_queue. */
export interface QueueStats {
  readonly queue: number;
  readonly portId: number;
  readonly waiting: number;
  readonly copyMode: number;
  readonly copyRange: number;
  readonly queueDropped: number;
  readonly userDropped: number;
  readonly lastId: number;
}

export interface DaemonStatus {
  readonly runtime: string;
  /** Epoch ms when the daemon started. */
  readonly started: number;
  readonly uptimeSeconds: number;
  readonly queue: string;
  readonly activeFlows: number;
  readonly counters: Readonly<LiveCounters>;
  readonly queues: readonly QueueStats[];
}

export interface ActionStats {
  readonly name: string;
  readonly matches: number;
  /** Epoch ms of the last match, null before the first. */
  readonly lastMatch: number | null;
}

export interface MatchEvent {
  readonly action: string;
  readonly reason: Firing['reason'];
  readonly record: FlowRecord;
  /** Epoch ms. */
  readonly time: number;
}

export interface CheckReport {
  readonly ok: boolean;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** What only the daemon itself can do; given to DaemonState when it starts. */
export interface DaemonControls {
  readonly runtime: string;
  readonly queueDescription: () => string;
  readonly activeFlows: () => number;
  readonly flowRecords: (limit: number) => FlowRecord[];
  readonly queueStats: () => readonly QueueStats[];
  readonly reload: () => Promise<ReloadReport>;
  readonly check: (configText: string) => Promise<CheckReport>;
}

export class DaemonState {
  readonly counters: LiveCounters = {
    packets: 0,
    batches: 0,
    verdicts: 0,
    dropped: 0,
    bypassed: 0,
    flowsCreated: 0,
    flowsEnded: 0,
    classifications: 0,
    firings: 0,
    firingsDropped: 0,
    reloads: 0,
    failedReloads: 0,
  };
  private readonly actionStats = new Map<string, { matches: number; lastMatch: number | null }>();
  private readonly listeners = new Set<(e: MatchEvent) => void>();

  constructor(
    private readonly controls: DaemonControls,
    private readonly clock: () => number,
    readonly started: number = clock(),
  ) {}

  status(): DaemonStatus {
    const now = this.clock();
    return {
      runtime: this.controls.runtime,
      started: this.started,
      uptimeSeconds: Math.max(0, Math.floor((now - this.started) / 1000)),
      queue: this.controls.queueDescription(),
      activeFlows: this.controls.activeFlows(),
      counters: { ...this.counters },
      queues: this.controls.queueStats(),
    };
  }

  /** Records of active flows, as `--records` prints ended ones (at most `limit`). */
  flows(limit = 1000): FlowRecord[] {
    return this.controls.flowRecords(limit);
  }

  actions(): ActionStats[] {
    return [...this.actionStats].map(([name, s]) => ({ name, matches: s.matches, lastMatch: s.lastMatch }));
  }

  /** Reload configuration and rules; a broken config keeps the running policy. */
  async reload(): Promise<ReloadReport> {
    const r = await this.controls.reload();
    if (r.ok) this.counters.reloads++;
    else this.counters.failedReloads++;
    return r;
  }

  /** Validate a configuration text without applying it. */
  check(configText: string): Promise<CheckReport> {
    return this.controls.check(configText);
  }

  /** Listen to action matches; returns the function that stops listening. */
  onMatch(listener: (e: MatchEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The daemon reports each firing here (counted per action, then told to listeners). */
  matched(f: Firing): void {
    const time = this.clock();
    const name = f.action.spec.name;
    const s = this.actionStats.get(name);
    if (s) {
      s.matches++;
      s.lastMatch = time;
    } else this.actionStats.set(name, { matches: 1, lastMatch: time });
    this.counters.firings++;
    if (this.listeners.size === 0) return;
    const event: MatchEvent = { action: name, reason: f.reason, record: f.record, time };
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A listener's failure is its own; matching goes on.
      }
    }
  }
}

/** /proc/net/netfilter/nfnetlink_queue text → one entry per bound queue. */
export function parseQueueStats(text: string): QueueStats[] {
  const out: QueueStats[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/).map(Number);
    if (f.length < 9 || f.some((n) => !Number.isFinite(n))) continue;
    out.push({
      queue: f[0]!,
      portId: f[1]!,
      waiting: f[2]!,
      copyMode: f[3]!,
      copyRange: f[4]!,
      queueDropped: f[5]!,
      userDropped: f[6]!,
      lastId: f[7]!,
    });
  }
  return out;
}
