import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Classifier } from '../src/classify/engine.js';
import { HintCache } from '../src/classify/hints.js';
import type { FlowView } from '../src/flow/types.js';

/** A flow of a transport no dissector handles (GRE): complete at its first packet. */
function greFlow(client: string): FlowView {
  return {
    ipVersion: 4,
    ipProtocol: 47,
    vlanId: 0,
    initiatorIp: client,
    initiatorPort: 0,
    responderIp: '192.0.2.1',
    responderPort: 0,
    packets: 1,
    packetsByDir: [1, 0],
  };
}

test("complete flows with equal classifications share one frozen state; finish leaves it alone", () => {
  const engine = new Classifier([], null, new HintCache());
  const a = engine.start(greFlow('10.0.0.1'), 0);
  const b = engine.start(greFlow('10.0.0.2'), 0);
  assert.ok(a === b, "the later flow keeps the earlier flow's state");
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.detection));
  assert.is(a.detection.protocol, 'GRE');
  engine.finish(a, greFlow('10.0.0.1'), 1);
  assert.ok(a.complete && a.decided && a.detectionPackets === 1);
});

test('a complete state that differs in any field is its own', () => {
  const engine = new Classifier([], null, new HintCache());
  const a = engine.start(greFlow('10.0.0.1'), 0);
  const other = engine.start({ ...greFlow('10.0.0.2'), ipProtocol: 50 }, 0);
  assert.ok(a !== other);
  assert.is(other.detection.protocol, 'IPSec');
});

test.run();
