import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { continues, mediaBytes, parseRtcp, parseRtp, rtpDissector } from '../src/classify/peer/rtp.js';
import { claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '192.168.195.58', clientPort: 32144, server: '192.168.195.50', serverPort: 17718 };

test('two packets of one stream: claimed on the second, payload type and media kind', () => {
  const a = parseRtp(fixture('rtp-pcma-1'))!;
  const b = parseRtp(fixture('rtp-pcma-2'))!;
  assert.ok(continues(a, b));
  const r = run(rtpDissector, FLOW, [
    { dir: 0, payload: fixture('rtp-pcma-1') },
    { dir: 0, payload: fixture('rtp-pcma-2') },
  ]);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.out.protocol, 'RTP');
  const meta = r.out.meta['rtp'] as Record<string, unknown>;
  assert.is(meta['payload_type'], a.payloadType);
  assert.is(meta['ssrc'], a.ssrc);
});

test('RTP over TCP behind the RFC 4571 length', () => {
  const rtp1 = fixture('rtp-pcma-1');
  const rtp2 = fixture('rtp-pcma-2');
  const frame = (p: Uint8Array) => Uint8Array.of(p.length >> 8, p.length & 0xff, ...p);
  assert.equal(mediaBytes(frame(rtp1), true), rtp1);
  const r = run(rtpDissector, { ...FLOW, proto: 6 }, [{ dir: 0, payload: frame(rtp1) }, { dir: 0, payload: frame(rtp2) }]);
  assert.is(r.out.protocol, 'RTP');
});

test('RTCP: SRTCP receiver reports from one sender', () => {
  const rr = fixture('srtcp-rr');
  assert.equal(parseRtcp(rr), { ssrc: 0x78691914, firstType: 201 });
  const r = run(rtpDissector, FLOW, [{ dir: 0, payload: rr }, { dir: 0, payload: rr }]);
  assert.is(r.out.protocol, 'RTCP');
  assert.is(run(rtpDissector, FLOW, [{ dir: 0, payload: rr }]).out.protocol, null, 'one report is not enough');
});

test('not RTP: no continuity, other SSRC, duplicates, reserved ports, random, others', () => {
  const a = fixture('rtp-pcma-1');
  const otherSsrc = a.slice();
  otherSsrc[11] ^= 1;
  assert.not.ok(claims(rtpDissector, FLOW, [a, otherSsrc]), 'SSRC changed');
  assert.not.ok(claims(rtpDissector, FLOW, [a, a]), 'same sequence number twice');
  const far = a.slice();
  far[2] ^= 0x40;
  assert.not.ok(claims(rtpDissector, FLOW, [a, far]), 'sequence jump');
  assert.not.ok(claims(rtpDissector, { ...FLOW, serverPort: 5353 }, [a, fixture('rtp-pcma-2')]), 'mDNS port');
  assert.is(parseRtp(Uint8Array.of(0x80, 72, ...a.subarray(2))), null, 'payload type 72 is RTCP territory');
  for (const p of randomPayloads(400, 17)) assert.not.ok(claims(rtpDissector, FLOW, [p, p, p, p]));
  for (const f of ['stun-whatsapp-allocate', 'wg-data-1', 'zoom-setup-client', 'discord-request', 'dtls-app-data', 'ovpn-oneway-3']) {
    assert.not.ok(claims(rtpDissector, FLOW, [fixture(f), fixture(f), fixture(f)]), f);
  }
});

test.run();
