import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isDiscoMessage, tailscaleDissector } from '../src/classify/peer/tailscale.js';
import { parseWireGuard, wireguardDissector } from '../src/classify/peer/wireguard.js';
import { claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '10.9.0.1', clientPort: 43462, server: '10.9.0.2', serverPort: 51820 };

test('initiation answered by a response naming its sender index', () => {
  const init = parseWireGuard(fixture('wg-initiation'));
  const resp = parseWireGuard(fixture('wg-response'));
  assert.is(init?.type, 1);
  assert.is(resp?.receiver, init?.sender);
  const r = run(wireguardDissector, FLOW, [
    { dir: 0, payload: fixture('wg-initiation') },
    { dir: 1, payload: fixture('wg-response') },
  ]);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.claimedAt, 2);
  assert.is(r.out.protocol, 'WireGuard');
});

test('a response for another initiation is refused', () => {
  const resp = fixture('wg-response').slice();
  resp[8] ^= 0xff;
  const r = run(wireguardDissector, FLOW, [
    { dir: 0, payload: fixture('wg-initiation') },
    { dir: 1, payload: resp },
  ]);
  assert.equal(r.steps, ['more', 'no']);
});

test('transport data mid-tunnel: two packets of one index with a growing counter', () => {
  const spec: FlowSpec = { ...FLOW, client: '139.162.192.157', clientPort: 51820, serverPort: 36116 };
  const r = run(wireguardDissector, spec, [
    { dir: 0, payload: fixture('wg-data-1') },
    { dir: 0, payload: fixture('wg-data-2') },
  ]);
  assert.is(r.claimedAt, 2);
  assert.is(parseWireGuard(fixture('wg-data-2'))?.counter, 0x6c);
  // The same datagram twice (a duplicate) proves nothing.
  assert.equal(run(wireguardDissector, spec, [{ dir: 0, payload: fixture('wg-data-1') }, { dir: 0, payload: fixture('wg-data-1') }]).out.protocol, null);
});

test('a retransmitted initiation (unanswered handshake)', () => {
  const r = run(wireguardDissector, FLOW, [
    { dir: 0, payload: fixture('wg-initiation') },
    { dir: 0, payload: fixture('wg-initiation') },
  ]);
  assert.is(r.out.protocol, 'WireGuard');
});

/** A Tailscale disco message: magic, 32-byte key, 24-byte nonce, sealed ping (tag + body). */
function disco(fill: number): Uint8Array {
  return Uint8Array.of(0x54, 0x53, 0xf0, 0x9f, 0x92, 0xac, ...new Array(32 + 24 + 16 + 14).fill(fill));
}

test('datagrams of another kind sharing the socket are stepped over once WireGuard showed', () => {
  const r = run(wireguardDissector, FLOW, [
    { dir: 0, payload: fixture('wg-initiation') },
    { dir: 1, payload: disco(7) },
    { dir: 1, payload: fixture('wg-response') },
  ]);
  assert.is(r.claimedAt, 3);
  assert.is(r.out.protocol, 'WireGuard');
  // Before any WireGuard message, or past a couple, a foreign datagram ends it.
  assert.equal(run(wireguardDissector, FLOW, [{ dir: 0, payload: disco(7) }]).steps, ['no']);
  const many = [fixture('wg-initiation'), disco(1), disco(2), disco(3), fixture('wg-response')].map((payload, i) => ({ dir: (i === 4 ? 1 : 0) as 0 | 1, payload }));
  assert.is(run(wireguardDissector, FLOW, many).out.protocol, null);
});

test('Tailscale: a disco message is proof on any port', () => {
  const r = run(tailscaleDissector, { ...FLOW, serverPort: 41641 }, [{ dir: 0, payload: disco(9) }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'Tailscale');
  assert.is(r.out.application, 'tailscale');
  assert.ok(claims(tailscaleDissector, { ...FLOW, serverPort: 60123 }, [disco(9)]));
  assert.not.ok(isDiscoMessage(disco(9).subarray(0, 70)), 'too short for key, nonce and box');
  assert.not.ok(isDiscoMessage(Uint8Array.of(0x54, 0x53, 0xf0, 0x9f, 0x92, 0xad, ...new Array(90).fill(0))), 'wrong magic');
  for (const f of ['wg-initiation', 'stun-whatsapp-allocate', 'ovpn-udp-client-reset']) assert.not.ok(claims(tailscaleDissector, FLOW, [fixture(f)]), f);
});

test('not WireGuard: wrong sizes, reserved bytes, random, others', () => {
  const init = fixture('wg-initiation');
  assert.is(parseWireGuard(init.subarray(0, 147)), null);
  assert.is(parseWireGuard(Uint8Array.of(1, 0, 1, 0, ...init.subarray(4))), null);
  assert.is(parseWireGuard(fixture('wg-data-1').subarray(0, 40)), null, 'data not a multiple of 16');
  for (const p of randomPayloads(300, 5)) assert.not.ok(claims(wireguardDissector, FLOW, [p, p, p], true));
  for (const f of ['stun-whatsapp-allocate', 'ovpn-udp-client-reset', 'zoom-setup-client', 'bt-utp-syn', 'rtp-pcma-1']) {
    assert.not.ok(claims(wireguardDissector, FLOW, [fixture(f), fixture(f)]), f);
  }
});

test.run();
