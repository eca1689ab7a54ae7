import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseTeredo, teredoDissector } from '../src/classify/peer/teredo.js';
import { bytes, ip6 } from './helpers/frames.js';
import { claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const CLIENT: FlowSpec = { proto: 17, client: '192.0.2.45', clientPort: 51413, server: '198.51.100.20', serverPort: 3544 };

/** An IPv6 header (next header 58 or 59) with `payload` after it. */
function ipv6Packet(src: string, dst: string, payload: number[], next = 58): number[] {
  return [0x60, 0, 0, 0, payload.length >> 8, payload.length & 0xff, next, 255, ...ip6(src), ...ip6(dst), ...payload];
}

test('a router solicitation to the server (qualification) with an origin indication', () => {
  const rs = ipv6Packet('fe80::8000:ffff:ffff:fffe', 'ff02::2', [133, 0, 0x7d, 0x37, 0, 0, 0, 0]);
  const origin = [0, 0, 0x3f, 0xd5, 0x3f, 0xff, 0xfd, 0xd2];
  const r = run(teredoDissector, CLIENT, [{ dir: 0, payload: bytes(origin, rs) }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'Teredo');
  assert.equal(r.out.meta['teredo'], { inner_source: 'fe80::8000:ffff:ffff:fffe', inner_destination: 'ff02::2' });
});

test('data and bubbles between peers on any port carry a Teredo address', () => {
  const peer: FlowSpec = { ...CLIENT, serverPort: 40001 };
  const bubble = ipv6Packet('2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:db8::1', [], 59);
  assert.ok(claims(teredoDissector, peer, [bytes(bubble)]));
  // An authentication indicator (id and auth lengths 0, nonce, confirmation) before the packet.
  const auth = [0, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0];
  assert.ok(parseTeredo(bytes(auth, bubble), false));
  // Without a Teredo address away from the server port, an IPv6-looking datagram is not enough.
  const plain = ipv6Packet('2001:db8::2', '2001:db8::1', [1, 2, 3, 4]);
  assert.is(parseTeredo(bytes(plain), false), null);
  const linkLocal = ipv6Packet('fe80::1', 'ff02::2', [133, 0, 0, 0, 0, 0, 0, 0]);
  assert.is(parseTeredo(bytes(linkLocal), false), null, 'qualification only with the server');
});

test('not Teredo: lengths that disagree, IPv6 outer, random, others', () => {
  const bubble = ipv6Packet('2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:db8::1', [], 59);
  assert.is(parseTeredo(bytes(bubble, [0]), true), null, 'a byte beyond the inner packet');
  assert.not.ok(claims(teredoDissector, { ...CLIENT, client: '2001:db8::5', server: '2001:db8::6' }, [bytes(bubble)]));
  for (const p of randomPayloads(300, 17)) assert.not.ok(claims(teredoDissector, CLIENT, [p]));
  for (const f of ['stun-whatsapp-allocate', 'wg-initiation', 'ovpn-udp-client-reset', 'rtp-pcma-1', 'bt-utp-syn']) {
    assert.not.ok(claims(teredoDissector, CLIENT, [fixture(f)]), f);
  }
});

test.run();
