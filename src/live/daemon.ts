/**
 * `flowsieve run`: the daemon. Loads the policy, applies the firewall rules, binds the
 * queues, and then, per batch: packets → flows → classification → policy; verdicts go
 * back at once (a flow that is done leaves the queue through the bypass mark), and the
 * batch's action firings are handed to the targets after that. SIGHUP reloads (a broken
 * config keeps the running policy), SIGTERM/SIGINT stop cleanly.
 *
 * Times: flows run on the monotonic clock (expiry neither jumps nor stalls when NTP sets
 * the wall clock at boot); records get epoch times through an offset taken when they are
 * built. A timer expires idle flows without waiting for packets.
 */
import { defaultCatalogue } from '../catalogue/catalogue.js';
import { flowKeyOf } from '../flow/key.js';
import type { LoadedPolicy } from '../policy/load.js';
import { loadPolicy } from '../policy/load.js';
import { PolicyManager } from '../policy/manager.js';
import { PolicyRunner } from '../policy/runner.js';
import { FlowPipeline, type TrackedFlow } from '../pipeline/pipeline.js';
import type { FlowRecord } from '../record/flow-record.js';
import { errorText, type Runtime } from '../runtime/types.js';
import { ConntrackEvents, type ConntrackEnd } from './conntrack-events.js';
import { DaemonState, parseQueueStats, type QueueStats } from './daemon-state.js';
import { InterfaceNames } from './interfaces.js';
import { Logger } from './logger.js';
import { DEFAULT_NFQUEUE_OPTIONS, NfQueue, QUEUE_FLAGS } from './nfqueue.js';
import type { PacketBatch } from './packet-queue.js';
import { applyRules, removeRules, type QueueMode } from './rules-apply.js';
import { rulesSpec } from './rules.js';
import { FiringDispatcher, type TargetRunner } from './target-runner.js';
import { PolicyTargets, targetDeps } from '../targets/policy-targets.js';

export interface DaemonOptions {
  readonly configPath: string;
  /** Print each ended flow's record on stdout (NDJSON, as `replay`). */
  readonly records: boolean;
  /** Apply (and on exit remove) the firewall rules; off when the firewall includes them itself. */
  readonly applyRules: boolean;
  /** Performs the targets; default: log each match. */
  readonly targets?: (log: Logger) => TargetRunner;
  /** Called once the daemon is running (ubus registers here), with the daemon's log. */
  readonly started?: (state: DaemonState, log: Logger) => void;
}

/** LINKTYPE_RAW: NFQUEUE hands over packets from their IP header. */
const LINKTYPE_RAW = 101;
const TICK_MS = 1000;
const PROC_QUEUE = '/proc/net/netfilter/nfnetlink_queue';
const CHECK_PATH = '<check>';

/** The daemon's per-flow slot. */
interface FlowSlot {
  /** The flow's last verdict carried the bypass mark: the kernel stops queueing it. */
  bypassed: boolean;
}

