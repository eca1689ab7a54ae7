/**
 * Policy on live flows: actions fire when a flow's verdict is settled and again when its
 * metadata changes, never twice for the same state; a reload with reprocess_flows
 * re-evaluates the active flows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCatalogue } from '../src/catalogue/catalogue.js';
import { FlowPipeline } from '../src/pipeline/pipeline.js';
import { compilePolicy, type ActionSpec, type CompiledPolicy } from '../src/policy/actions.js';
import { PolicyRunner, type Firing } from '../src/policy/runner.js';
import { readCapture } from '../src/capture/reader.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DIR } from './helpers/corpus.js';

const SAMPLE = new Uint8Array(readFileSync(join(REPO_DIR, 'samples', 'home-lan.pcapng')));

function policy(...actions: Partial<ActionSpec>[]): CompiledPolicy {
  const r = compilePolicy({
    actions: actions.map((a, i) => ({ name: `a${i}`, enabled: true, criteria: ['*'], targets: ['t'], exemptions: [], interface: '*', priority: i, haltOnMatch: false, window: null, ...a })),
    globalExemptions: [],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.policy;
}

function run(p: CompiledPolicy, frames = Infinity): { firings: Firing[]; runner: PolicyRunner; pipeline: FlowPipeline } {
  const firings: Firing[] = [];
  const runner = new PolicyRunner(p, {
    catalogue: defaultCatalogue,
    interfaceName: null,
    context: () => ({ now: 0, roles: new Map() }),
    fire: (f) => firings.push(f),
  });
  const pipeline = new FlowPipeline({ catalogue: defaultCatalogue }, runner.events());
  const cap = readCapture(SAMPLE);
  if (!cap.ok) throw new Error(cap.error);
  let n = 0;
  for (const f of cap.frames) {
    if (n++ >= frames) break;
    pipeline.frame(f.linkType, f.data, f.timestamp, f.wireLength);
  }
  return { firings, runner, pipeline };
}

test('an action fires when the verdict is settled, with the record of that moment', () => {
  const { firings } = run(policy({ criteria: ["app == 'youtube' && protocol == 'tls';"] }));
  const first = firings.find((f) => f.reason === 'classified')!;
  assert.ok(first);
  assert.is(first.record.host_server_name, 'www.youtube.com');
  assert.is(first.record.detection_complete, false);
});

test('it fires again only when the flow changed: the ServerHello updates the TLS facts', () => {
  const { firings } = run(policy({ criteria: ["app == 'youtube';"] }));
  const tls = firings.filter((f) => f.record.detected_protocol_name === 'TLS');
  assert.equal(tls.map((f) => f.reason), ['classified', 'updated']);
  const states = new Set(tls.map((f) => JSON.stringify([f.record.detection_complete, f.record['ssl']])));
  assert.is(states.size, tls.length, 'each firing is a different state');
});

test('criteria that only match after the update fire on the update', () => {
  // The negotiated version is known from the ServerHello on; the ClientHello offers 1.2 in its legacy field.
  const { firings } = run(policy({ criteria: ["tls_version == 'TLSv1.3' && app == 'netflix';"] }));
  assert.equal(firings.map((f) => [f.record.detected_application_name, f.reason]), [['netflix', 'updated']]);
});

test('reload with reprocess_flows re-evaluates active flows; without it nothing fires', () => {
  const { runner, pipeline, firings } = run(policy({ criteria: ["app == 'nothing-matches';"] }));
  assert.is(firings.length, 0);
  const active = [...pipeline.table.active()];
  assert.ok(active.length > 0);
  runner.reload(policy({ criteria: ["app == 'netflix';"] }), active, false);
  assert.is(firings.length, 0);
  runner.reload(policy({ criteria: ["app == 'netflix';"] }), active, true);
  assert.ok(firings.length > 0);
  assert.ok(firings.every((f) => f.reason === 'reprocess' && f.record.detected_application_name === 'netflix'));
});

test.run();
