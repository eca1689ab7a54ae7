/**
 * The daemon on the bus: the `flowsieve` object (status, flows, apps, actions, reload,
 * check) over the daemon's state surface, and a `flowsieve.action` event — also sent as
 * an `action` NOTIFY to the object's subscribers — for each action match, rate-limited.
 */
import type { ActionStats, DaemonState, MatchEvent } from '../live/daemon-state.js';
import type { JsonObject } from './blobmsg.js';
import { type LogFn, type PublishedObject, type UbusClient, type UbusObjectSpec } from './client.js';
import { type FlowRow, flowKey, flowRow, flowSummary, selectFlows, usage } from './flow-view.js';
import { RateLimit } from './rate-limit.js';

export const OBJECT_NAME = 'flowsieve';
export const ACTION_EVENT = 'flowsieve.action';

export interface FlowsieveBusOptions {
  readonly version: string;
  /** Wall clock, ms. */
  readonly clock: () => number;
  /** Events a second on average, and the burst allowed (defaults 10 and 50). */
  readonly eventRate?: number;
  readonly eventBurst?: number;
  readonly log?: LogFn;
}

const DEFAULT_FLOWS = 100;
const MAX_FLOWS = 1000;
const DEFAULT_WINDOW_S = 300;
/** Flows whose matched actions are remembered (the oldest are forgotten first). */
const MATCH_MEMORY = 8192;

/** Which actions matched which flow, bounded: insertion order is age. */
class FlowActions {
  private readonly byFlow = new Map<string, string[]>();

  add(key: string, action: string): void {
    const list = this.byFlow.get(key);
    if (list) {
      if (!list.includes(action)) list.push(action);
      return;
    }
    if (this.byFlow.size >= MATCH_MEMORY) this.byFlow.delete(this.byFlow.keys().next().value!);
    this.byFlow.set(key, [action]);
  }

  of(key: string): readonly string[] {
    return this.byFlow.get(key) ?? [];
  }
}

const int = (v: unknown, dflt: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function actionJson(a: ActionStats): JsonObject {
  return { name: a.name, matches: a.matches, last_match: a.lastMatch };
}

/** The event (and NOTIFY) body for one match. */
export function matchEventData(e: MatchEvent, held: number): JsonObject {
  return {
    action: e.action,
    reason: e.reason,
    time: e.time,
    ...flowSummary(e.record),
    ...(held > 0 ? { suppressed: held } : {}),
  };
}

export class FlowsieveBus {
  private readonly matches = new FlowActions();
  private readonly rate: RateLimit;
  private published: PublishedObject | null = null;
  private stopMatches: (() => void) | null = null;

  constructor(
    private readonly state: DaemonState,
    private readonly client: UbusClient,
    private readonly opts: FlowsieveBusOptions,
  ) {
    this.rate = new RateLimit(opts.eventRate ?? 10, opts.eventBurst ?? 50, opts.clock);
  }

  private rows(limit: number): FlowRow[] {
    return this.state.flows(limit).map((r) => flowRow(r, this.matches.of(flowKey(r))));
  }

  /** The object's methods: argument policies and handlers. */
  spec(): UbusObjectSpec {
    const st = this.state;
    return {
      name: OBJECT_NAME,
      methods: {
        status: {
          handler: () => {
            const s = st.status();
            const c = s.counters;
            return {
              version: this.opts.version,
              runtime: s.runtime,
              started: Math.floor(s.started / 1000),
              uptime: s.uptimeSeconds,
              queue: s.queue,
              flows: s.activeFlows,
              classifications: c.classifications,
              action_firings: c.firings,
              target_errors: c.firingsDropped,
              counters: {
                packets: c.packets,
                batches: c.batches,
                verdicts: c.verdicts,
                dropped: c.dropped,
                bypassed: c.bypassed,
                flows_created: c.flowsCreated,
                flows_ended: c.flowsEnded,
                classifications: c.classifications,
                firings: c.firings,
                firings_dropped: c.firingsDropped,
                reloads: c.reloads,
                failed_reloads: c.failedReloads,
              },
              queues: s.queues.map((q) => ({
                queue: q.queue,
                port_id: q.portId,
                waiting: q.waiting,
                copy_mode: q.copyMode,
                copy_range: q.copyRange,
                queue_dropped: q.queueDropped,
                user_dropped: q.userDropped,
                last_id: q.lastId,
              })),
            };
          },
        },
        flows: {
          args: { app: { type: 'string' }, category: { type: 'string' }, address: { type: 'string' }, limit: { type: 'int32' } },
          handler: (a) => {
            const limit = Math.min(MAX_FLOWS, Math.max(0, int(a.limit, DEFAULT_FLOWS)));
            const filter = { app: str(a.app), category: str(a.category), address: str(a.address) };
            // Every active flow is looked at: the filter and the sort by bytes need them all.
            const { total, flows } = selectFlows(this.rows(Number.MAX_SAFE_INTEGER), filter, limit);
            return { total, flows };
          },
        },
        apps: {
          args: { window: { type: 'int32' }, limit: { type: 'int32' } },
          handler: (a) => {
            const window = Math.max(1, int(a.window, DEFAULT_WINDOW_S));
            const u = usage(this.rows(Number.MAX_SAFE_INTEGER), this.opts.clock(), window * 1000, Math.max(1, int(a.limit, 10)));
            return { window, ...u };
          },
        },
        actions: {
          handler: () => ({ actions: st.actions().map(actionJson) }),
        },
        reload: {
          handler: async () => {
            const r = await st.reload();
            return { ok: r.ok, errors: [...r.errors], warnings: [...r.warnings], reprocessed: r.reprocessed };
          },
        },
        check: {
          args: { config: { type: 'string', required: true } },
          handler: async (a) => {
            const r = await st.check(a.config as string);
            return { ok: r.ok, errors: [...r.errors], warnings: [...r.warnings] };
          },
        },
      },
    };
  }

  /** Publish the object and start announcing matches. */
  async start(): Promise<void> {
    this.published = await this.client.publish(this.spec());
    this.stopMatches = this.state.onMatch((e) => this.announce(e));
  }

  stop(): void {
    this.stopMatches?.();
    this.stopMatches = null;
  }

  private announce(e: MatchEvent): void {
    this.matches.add(flowKey(e.record), e.action);
    if (!this.client.connected) return;
    const held = this.rate.take();
    if (held === null) return;
    const data = matchEventData(e, held);
    this.client.sendEvent(ACTION_EVENT, data).catch((err: unknown) => this.opts.log?.('debug', `ubus: ${ACTION_EVENT}: ${err instanceof Error ? err.message : String(err)}`));
    this.published?.notify('action', data);
  }
}