export async function runDaemon(rt: Runtime, opts: DaemonOptions): Promise<number> {
  const log = new Logger((line) => rt.logLine(line));
  // Signals are taken from the start (SIGHUP's default action ends the process); until the
  // daemon runs, a stop request is remembered and a reload is moot (it loads anyway).
  let onStop: (signal: string) => void = (signal) => (earlyStop ??= signal);
  let onReload: () => void = () => {};
  let earlyStop: string | null = null;
  rt.onSignal('SIGTERM', () => onStop('SIGTERM'));
  rt.onSignal('SIGINT', () => onStop('SIGINT'));
  rt.onSignal('SIGHUP', () => onReload());
  const manager = new PolicyManager(rt, opts.configPath);
  const first = await manager.reload();
  for (const w of first.warnings) log.warning(w);
  if (!first.ok) {
    for (const e of first.errors) log.error(e);
    log.error(`${opts.configPath}: not started (${first.errors.length} error(s))`);
    return 1;
  }
  let loaded: LoadedPolicy = manager.current!;
  const g = loaded.config.globals;
  log.setLevel(g.logLevel);
  if (!g.enabled) {
    log.notice(`${opts.configPath}: globals 'enabled' is 0; not starting`);
    return 0;
  }

  let rulesMode: QueueMode | null = null;
  if (opts.applyRules) {
    const applied = await applyRules(rt.run, rulesSpec(loaded.config), g.firewall);
    if (applied.note) log.notice(applied.note);
    rulesMode = applied.mode;
  }

  const ifnames = new InterfaceNames(rt);
  await ifnames.refresh();
  let queue: NfQueue;
  try {
    queue = await NfQueue.open(
      rt,
      {
        ...DEFAULT_NFQUEUE_OPTIONS,
        first: g.queue.first,
        last: g.queue.last,
        copyRange: g.copyRange,
        maxLen: g.queueMaxLen,
        failOpen: g.failOpen,
        interfaceName: ifnames.name,
      },
      (m) => log.warning(m),
    );
  } catch (e) {
    if (opts.applyRules && !g.keepRules) await removeRules(rt.run);
    throw e;
  }
  if (!(queue.flags & QUEUE_FLAGS.conntrack)) log.info('the kernel gives no conntrack info with queued packets (CONNTRACK flag refused); carrying on without');

  const epochOffset = () => rt.now() - rt.monotonic();
  let queueStats: readonly QueueStats[] = [];
  const readQueueStats = async () => {
    try {
      queueStats = parseQueueStats(await rt.readTextFile(PROC_QUEUE));
    } catch {
      queueStats = [];
    }
  };

  // Targets, policy, pipeline: the firings of a batch reach the targets after its verdicts.
  const policyTargets = opts.targets ? null : new PolicyTargets(targetDeps(rt, log), log, loaded.config);
  await policyTargets?.start();
  const targets = opts.targets ? opts.targets(log) : policyTargets!;
  const dispatcher = new FiringDispatcher(targets, (e) => log.warning(`targets: ${errorText(e)}`));
  let state: DaemonState;
  const runner = new PolicyRunner(loaded.policy, {
    catalogue: defaultCatalogue,
    interfaceName: null,
    context: () => ({ now: rt.now(), roles: loaded.roles }),
    fire: (f) => {
      state.matched(f);
      dispatcher.collect(f);
    },
    epochOffset,
  });
  const pipeline: FlowPipeline = new FlowPipeline(
    {
      catalogue: defaultCatalogue,
      flowTable: { maxFlows: g.maxFlows },
      classifier: { maxPackets: g.packetCap },
      record: { interfaceName: null, epochOffset },
    },
    {
      classified: (flow) => {
        state.counters.classifications++;
        runner.evaluate(flow, 'classified');
      },
      updated: (flow) => runner.evaluate(flow, 'updated'),
      ended: (flow) => {
        state.counters.flowsEnded++;
        policyTargets?.ended(flow, () => pipeline.record(flow));
        if (opts.records) rt.stdout(pipeline.recordJson(flow) + '\n');
      },
    },
  );

  const flowRecords = (limit: number): FlowRecord[] => {
    const out: FlowRecord[] = [];
    for (const f of pipeline.table.active()) {
      if (out.length >= limit) break;
      out.push(pipeline.record(f));
    }
    return out;
  };

  const reload = async () => {
    const r = await manager.reload(runner, pipeline.table.active());
    for (const w of r.warnings) log.warning(w);
    if (!r.ok) {
      for (const e of r.errors) log.error(e);
      log.error(`reload of ${opts.configPath} failed; the running policy stays in force`);
      return r;
    }
    const before = loaded.config.globals;
    loaded = manager.current!;
    await policyTargets?.reconfigure(loaded.config);
    const now = loaded.config.globals;
    log.setLevel(now.logLevel);
    if (now.queue.first !== before.queue.first || now.queue.last !== before.queue.last) {
      log.warning(`queue range changed to ${now.queue.first}-${now.queue.last}: takes effect on restart`);
    }
    if (opts.applyRules) {
      try {
        await applyRules(rt.run, rulesSpec(loaded.config), now.firewall);
      } catch (e) {
        log.error(`rules not updated: ${errorText(e)}`);
      }
    }
    windowAt = nextWindowChange(loaded, rt.now());
    log.notice(`reloaded ${opts.configPath}: ${loaded.config.actions.length} action(s)${r.reprocessed ? `, ${r.reprocessed} flow(s) re-evaluated` : ''}`);
    return r;
  };

  state = new DaemonState(
    {
      runtime: rt.kind,
      queueDescription: () => queue.description,
      activeFlows: () => pipeline.table.size,
      flowRecords,
      queueStats: () => queueStats,
      reload,
      check: async (text) => {
        const io = { ...rt, readTextFile: (p: string) => (p === CHECK_PATH ? Promise.resolve(text) : rt.readTextFile(p)) };
        const r = await loadPolicy(io, CHECK_PATH);
        return r.ok ? { ok: true, errors: [], warnings: r.warnings } : { ok: false, errors: r.errors, warnings: r.warnings };
      },
    },
    () => rt.now(),
  );

  const handle = (batch: PacketBatch) => {
    const now = rt.monotonic();
    const c = state.counters;
    const packets = batch.packets;
    c.batches++;
    c.packets += packets.length;
    c.verdicts += packets.length;
    const cap = loaded.config.globals.packetCap;
    const mark = loaded.config.globals.bypassMark;
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      let flow: TrackedFlow | null;
      try {
        flow = pipeline.frame(LINKTYPE_RAW, p.data, now, p.length, p.meta);
      } catch (e) {
        // A packet the pipeline cannot take is accepted and logged, never fatal.
        log.debug(`packet ${p.id} on queue ${p.queue}: ${errorText(e)}`);
        continue;
      }
      if (flow === null) continue;
      let slot = flow.slot as FlowSlot | null;
      if (slot === null) {
        slot = { bypassed: false };
        flow.slot = slot;
        c.flowsCreated++;
      }
      // Done with the flow: classification complete (actions fired in this batch) or the
      // packet cap reached. The repeated packet takes the mark into the conntrack mark.
      if (!slot.bypassed && rulesMode !== null && (flow.data.complete || flow.packets >= cap)) {
        slot.bypassed = true;
        batch.setVerdict(i, 'repeat', (p.meta.mark | mark) >>> 0);
        c.bypassed++;
      }
    }
  };

  queue.start(handle, () => dispatcher.batchDone());

  // Conntrack says when a flow ends (it may no longer pass the queue); without the events,
  // idle expiry alone ends flows.
  let ctEvents: ConntrackEvents | null = null;
  try {
    ctEvents = await ConntrackEvents.open(rt);
    ctEvents.start(
      (e) => endByConntrack(pipeline, e),
      (m) => log.warning(m),
    );
  } catch (e) {
    log.warning(`${errorText(e)}; flows end by idle expiry only`);
  }
  await readQueueStats();
  // Time-of-day windows: when one opens or closes, active flows are evaluated again
  // (checked on the tick, in wall time, so a clock step just moves the moment).
  let windowAt = nextWindowChange(loaded, rt.now());
  let ticks = 0;
  const stopTick = rt.every(TICK_MS, () => {
    pipeline.tick(rt.monotonic());
    const wall = rt.now();
    if (windowAt !== null && wall >= windowAt) {
      let n = 0;
      for (const flow of pipeline.table.active()) {
        if (!flow.data.decided) continue;
        runner.evaluate(flow, 'reprocess');
        n++;
      }
      log.info(`a time-of-day window opened or closed: ${n} active flow(s) evaluated again`);
    }
    if (windowAt !== null ? wall >= windowAt : ticks % 60 === 0) windowAt = nextWindowChange(loaded, wall);
    if (++ticks % 5 === 0) void readQueueStats();
    if (opts.records) void rt.flush();
  });
  opts.started?.(state, log);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal}: stopping`);
      stopTick();
      await readQueueStats();
      await queue.close();
      await ctEvents?.close();
      pipeline.flush();
      state.counters.firingsDropped = dispatcher.counters.dropped;
      await dispatcher.idle();
      await policyTargets?.stop();
      if (opts.applyRules && !loaded.config.globals.keepRules) await removeRules(rt.run);
      const c = state.counters;
      const q = queueStats.map((s) => `queue ${s.queue}: dropped ${s.queueDropped}, user dropped ${s.userDropped}`).join('; ');
      log.info(
        `counters: packets ${c.packets}, batches ${c.batches}, verdicts ${c.verdicts}, bypassed ${c.bypassed}, flows ${c.flowsCreated}, ` +
          `classifications ${c.classifications}, firings ${c.firings}, reloads ${c.reloads} (failed ${c.failedReloads})${q ? '; ' + q : ''}`,
      );
      resolve(0);
    };
    onStop = (signal) => void stop(signal);
    onReload = () => {
      log.info('SIGHUP: reloading');
      void state.reload().catch((e) => log.error(`reload: ${errorText(e)}`));
    };
    // The line that says the daemon runs comes once signals reach it.
    log.info(`${queue.description} on ${rt.kind}; rules: ${rulesMode ?? 'not applied (--no-rules)'}`);
    if (earlyStop !== null) void stop(earlyStop);
  });
}

/**
 * A connection the kernel destroyed: its flow ends now, with the kernel's counters where
 * they exceed what the daemon saw (it saw none once the flow bypassed the queue).
 */
function endByConntrack(pipeline: FlowPipeline, e: ConntrackEnd): void {
  const flow = pipeline.table.get(flowKeyOf(e.ipProtocol, 0, e.srcIp, e.srcPort, e.dstIp, e.dstPort));
  if (!flow) return;
  if (e.packets && e.bytes) {
    const orig = flow.initiatorIp === e.srcIp && flow.initiatorPort === e.srcPort ? 0 : 1;
    pipeline.table.raiseCounts(flow, orig, e.packets[0], e.bytes[0]);
    pipeline.table.raiseCounts(flow, orig === 0 ? 1 : 0, e.packets[1], e.bytes[1]);
  }
  if (e.nat && flow.meta && !flow.meta.nat) flow.meta = { ...flow.meta, nat: true };
  pipeline.table.endNow(flow, 'conntrack');
}

/** The next instant (epoch ms) any action's time-of-day window opens or closes; null: none. */
function nextWindowChange(loaded: LoadedPolicy, now: number): number | null {
  let next: number | null = null;
  for (const a of loaded.policy.actions) {
    const t = a.spec.window?.nextChange(now) ?? null;
    if (t !== null && (next === null || t < next)) next = t;
  }
  return next;
}
