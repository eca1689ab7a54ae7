/**
 * The targets of a policy at work: built from the configuration, started once, handed the
 * firings of each batch through the TargetRunner seam (src/live/target-runner.ts), each
 * target getting its share of a batch in one call. A reload builds a new host and stops
 * the old one. Nothing here throws into the daemon.
 */
import type { PolicyConfig, TargetConfig, TargetGlobals } from '../config/policy-config.js';
import type { TargetRunner } from '../live/target-runner.js';
import type { Firing } from '../policy/runner.js';
import type { FlowRecord } from '../record/flow-record.js';
import { errorText } from '../runtime/types.js';
import { BoundedMap } from '../util/bounded-map.js';
import { CtLabelTarget, CtMarkTarget } from './conntrack.js';
import { IpfixTarget } from './ipfix.js';
import { IpsetSetTarget } from './ipset.js';
import { LogTarget } from './log.js';
import { NftSetTarget } from './nftset.js';
import { SinkTarget } from './sink.js';
import type { Target, TargetDeps, TargetEvent, TargetEventKind, TargetStatus } from './types.js';

/** The target for a configured one; null for a type flowsieve does not act on (pftable). */
export function createTarget(cfg: TargetConfig, globals: TargetGlobals, deps: TargetDeps): Target | null {
  switch (cfg.type) {
    case 'nftset':
      return new NftSetTarget(cfg, deps);
    case 'ipset':
      return new IpsetSetTarget(cfg, deps);
    case 'ctlabel':
      return new CtLabelTarget(cfg, globals.ctlabel, deps);
    case 'ctmark':
      return new CtMarkTarget(cfg, deps);
    case 'log':
      return new LogTarget(cfg, deps);
    case 'sink':
      return new SinkTarget(cfg, deps);
    case 'ipfix':
      return new IpfixTarget(cfg, deps);
    case 'pftable':
      return null;
  }
}

/** Flows remembered for refreshes and end events, at most (the flow table's default size). */
const MAX_LIVE_FLOWS = 65536;

interface LiveFlow {
  record: FlowRecord;
  readonly actions: Set<string>;
  /** Wall-clock ms of the last firing or refresh. */
  refreshed: number;
}

const KIND: Readonly<Record<Firing['reason'], TargetEventKind>> = { classified: 'new', updated: 'updated', reprocess: 'updated' };

export class TargetHost implements TargetRunner {
  private readonly targets = new Map<string, Target>();
  /** Target names of each action (for flow-end events). */
  private readonly actionTargets = new Map<string, readonly string[]>();
  /** Flows that fired and have not ended: their set elements are refreshed while they live. */
  private live = new BoundedMap<object, LiveFlow>(MAX_LIVE_FLOWS);
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(
    config: Pick<PolicyConfig, 'targets' | 'targetGlobals'> & { readonly actions?: PolicyConfig['actions'] },
    private readonly deps: TargetDeps,
  ) {
    for (const a of config.actions ?? []) this.actionTargets.set(a.name, a.targets);
    for (const cfg of config.targets.values()) {
      if (!cfg.enabled) continue;
      const t = createTarget(cfg, config.targetGlobals, deps);
      if (t) this.targets.set(cfg.name, t);
      else deps.log('warning', `target '${cfg.name}': ${cfg.type} targets act on FreeBSD only; ignored`);
    }
  }

  /** Start every target, and their periodic work (log rotation, IPFIX templates) each second. */
  async start(): Promise<void> {
    await Promise.all([...this.targets.values()].map((t) => t.start().catch((e) => this.deps.log('error', `target '${t.name}': ${errorText(e)}`))));
    this.ticker = setInterval(() => void this.tick(this.deps.now()), 1000);
  }

  async tick(now: number): Promise<void> {
    for (const t of this.targets.values()) await t.tick?.(now).catch((e) => this.deps.log('error', `target '${t.name}': ${errorText(e)}`));
    await this.refresh(now);
  }

