import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { natPmpDissector } from '../src/classify/naming/nat-pmp.js';
import { fixture, fromHex, run, type FlowSpec } from './fixtures/naming/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '192.168.2.1', clientPort: 5351, server: '224.0.0.1', serverPort: 5350 };

test('an external-address announcement, after a PCP packet on the same flow', () => {
  const r = run(natPmpDissector, FLOW, [
    { dir: 0, payload: fixture('pcp-announce') },
    { dir: 0, payload: fixture('natpmp-address-response') },
  ]);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.claimedAt, 2);
  assert.is(r.out.protocol, 'NAT-PMP');
  assert.equal(r.out.meta['natpmp'], { opcode: 0x80, result_code: 0 });
});

test('requests: address (2 bytes) and a TCP mapping (12 bytes)', () => {
  const to = { ...FLOW, client: '192.168.2.7', clientPort: 40000, server: '192.168.2.1', serverPort: 5351 };
  assert.equal(run(natPmpDissector, to, [{ dir: 0, payload: fromHex('0000') }]).out.meta['natpmp'], { opcode: 0 });
  assert.is(run(natPmpDissector, to, [{ dir: 0, payload: fromHex('0002 0000 1f90 1f90 00001c20') }]).out.protocol, 'NAT-PMP');
});

test('not NAT-PMP: wrong lengths, result codes above 5, other ports', () => {
  for (const p of [fromHex('000000'), fromHex('0080 0009 00000000 c0a8010b'), fromHex('0002 0001 1f90 1f90 00001c20')]) {
    assert.is(run(natPmpDissector, FLOW, [{ dir: 0, payload: p }]).out.protocol, null);
  }
  assert.equal(run(natPmpDissector, { ...FLOW, clientPort: 9, serverPort: 9 }, [{ dir: 0, payload: fixture('natpmp-address-response') }]).steps, ['no']);
});

test.run();
