import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HintCache } from '../src/classify/hints.js';
import { appFromEndpoints, appFromRealm } from '../src/classify/peer/stun-apps.js';
import { attributeValue, decodeAddress, parseChannelData, parseStunMessage, transactionId } from '../src/classify/peer/stun-message.js';
import { stunDissector } from '../src/classify/peer/stun.js';
import { claims, fixture, flowView, fromHex, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const WA: FlowSpec = { proto: 17, client: '10.8.0.1', clientPort: 53620, server: '31.13.84.48', serverPort: 3478 };
const SIGNAL: FlowSpec = { proto: 17, client: '192.168.12.169', clientPort: 39518, server: '35.158.183.167', serverPort: 3478 };

test('WhatsApp: an Allocate with attribute 0x4000, then the addresses from the answer', () => {
  const r = run(stunDissector, WA, [
    { dir: 0, payload: fixture('stun-whatsapp-allocate') },
    { dir: 1, payload: fixture('stun-whatsapp-response') },
  ]);
  assert.is(r.claimedAt, 1);
  assert.is(r.out.protocol, 'STUN');
  assert.is(r.out.application, 'whatsapp');
  const meta = r.out.meta['stun'] as Record<string, unknown>;
  assert.is(meta['method'], 'allocate');
  assert.is(meta['mapped_address'], '191.162.107.92:53889');
  assert.is(meta['turn'], true);
  assert.is(meta['app_source'], 'dpi');
});

test('media after the STUN exchange: RTP of a named application is SRTP, plain STUN stays STUN', () => {
  const call = run(stunDissector, WA, [
    { dir: 0, payload: fixture('stun-whatsapp-allocate') },
    { dir: 1, payload: fixture('stun-whatsapp-response') },
    { dir: 0, payload: fixture('rtp-pcma-1') },
  ]);
  assert.is(call.out.protocol, 'SRTP');
  assert.is(call.out.application, 'whatsapp');
  assert.is((call.out.meta['stun'] as Record<string, unknown>)['rtp'], true);
  // No application named: nDPI's STUN/RTP, reported as STUN with the media noted.
  const plain = run(stunDissector, { ...WA, server: '198.51.100.9', serverPort: 3478 }, [
    { dir: 0, payload: fixture('stun-signal-binding') },
    { dir: 0, payload: fixture('rtp-pcma-1') },
  ]);
  assert.is(plain.out.application, null);
  assert.is(plain.out.protocol, 'STUN');
  assert.is((plain.out.meta['stun'] as Record<string, unknown>)['rtp'], true);
});

test('Zoom: classic STUN (no cookie) with attribute 0x0101', () => {
  const m = parseStunMessage(fixture('stun-zoom-classic'), false);
  assert.is(m?.classic, true);
  const r = run(stunDissector, { ...WA, client: '192.168.1.117', clientPort: 23903, server: '162.255.37.14' }, [{ dir: 1, payload: fixture('stun-zoom-classic') }]);
  assert.is(r.out.application, 'zoom');
});

test('Teams: RFC 4571 framing on TCP, Microsoft attribute 0x8054', () => {
  const spec: FlowSpec = { proto: 6, client: '10.77.110.51', clientPort: 41588, server: '10.206.50.239', serverPort: 42000 };
  const r = run(stunDissector, spec, [{ dir: 0, payload: fixture('stun-teams-tcp') }]);
  assert.is(r.out.protocol, 'STUN');
  assert.is(r.out.application, 'teams');
});

test('realm names the TURN operator: Facebook and Signal; realm becomes the host name', () => {
  const fb = run(stunDissector, { ...WA, client: '192.168.12.169', clientPort: 38123, server: '31.13.86.54', serverPort: 40003 }, [{ dir: 1, payload: fixture('stun-facebook-401') }]);
  assert.is(fb.out.application, 'messenger');
  assert.is(fb.out.hostname, 'turner.facebook');
  const sig = run(stunDissector, SIGNAL, [
    { dir: 0, payload: fixture('stun-signal-binding') },
    { dir: 1, payload: fixture('stun-signal-binding-response') },
    { dir: 1, payload: fixture('stun-signal-401') },
  ]);
  assert.is(sig.claimedAt, 1);
  assert.is(sig.out.application, 'signal');
  assert.is(sig.out.hostname, 'signal.org');
  const meta = sig.out.meta['stun'] as Record<string, unknown>;
  assert.is(meta['response_origin'], '35.158.183.167:3478');
  assert.is(meta['other_address'], '35.158.183.167:80');
  assert.is(appFromRealm('turn.l.google.com'), 'google-meet');
  assert.is(appFromRealm('example.org'), null);
});

test('DPI (cache): a later flow from the same socket inherits the application', () => {
  const hints = new HintCache();
  run(stunDissector, SIGNAL, [
    { dir: 0, payload: fixture('stun-signal-binding') },
    { dir: 1, payload: fixture('stun-signal-401') },
  ], hints);
  assert.equal(hints.endpointFor('192.168.12.169', 39518, 1_700_000_000_000), { protocol: 'STUN', application: 'signal' });
  // Same client socket, now to a Google STUN server: no signal of its own.
  const later = run(stunDissector, { ...SIGNAL, server: '172.253.121.127', serverPort: 19302 }, [{ dir: 0, payload: fixture('stun-signal-binding') }], hints);
  assert.is(later.out.application, 'signal');
  assert.is((later.out.meta['stun'] as Record<string, unknown>)['app_source'], 'cache');
  // Another socket to another server knows nothing (the server above is now remembered too).
  const other = run(stunDissector, { ...SIGNAL, clientPort: 40000, server: '172.253.121.128', serverPort: 19302 }, [{ dir: 0, payload: fixture('stun-signal-binding') }], hints);
  assert.is(other.out.application, null);
});

test('Google Meet by its STUN ports at its media ranges', () => {
  assert.is(appFromEndpoints(flowView({ proto: 17, client: '192.168.12.156', clientPort: 45400, server: '142.250.82.76', serverPort: 19305 })), 'google-meet');
  assert.is(appFromEndpoints(flowView({ proto: 17, client: '2001:b07::1', clientPort: 45572, server: '2001:4860:4864:6::81', serverPort: 19305 })), 'google-meet');
  assert.is(appFromEndpoints(flowView({ proto: 17, client: '192.168.12.156', clientPort: 45400, server: '142.250.82.76', serverPort: 443 })), null);
  assert.is(appFromEndpoints(flowView({ proto: 17, client: '192.168.12.156', clientPort: 45400, server: '142.250.83.76', serverPort: 3478 })), null);
});

test('a WebRTC flow that goes on to DTLS is reported as DTLS', () => {
  const spec: FlowSpec = { proto: 17, client: '192.168.12.156', clientPort: 38152, server: '142.250.82.76', serverPort: 3478 };
  const r = run(stunDissector, spec, [
    { dir: 0, payload: fixture('stun-signal-binding') },
    { dir: 0, payload: fixture('dtls-app-data') },
  ]);
  assert.is(r.claimedAt, 1);
  assert.is(r.out.protocol, 'DTLS');
  assert.is(r.out.application, 'google-meet');
});

test('IPv6 MAPPED-ADDRESS and XOR decoding', () => {
  const m = parseStunMessage(fixture('stun-ipv6-binding-response'), false)!;
  const a = decodeAddress(attributeValue(m, m.attributes[0]!), false, transactionId(m));
  assert.equal(a, { ip: '2001:1670:c:eb04:70af:f67f:8e49:f603', port: 56880 });
  // RFC 5769 §2.2 sample response: XOR-MAPPED-ADDRESS 192.0.2.1:32853.
  const tid = fromHex('b7e7a701bc34d686fa87dfae');
  assert.equal(decodeAddress(fromHex('0001a147e112a643'), true, tid), { ip: '192.0.2.1', port: 32853 });
});

test('TURN ChannelData: two datagrams on one channel', () => {
  const cd = (n: number) => Uint8Array.of(0x40, 0x01, 0, 8, n, 2, 3, 4, 5, 6, 7, 8);
  assert.equal(parseChannelData(cd(1), false)?.channel, 0x4001);
  const r = run(stunDissector, WA, [{ dir: 0, payload: cd(1) }, { dir: 0, payload: cd(2) }]);
  assert.is(r.claimedAt, 2);
  assert.is(parseChannelData(Uint8Array.of(0x40, 0x01, 0, 9, 1, 2, 3, 4), false), null, 'length beyond the datagram');
});

test('TURN ChannelData: STUN inside a channel frame claims on any port', () => {
  const binding = fixture('stun-signal-binding');
  const frame = Uint8Array.of(0x40, 0x02, binding.length >> 8, binding.length & 0xff, ...binding);
  const r = run(stunDissector, { ...WA, serverPort: 40000 }, [{ dir: 0, payload: frame }]);
  assert.is(r.claimedAt, 1);
});

test('not TURN: channel-like headers away from the TURN port, or not filling the payload', () => {
  // Two records of a binary protocol whose first bytes happen to read as a channel number
  // and a length (e.g. "ES" + length, as Elasticsearch's transport starts).
  const es = (n: number) => Uint8Array.of(0x45, 0x53, 0, 8, n, 2, 3, 4, 5, 6, 7, 8);
  assert.not.ok(claims(stunDissector, { ...WA, proto: 6, serverPort: 9300 }, [es(1), es(2)]), 'TCP, port 9300');
  assert.not.ok(claims(stunDissector, { ...WA, serverPort: 9999 }, [es(1), es(2)]), 'UDP, port 9999');
  // On the TURN port over TCP, a frame must be padded and fill the segment.
  const unpadded = (n: number) => Uint8Array.of(0x40, 0x01, 0, 5, n, 2, 3, 4, 5, 9, 9, 9, 9);
  assert.not.ok(claims(stunDissector, { ...WA, proto: 6 }, [unpadded(1), unpadded(2)]), 'trailing bytes');
});

test('not STUN: no cookie and no attributes, bad lengths, multicast, random, others', () => {
  const binding = fixture('stun-signal-binding');
  const classicEmpty = Uint8Array.of(0, 1, 0, 0, ...binding.subarray(4, 8).map((b) => b ^ 0xff), ...binding.subarray(8));
  assert.not.ok(claims(stunDissector, WA, [classicEmpty]), 'a lone empty classic request');
  assert.is(parseStunMessage(Uint8Array.of(...binding, 0, 0, 0, 0), false), null, 'length disagrees with the datagram');
  assert.is(parseStunMessage(Uint8Array.of(0x80, ...binding.subarray(1)), false), null, 'top bits set');
  assert.not.ok(claims(stunDissector, { ...WA, server: '239.255.255.250' }, [binding]), 'multicast');
  for (const p of randomPayloads(400, 99)) assert.not.ok(claims(stunDissector, WA, [p, p, p], true));
  for (const f of ['wg-initiation', 'ovpn-udp-client-reset', 'zoom-setup-client', 'rtp-pcma-1', 'bt-dht-get-peers', 'discord-request', 'dtls-app-data']) {
    assert.not.ok(claims(stunDissector, WA, [fixture(f)]), f);
  }
});

test.run();
