import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSmb, smbDissector } from '../src/classify/peer/smb.js';
import { ascii, claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const FLOW: FlowSpec = { proto: 6, client: '172.16.156.130', clientPort: 50927, server: '10.128.0.243', serverPort: 445 };

/** An SMB1 NEGOTIATE request offering `dialects`, in a session message. */
function negotiate(dialects: string[]): Uint8Array {
  const body = dialects.flatMap((d) => [0x02, ...ascii(d), 0]);
  const smb = [0xff, 0x53, 0x4d, 0x42, 0x72, ...new Array(4).fill(0), 0x18, 0x53, 0xc8, ...new Array(22).fill(0), 0, body.length & 0xff, body.length >> 8, ...body];
  return Uint8Array.of(0, 0, smb.length >> 8, smb.length & 0xff, ...smb);
}

test('SMB1 NEGOTIATE offering only SMB1 dialects is SMBv1 at once', () => {
  const m = parseSmb(fixture('smb1-negotiate'));
  assert.is(m?.version, 1);
  assert.ok(m?.dialects?.includes('NT LM 0.12'));
  const r = run(smbDissector, FLOW, [{ dir: 0, payload: fixture('smb1-negotiate') }]);
  assert.is(r.out.protocol, 'SMBv1');
  assert.is((r.out.meta['smb'] as Record<string, unknown>)['version'], 1);
});

test('SMB2 request is SMBv23', () => {
  const r = run(smbDissector, { ...FLOW, clientPort: 56848 }, [{ dir: 0, payload: fixture('smb2-create') }]);
  assert.is(r.out.protocol, 'SMBv23');
  assert.equal(r.out.meta['smb'], { version: 2, command: 5 });
});

test('an SMB1 NEGOTIATE offering SMB 2.x waits for the answer', () => {
  const req = negotiate(['NT LM 0.12', 'SMB 2.002', 'SMB 2.???']);
  const r = run(smbDissector, FLOW, [{ dir: 0, payload: req }, { dir: 1, payload: fixture('smb2-create') }]);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.out.protocol, 'SMBv23');
  const r1 = run(smbDissector, FLOW, [{ dir: 0, payload: req }, { dir: 1, payload: fixture('smb1-negotiate') }]);
  assert.is(r1.out.protocol, 'SMBv1');
});

test('not SMB: other ports, bad magic, short headers, random, others', () => {
  assert.not.ok(claims(smbDissector, { ...FLOW, serverPort: 8445 }, [fixture('smb2-create')]));
  const bad = fixture('smb2-create').slice();
  bad[5] = 0x54;
  assert.is(parseSmb(bad), null);
  assert.is(parseSmb(fixture('smb2-create').subarray(0, 18)), null);
  for (const p of randomPayloads(400, 8)) assert.not.ok(claims(smbDissector, FLOW, [p, p, p, p, p], true));
  for (const f of ['bt-handshake', 'ssh-client-banner', 'wa-old', 'skinny-message', 'ovpn-tcp-client-reset']) assert.not.ok(claims(smbDissector, FLOW, [fixture(f)]), f);
});

test.run();