  /**
   * Elements of flows that are still alive (they left the queue once classified, so no
   * firing says so) are added again every `refreshMs` of their set targets.
   */
  async refresh(now: number): Promise<void> {
    const events = new Map<string, TargetEvent[]>();
    for (const f of this.live.values()) {
      let due = false;
      for (const a of f.actions) {
        for (const name of this.actionTargets.get(a) ?? []) {
          const every = this.targets.get(name)?.refreshMs;
          if (every === undefined || now - f.refreshed < every) continue;
          due = true;
          const list = events.get(name) ?? [];
          list.push({ record: f.record, action: a, kind: 'updated' });
          events.set(name, list);
        }
      }
      if (due) f.refreshed = now;
    }
    if (events.size) await this.deliver(events);
  }

  /** A reload: the flows the old host followed carry on here. */
  adoptFlows(old: TargetHost): void {
    this.live = old.live;
    for (const [a, t] of old.actionTargets) if (!this.actionTargets.has(a)) this.actionTargets.set(a, t);
  }

  /** A flow ended: if actions fired for it, an 'expired' event to their targets (sinks, IPFIX). */
  async ended(flow: object, record: () => FlowRecord): Promise<void> {
    const f = this.live.get(flow);
    if (!f) return;
    this.live.delete(flow);
    await this.expired(record(), f.actions);
  }

  /** One batch: each firing goes to the targets its action names, each target once. */
  async run(firings: readonly Firing[]): Promise<void> {
    const byTarget = new Map<Target, TargetEvent[]>();
    const now = this.deps.now();
    for (const f of firings) {
      this.actionTargets.set(f.action.spec.name, f.action.spec.targets);
      const seen = this.live.get(f.flow);
      if (seen) {
        seen.actions.add(f.action.spec.name);
        seen.record = f.record;
        seen.refreshed = now;
      } else this.live.touch(f.flow, { record: f.record, actions: new Set([f.action.spec.name]), refreshed: now });
      const event: TargetEvent = { record: f.record, action: f.action.spec.name, kind: KIND[f.reason] };
      for (const name of f.action.spec.targets) {
        const t = this.targets.get(name);
        if (!t) continue;
        const list = byTarget.get(t);
        if (list) list.push(event);
        else byTarget.set(t, [event]);
      }
    }
    await this.handle(byTarget);
  }

  /** A flow that fired `actions` ended: an 'expired' event to the targets of those actions. */
  async expired(record: FlowRecord, actions: ReadonlySet<string>): Promise<void> {
    const events = new Map<string, TargetEvent[]>();
    for (const [a, targets] of this.actionTargets) {
      if (!actions.has(a)) continue;
      for (const t of targets) if (!events.has(t)) events.set(t, [{ record, action: a, kind: 'expired' }]);
    }
    await this.deliver(events);
  }

  /** Events straight to targets by name (flow ends for sinks, tests, benchmarks). */
  async deliver(events: ReadonlyMap<string, readonly TargetEvent[]>): Promise<void> {
    const byTarget = new Map<Target, readonly TargetEvent[]>();
    for (const [name, list] of events) {
      const t = this.targets.get(name);
      if (t) byTarget.set(t, list);
    }
    await this.handle(byTarget);
  }

  private async handle(byTarget: ReadonlyMap<Target, readonly TargetEvent[]>): Promise<void> {
    await Promise.all([...byTarget].map(([t, events]) => t.handle(events).catch((e) => this.deps.log('error', `target '${t.name}': ${errorText(e)}`))));
  }

  /** Stop every target; `final` false on a reload (sets keep their elements). */
  async stop(final = true): Promise<void> {
    if (this.ticker !== null) clearInterval(this.ticker);
    this.ticker = null;
    await Promise.all([...this.targets.values()].map((t) => t.stop(final).catch((e) => this.deps.log('error', `target '${t.name}': ${errorText(e)}`))));
  }

  status(): TargetStatus[] {
    return [...this.targets.values()].map((t) => t.status());
  }

  get(name: string): Target | undefined {
    return this.targets.get(name);
  }
}
