/**
 * The daemon's TargetRunner: each match is logged (as before targets existed) and handed
 * to the configured targets. A reload swaps in targets built from the new configuration;
 * the old ones close without flush_on_destroy, so sets and labels keep what they hold.
 */
import type { PolicyConfig } from '../config/policy-config.js';
import type { Logger } from '../live/logger.js';
import { describeFiring } from '../live/match-log.js';
import type { TargetRunner } from '../live/target-runner.js';
import type { Firing } from '../policy/runner.js';
import type { FlowRecord } from '../record/flow-record.js';
import type { Runtime } from '../runtime/types.js';
import { TargetHost } from './host.js';
import type { TargetDeps, TargetStatus } from './types.js';

export function targetDeps(rt: Runtime, log: Logger): TargetDeps {
  return {
    log: (level, message) => log.log(level, message),
    loadNative: rt.loadNative,
    now: () => rt.now(),
    readTextFile: (p) => rt.readTextFile(p),
    appendFile: (p, d) => rt.appendFile(p, d),
  };
}

export class PolicyTargets implements TargetRunner {
  private host: TargetHost;

  constructor(
    private readonly deps: TargetDeps,
    private readonly log: Logger,
    config: Pick<PolicyConfig, 'targets' | 'targetGlobals' | 'actions'>,
  ) {
    this.host = new TargetHost(config, deps);
  }

  start(): Promise<void> {
    return this.host.start();
  }

  async run(firings: readonly Firing[]): Promise<void> {
    if (this.log.enabled('info')) for (const f of firings) this.log.info(describeFiring(f));
    await this.host.run(firings);
  }

  /**
   * A flow ended: if actions fired for it, their targets get an 'expired' event with the
   * final record (sinks with `expired` in flow_events, IPFIX's last counters).
   */
  ended(flow: object, record: () => FlowRecord): void {
    void this.host.ended(flow, record).catch((e: unknown) => this.log.warning(`targets: ${String(e)}`));
  }

  async reconfigure(config: Pick<PolicyConfig, 'targets' | 'targetGlobals' | 'actions'>): Promise<void> {
    const old = this.host;
    this.host = new TargetHost(config, this.deps);
    this.host.adoptFlows(old);
    await old.stop(false);
    await this.host.start();
  }

  stop(): Promise<void> {
    return this.host.stop(true);
  }

  status(): TargetStatus[] {
    return this.host.status();
  }
}
