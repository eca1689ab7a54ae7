import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { acknowledgesSession, openvpnDissector, parseOvpnControl } from '../src/classify/peer/openvpn.js';
import { claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const UDP: FlowSpec = { proto: 17, client: '3.111.166.78', clientPort: 51146, server: '85.134.13.165', serverPort: 1194 };
const TCP: FlowSpec = { proto: 6, client: '10.181.235.122', clientPort: 39772, server: '10.251.71.30', serverPort: 1194 };

test('UDP without HMAC: the server reset acknowledges the client session', () => {
  const c = parseOvpnControl(fixture('ovpn-udp-client-reset'), false);
  assert.is(c?.opcode, 7);
  assert.is(c?.sessionId, '39fded2daa10a437');
  assert.is(acknowledgesSession(fixture('ovpn-udp-server-reset'), c!.sessionId), 0);
  const r = run(openvpnDissector, UDP, [
    { dir: 0, payload: fixture('ovpn-udp-client-reset') },
    { dir: 1, payload: fixture('ovpn-udp-server-reset') },
  ]);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.out.protocol, 'OpenVPN');
  assert.equal(r.out.meta['openvpn'], { reset: 'client_v2', session_id: '39fded2daa10a437', hmac_size: 0 });
});

test('UDP with a tls-auth SHA1 HMAC', () => {
  const spec: FlowSpec = { ...UDP, client: '192.168.43.12', clientPort: 41507, server: '139.59.151.137', serverPort: 13680 };
  const r = run(openvpnDissector, spec, [
    { dir: 0, payload: fixture('ovpn-hmac-client-reset') },
    { dir: 1, payload: fixture('ovpn-hmac-server-reset') },
  ]);
  assert.is(r.claimedAt, 2);
  assert.is((r.out.meta['openvpn'] as { hmac_size: number }).hmac_size, 20);
});

test('TCP with the 2-byte packet length', () => {
  const r = run(openvpnDissector, TCP, [
    { dir: 0, payload: fixture('ovpn-tcp-client-reset') },
    { dir: 1, payload: fixture('ovpn-tcp-server-reset') },
  ]);
  assert.is(r.out.protocol, 'OpenVPN');
  assert.is(parseOvpnControl(fixture('ovpn-tcp-client-reset'), false), null, 'the length prefix is TCP only');
});

test('one-sided capture: three control packets under one session id', () => {
  const r = run(openvpnDissector, UDP, ['ovpn-oneway-1', 'ovpn-oneway-2', 'ovpn-oneway-3'].map((f) => ({ dir: 0 as const, payload: fixture(f) })));
  assert.is(r.claimedAt, 3);
  const changed = fixture('ovpn-oneway-2').slice();
  changed[3] ^= 1;
  const r2 = run(openvpnDissector, UDP, [fixture('ovpn-oneway-1'), changed].map((payload) => ({ dir: 0 as const, payload })));
  assert.equal(r2.steps, ['more', 'no'], 'session id changed');
});

test('not OpenVPN: a control packet first, data opcodes, key id, random, others', () => {
  assert.not.ok(claims(openvpnDissector, UDP, [fixture('ovpn-oneway-2'), fixture('ovpn-oneway-3'), fixture('ovpn-oneway-3')]), 'no reset first');
  const keyed = fixture('ovpn-udp-client-reset').slice();
  keyed[0] |= 1;
  assert.not.ok(claims(openvpnDissector, UDP, [keyed, keyed, keyed]));
  for (const p of randomPayloads(400, 3)) {
    assert.not.ok(claims(openvpnDissector, UDP, [p, p, p, p], true));
    assert.not.ok(claims(openvpnDissector, TCP, [p, p, p, p], true));
  }
  for (const f of ['stun-whatsapp-allocate', 'wg-initiation', 'zoom-setup-client', 'bt-dht-get-peers']) assert.not.ok(claims(openvpnDissector, UDP, [fixture(f), fixture(f), fixture(f)]), f);
});

test.run();
