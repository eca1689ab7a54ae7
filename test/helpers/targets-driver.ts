/**
 * Runs targets against the kernel of the namespace it is started in: reads a scenario
 * (targets, globals, batches of events per target), starts the targets, hands each batch
 * over, optionally stops them, and prints every target's status as one JSON line. Written
 * against the runtime adapter only, so the same scenario runs under Node (through tsx)
 * and, bundled, under txiki.js.
 */
import type { TargetConfig, TargetGlobals } from '../../src/config/policy-config.js';
import { createRuntime } from '../../src/runtime/index.js';
import { TargetHost } from '../../src/targets/host.js';
import type { TargetEvent } from '../../src/targets/types.js';
import type { Firing } from '../../src/policy/runner.js';
import type { FlowRecord } from '../../src/record/flow-record.js';

export interface Scenario {
  readonly targets: readonly TargetConfig[];
  readonly globals: TargetGlobals;
  /**
   * Each step, in this order: events per target name (one batch each); firings of flows
   * (named by `flow`) through the runner path; a wait; flows that end; whether to stop.
   */
  readonly steps: readonly {
    readonly events?: Readonly<Record<string, readonly TargetEvent[]>>;
    readonly fire?: readonly { readonly flow: string; readonly record: FlowRecord; readonly action: string; readonly targets: readonly string[] }[];
    readonly waitMs?: number;
    readonly end?: readonly string[];
    readonly stop?: boolean;
  }[];
}

const rt = await createRuntime();
if (!rt) throw new Error('no runtime');
const scenario = JSON.parse(await rt.readTextFile(rt.args[0]!)) as Scenario;
const log: string[] = [];
const host = new TargetHost(
  { targets: new Map(scenario.targets.map((t) => [t.name, t])), targetGlobals: scenario.globals },
  {
    log: (level, message) => log.push(`${level}: ${message}`),
    loadNative: rt.loadNative,
    now: () => rt.now(),
    readTextFile: (p) => rt.readTextFile(p),
    appendFile: (p, d) => rt.appendFile(p, d),
  },
);
await host.start();
const flows = new Map<string, object>();
const flow = (id: string): object => flows.get(id) ?? (flows.set(id, {}), flows.get(id)!);
for (const step of scenario.steps) {
  if (step.events) await host.deliver(new Map(Object.entries(step.events)));
  if (step.fire) {
    const firings = step.fire.map((f) => ({ flow: flow(f.flow), record: f.record, action: { spec: { name: f.action, targets: f.targets } }, reason: 'classified' }));
    await host.run(firings as unknown as Firing[]);
  }
  if (step.waitMs) await new Promise((r) => setTimeout(r, step.waitMs));
  for (const id of step.end ?? []) await host.ended(flow(id), () => step.fire?.find((f) => f.flow === id)?.record ?? ({} as FlowRecord));
  if (step.stop) await host.stop();
}
const status = host.status();
await host.stop();
rt.stdout(JSON.stringify({ runtime: rt.kind, status, log }) + '\n');
await rt.exit(0);
