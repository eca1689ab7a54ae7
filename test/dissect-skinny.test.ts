import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSkinny, skinnyDissector } from '../src/classify/peer/skinny.js';
import { claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const FLOW: FlowSpec = { proto: 6, client: '192.168.195.58', clientPort: 49399, server: '192.168.193.12', serverPort: 2000 };

test('an SCCP message on port 2000', () => {
  assert.equal(parseSkinny(fixture('skinny-message')), { version: 0x14, messageId: 0x26 });
  const r = run(skinnyDissector, FLOW, [{ dir: 1, payload: fixture('skinny-message') }]);
  assert.is(r.out.protocol, 'CiscoSkinny');
  assert.equal(r.out.meta['skinny'], { version: 0x14, message_id: 0x26 });
});

test('several messages in one segment must all parse', () => {
  const m = fixture('skinny-message');
  assert.ok(parseSkinny(Uint8Array.of(...m, ...m)));
  assert.is(parseSkinny(Uint8Array.of(...m, ...m.subarray(0, 10))), null);
});

test('not Skinny: other port, bad version or id, random, others', () => {
  assert.not.ok(claims(skinnyDissector, { ...FLOW, serverPort: 2001 }, [fixture('skinny-message')]));
  const v = fixture('skinny-message').slice();
  v[4] = 0x30;
  assert.is(parseSkinny(v), null);
  const id = fixture('skinny-message').slice();
  id[9] = 0x70;
  assert.is(parseSkinny(id), null);
  for (const p of randomPayloads(400, 41)) assert.not.ok(claims(skinnyDissector, FLOW, [p]));
  for (const f of ['bt-handshake', 'smb2-create', 'ssh-client-banner']) assert.not.ok(claims(skinnyDissector, FLOW, [fixture(f)]), f);
});

test.run();
