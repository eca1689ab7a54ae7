/**
 * The policy a running daemon holds across reloads (SIGHUP, ubus `reload`): a reload that
 * fails — unreadable file, syntax error, bad expression, unknown time zone — is reported
 * and changes nothing; the last good policy stays in force. A good reload replaces it and,
 * when reprocess_flows is set, the active flows are evaluated against the new policy.
 */
import type { FlowClassification } from '../classify/engine.js';
import type { Flow } from '../flow/table.js';
import { loadPolicy, type LoadedPolicy, type LoadOptions, type PolicyIo } from './load.js';
import type { PolicyRunner } from './runner.js';

export interface ReloadReport {
  readonly ok: boolean;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  /** Flows evaluated again (reprocess_flows), 0 when not asked for or when the reload failed. */
  readonly reprocessed: number;
}

export class PolicyManager {
  private loaded: LoadedPolicy | null = null;
  /** Reloads that failed since start (for status). */
  failedReloads = 0;

  constructor(
    private readonly io: PolicyIo,
    private readonly path: string,
    private readonly opts: LoadOptions = {},
  ) {}

  /** The policy in force, null before the first successful load. */
  get current(): LoadedPolicy | null {
    return this.loaded;
  }

  async reload(runner?: PolicyRunner, active: Iterable<Flow<FlowClassification>> = []): Promise<ReloadReport> {
    const r = await loadPolicy(this.io, this.path, this.opts);
    if (!r.ok) {
      this.failedReloads++;
      return { ok: false, errors: r.errors, warnings: r.warnings, reprocessed: 0 };
    }
    this.loaded = r.loaded;
    let reprocessed = 0;
    if (runner) {
      const reprocess = r.loaded.config.globals.reprocessFlows;
      const flows = [...active];
      runner.reload(r.loaded.policy, flows, reprocess);
      if (reprocess) reprocessed = flows.filter((f) => f.data.decided).length;
    }
    return { ok: true, errors: [], warnings: r.warnings, reprocessed };
  }
}
