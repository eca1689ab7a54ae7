import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isP2pOpener, parseMedia, zoomDissector } from '../src/classify/peer/zoom.js';
import { claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '192.168.1.117', clientPort: 58327, server: '109.94.160.99', serverPort: 8801 };

test('session setup (SFU type 1) on Zoom’s ports: claimed on the first packet', () => {
  const r = run(zoomDissector, FLOW, [{ dir: 0, payload: fixture('zoom-setup-client') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'Zoom');
  assert.is(r.out.application, 'zoom');
  assert.equal(r.out.meta['zoom'], { sfu_type: 1 });
  assert.is(run(zoomDissector, FLOW, [{ dir: 1, payload: fixture('zoom-setup-server') }]).out.protocol, 'Zoom');
});

test('keep-alives: type 4 must echo the type 3 of the other side', () => {
  const r = run(zoomDissector, FLOW, [
    { dir: 1, payload: fixture('zoom-keepalive-3') },
    { dir: 0, payload: fixture('zoom-keepalive-4') },
  ]);
  assert.equal(r.steps, ['more', 'done']);
  const wrong = fixture('zoom-keepalive-4').slice();
  wrong[6] ^= 1;
  assert.not.ok(claims(zoomDissector, FLOW, [fixture('zoom-keepalive-3'), wrong], true));
});

test('media (SFU type 5): the encapsulated RTP must be real', () => {
  const rtp = fixture('rtp-pcma-1');
  const media = Uint8Array.of(15, ...new Array(18).fill(0), ...rtp); // audio: RTP at 19
  assert.is(parseMedia(media), 'audio');
  const sfu = Uint8Array.of(5, 0, 1, 0, 0, 0, 0, 0, ...media);
  assert.equal(run(zoomDissector, FLOW, [{ dir: 0, payload: sfu }]).out.meta['zoom'], { sfu_type: 5, media: 'audio' });
  const notRtp = Uint8Array.of(5, 0, 1, 0, 0, 0, 0, 0, 15, ...new Array(18).fill(0), 0x40, ...rtp.subarray(1));
  assert.not.ok(claims(zoomDissector, FLOW, [notRtp]));
});

test('peer-to-peer opener: length-prefixed fields and a zero tail', () => {
  const ip = [...'10.0.0.1'].map((c) => c.charCodeAt(0));
  const id = new Array(16).fill(0x41);
  const opener = Uint8Array.of(0x1f, 0x02, 0x01, ...new Array(21).fill(7), 0, 0, 0, ip.length, ...ip, 0, 0, 0, id.length, ...id, 0, 0, 0, 0);
  assert.ok(isP2pOpener(opener));
  assert.ok(claims(zoomDissector, { ...FLOW, serverPort: 40000 }, [opener]));
  assert.not.ok(isP2pOpener(opener.subarray(0, opener.length - 1)));
});

test('not Zoom: other ports, random, other protocols', () => {
  assert.not.ok(claims(zoomDissector, { ...FLOW, serverPort: 8800 }, [fixture('zoom-setup-client')]));
  for (const p of randomPayloads(400, 31)) assert.not.ok(claims(zoomDissector, FLOW, [p, p, p, p], true));
  for (const f of ['stun-whatsapp-allocate', 'wg-initiation', 'ovpn-udp-client-reset', 'rtp-pcma-1', 'discord-request', 'bt-utp-syn']) {
    assert.not.ok(claims(zoomDissector, FLOW, [fixture(f), fixture(f)]), f);
  }
});

test.run();
