/**
 * Policy at work on live flows: evaluates the compiled actions when a flow's classification
 * is settled and again whenever its metadata changes, and hands each firing to the caller
 * (which performs the targets). The same action never fires twice for the same flow state.
 * On reload the policy is swapped; with reprocess_flows the active flows are evaluated
 * again against the new one.
 */
import type { FlowClassification } from '../classify/engine.js';
import type { Catalogue } from '../catalogue/types.js';
import type { Flow } from '../flow/table.js';
import type { PipelineEvents } from '../pipeline/pipeline.js';
import { buildFlowRecord } from '../record/build.js';
import type { FlowRecord } from '../record/flow-record.js';
import { FiringMemo, policyState, type CompiledAction, type CompiledPolicy, type EvaluationContext } from './actions.js';

export type FiringReason = 'classified' | 'updated' | 'reprocess';

export interface Firing {
  readonly flow: Flow<FlowClassification>;
  readonly record: FlowRecord;
  readonly action: CompiledAction;
  readonly reason: FiringReason;
}

export interface RunnerOptions {
  readonly catalogue: Catalogue | null;
  /** Interface the flows are seen on (live: per queue; replay: given by the user). */
  readonly interfaceName: string | null;
  /** Time and interface roles at the moment of evaluation. */
  readonly context: (flow: Flow<FlowClassification>) => EvaluationContext;
  readonly fire: (f: Firing) => void;
  /** Live flows keep monotonic times: milliseconds to add for epoch times in records. */
  readonly epochOffset?: () => number;
}

export class PolicyRunner {
  private readonly memos = new WeakMap<Flow<FlowClassification>, FiringMemo>();
  /** Evaluations performed (for status and benchmarks). */
  evaluations = 0;

  constructor(
    private policy: CompiledPolicy,
    private readonly opts: RunnerOptions,
  ) {}

  /** Pipeline hooks: evaluate on verdict and on metadata updates. */
  events(): PipelineEvents {
    return {
      classified: (flow) => this.evaluate(flow, 'classified'),
      updated: (flow) => this.evaluate(flow, 'updated'),
    };
  }

  evaluate(flow: Flow<FlowClassification>, reason: FiringReason): void {
    const record = buildFlowRecord(flow, {
      catalogue: this.opts.catalogue,
      interfaceName: this.opts.interfaceName,
      ...(this.opts.epochOffset ? { epochOffset: this.opts.epochOffset } : {}),
    });
    this.evaluations++;
    const fired = this.policy.evaluate(record, this.opts.context(flow));
    if (fired.length === 0) return;
    let memo = this.memos.get(flow);
    if (!memo) {
      memo = new FiringMemo();
      this.memos.set(flow, memo);
    }
    const state = policyState(record);
    for (const action of fired) {
      if (memo.shouldFire(action.spec.name, state)) this.opts.fire({ flow, record, action, reason });
    }
  }

  /**
   * A new policy (reload). With `reprocess`, every flow in `active` that is already
   * classified is evaluated again and may fire the new policy's actions.
   */
  reload(policy: CompiledPolicy, active: Iterable<Flow<FlowClassification>>, reprocess: boolean): void {
    this.policy = policy;
    if (!reprocess) return;
    for (const flow of active) {
      if (!flow.data.decided) continue;
      this.memos.get(flow)?.reset();
      this.evaluate(flow, 'reprocess');
    }
  }
}
