import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { matchPrologue, whatsappDissector } from '../src/classify/peer/whatsapp.js';
import { ascii, claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const FLOW: FlowSpec = { proto: 6, client: '192.168.2.100', clientPort: 49026, server: '179.60.195.33', serverPort: 5222 };

test('edge-routing prologue sent in pieces: claimed once the routing header is whole', () => {
  const r = run(whatsappDissector, FLOW, ['wa-ed', 'wa-ed-routing', 'wa-version'].map((f) => ({ dir: 0 as const, payload: fixture(f) })));
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.out.protocol, 'WhatsApp');
  assert.is(r.out.application, 'whatsapp');
  assert.equal(r.out.meta['whatsapp'], { edge_routing: true });
  const half = fixture('wa-ed-routing').subarray(0, 5);
  assert.equal(run(whatsappDissector, FLOW, [{ dir: 0, payload: fixture('wa-ed') }, { dir: 0, payload: half }]).steps, ['more', 'more'], 'routing data cut short');
  const joined = Uint8Array.of(...fixture('wa-ed'), ...fixture('wa-ed-routing'), ...fixture('wa-version'));
  assert.equal(run(whatsappDissector, FLOW, [{ dir: 0, payload: joined }]).out.meta['whatsapp'], { version: '5.2', edge_routing: true });
});

test('the 2015 prologue WA 1.5 in one segment', () => {
  const r = run(whatsappDissector, { ...FLOW, serverPort: 443 }, [{ dir: 0, payload: fixture('wa-old') }]);
  assert.is(r.claimedAt, 1);
  assert.equal(r.out.meta['whatsapp'], { version: '1.5', edge_routing: false });
});

test('the whole prologue with the first frame length at once', () => {
  const all = Uint8Array.of(...fixture('wa-ed'), ...fixture('wa-ed-routing'), ...fixture('wa-version'), 0x00, 0x01, 0x09);
  assert.equal(matchPrologue(all), { kind: 'match', major: 5, minor: 2, edgeRouting: true });
});

test('not WhatsApp: wrong routing length, zero frame, other magic, random', () => {
  assert.is(matchPrologue(Uint8Array.of(0x45, 0x44, 0, 1, 0, 0x10, 0, 0x57)), null, 'routing data too long');
  assert.is(matchPrologue(Uint8Array.of(0x57, 0x41, 5, 2, 0, 0, 0)), null, 'empty first frame');
  assert.is(matchPrologue(Uint8Array.of(0x57, 0x41, 0, 2)), null, 'version 0');
  // Any protocol whose records start "WA" with small numbers after it is not enough.
  assert.is(matchPrologue(Uint8Array.of(0x57, 0x41, 2, 1, 0, 0, 4, 0x41, 0x42, 0x43, 0x44)), null, 'frame opens with neither FunXMPP nor Noise');
  assert.equal(matchPrologue(Uint8Array.of(0x57, 0x41, 6, 2, 0, 0, 0x24, 0x12, 0x22, 0x0a, 0x20))?.kind, 'match', 'Noise client_hello');
  assert.is(matchPrologue(ascii('WAIT / HTTP')), null);
  assert.not.ok(claims(whatsappDissector, FLOW, [ascii('GET / HTTP/1.1\r\n\r\n')]));
  for (const f of ['bt-handshake', 'ssh-client-banner', 'smb2-create', 'ovpn-tcp-client-reset', 'stun-teams-tcp']) {
    assert.not.ok(claims(whatsappDissector, FLOW, [fixture(f)]), f);
  }
  for (const p of randomPayloads(400, 21)) assert.not.ok(claims(whatsappDissector, FLOW, [p, p, p]));
});

test.run();
