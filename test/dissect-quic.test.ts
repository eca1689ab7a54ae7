/**
 * QUIC: Initials of every version family saved from the nDPI corpus (expected values from
 * nDPI's truth files and tshark), plus Initials built here from a real ClientHello for the
 * reassembly cases the corpus lacks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CryptoStream } from '../src/classify/quic/crypto-stream.js';
import { quicDissector } from '../src/classify/quic/dissector.js';
import { ietfCryptoFragments, ietfInitialFrames } from '../src/classify/quic/frames.js';
import { initialVersion, readLongHeader } from '../src/classify/quic/header.js';
import { initialKeys, openLongHeaderPacket } from '../src/classify/quic/initial-keys.js';
import { varIntAt, varIntSize } from '../src/classify/quic/varint.js';
import { quicVersionName, V1, V2 } from '../src/classify/quic/versions.js';
import { fixture, run, type FlowSpec } from './fixtures/naming/harness.js';
import { fromHex, packets } from './fixtures/secure/packets.js';
import { buildInitial, concat, cryptoFrame } from './fixtures/secure/quic-build.js';

const FLOW: FlowSpec = { proto: 17, client: '10.0.0.1', clientPort: 50000, server: '10.0.0.2', serverPort: 443 };

interface Case {
  fixture: string;
  version: string;
  sni: string;
  alpn?: string[];
  ja4?: string;
  userAgent?: string;
}

// Versions, names, ALPN and JA4 as nDPI's truth files give them for these flows.
const CASES: Case[] = [
  { fixture: 'quic-v1-meet', version: 'V-1', sni: 'meet.google.com', alpn: ['h3'], ja4: 'q13d0311h0_55b375c5d22e_5a1f323ef56d' },
  { fixture: 'quic-v2', version: 'V-2', sni: 'test', alpn: ['h3'], ja4: 'q13d0310h0_55b375c5d22e_0a3b52e28cea' },
  { fixture: 'quic-draft29-retry', version: 'Draft-29', sni: 'localhost', alpn: ['h3-29'], ja4: 'q13d0512h3_d55e91d5c3b2_cd318bf3b157' },
  { fixture: 'quic-draft28-initial-0rtt', version: 'Draft-28', sni: 'abcd', alpn: ['h3-32'], ja4: 'q00d0310h3_55b375c5d22e_060ec1c6a056' },
  { fixture: 'quic-mvfst27', version: 'MVFST-27', sni: 'graph.facebook.com', alpn: ['h3-fb-05'], ja4: 'q00d0108h3_0f2cb44170f4_f4b4187450f5' },
  { fixture: 'quic-t051', version: 'T051', sni: 'www.google.com', alpn: ['h3-T051'], ja4: 'q13d0308h3_55b375c5d22e_e7bc1e4f333e', userAgent: 'dev Chrome/86.0.4240.9 Windows NT 6.1; Win64; x64' },
  { fixture: 'quic-q050', version: 'Q050', sni: 'www.googletagmanager.com', userAgent: 'Chrome/83.0.4103.101 Android 8.0.0; LDN-L21' },
  { fixture: 'quic-q046', version: 'Q046', sni: 'play.google.com', userAgent: 'Chrome/74.0.3729.157 Android 8.0.0; BND-L21' },
  { fixture: 'quic-q039', version: 'Q039', sni: 'upload.youtube.com', userAgent: 'Chrome/62.0.3202.94 Windows NT 10.0; Win64; x64' },
  { fixture: 'quic-q035', version: 'Q035', sni: 'pagead2.googlesyndication.com', userAgent: 'beta Chrome/57.0.2987.98 Intel Mac OS X 10_12_3' },
];

for (const c of CASES) {
  test(`${c.version}: the first Initial names ${c.sni}`, () => {
    const [first] = packets(c.fixture);
    const r = run(quicDissector, FLOW, [first!]);
    assert.equal(r.steps, ['done']);
    assert.is(r.out.protocol, 'QUIC');
    assert.is(r.out.hostname, c.sni);
    const q = r.out.meta['quic']!;
    assert.is(q['version'], c.version);
    assert.is(q['sni'], c.sni);
    assert.equal(q['alpn'], c.alpn);
    assert.is(q['user_agent'], c.userAgent);
    const ssl = r.out.meta['ssl'];
    if (c.ja4) {
      assert.is(ssl!['client_ja4'], c.ja4);
      assert.is(ssl!['version'], '0x0304');
      assert.is(ssl!['client_sni'], c.sni);
    } else {
      assert.is(ssl, undefined); // a Google CHLO is no TLS
    }
  });
}

test('0-RTT packets before the Initial: waited for, then the Initial names the flow (3rd packet)', () => {
  const r = run(quicDissector, FLOW, packets('quic-v1-0rtt-first'));
  assert.equal(r.steps, ['more', 'more', 'done']);
  assert.is(r.claimedAt, 3);
  assert.is(r.out.hostname, 'ssl.gstatic.com');
  assert.is(r.out.meta['ssl']!['client_ja4'], 'q13d0312h0_55b375c5d22e_73e2d9e6cde6');
});

test('0-RTT only: after three packets the flow is QUIC without a name', () => {
  const zeroRtt = packets('quic-v1-0rtt-first')[0]!;
  const r = run(quicDissector, FLOW, [zeroRtt, zeroRtt, zeroRtt]);
  assert.equal(r.steps, ['more', 'more', 'done']);
  assert.is(r.out.protocol, 'QUIC');
  assert.is(r.out.hostname, null);
  assert.is(r.out.meta['quic']!['version'], 'V-1');
  // Something else after a 0-RTT packet (a Handshake packet, say) settles it at once.
  assert.equal(run(quicDissector, FLOW, [zeroRtt, { dir: 0, payload: fromHex('e1000000010000') }]).steps, ['more', 'done']);
});

test('coalesced packets: the Initial in front of a 0-RTT packet is found and opened', () => {
  const d = packets('quic-draft28-initial-0rtt')[0]!.payload;
  const first = readLongHeader(d, 0)!;
  const second = readLongHeader(d, first.end)!;
  assert.is(first.type, 0);
  assert.is(second.type, 1);
  assert.is(second.end, d.length);
});

// A real ClientHello (Chrome's, from the TLS fixture) to carry in built Initials.
const chromeRecord = packets('tls-chrome-tls13')[0]!.payload;
const clientHello = chromeRecord.subarray(5, 5 + ((chromeRecord[3]! << 8) | chromeRecord[4]!));
const DCID = fromHex('8394c8f03e515708');
const SCID = fromHex('c0ffee');
const PING = Uint8Array.of(0x01);
const ACK = fromHex('0200000000');

test('a ClientHello over two Initials, fragments out of order among PING/ACK/PADDING', () => {
  const a = buildInitial({
    version: V1, dcid: DCID, scid: SCID, pn: 0,
    frames: concat(PING, cryptoFrame(300, clientHello.subarray(300)), new Uint8Array(3), cryptoFrame(0, clientHello.subarray(0, 100)), ACK),
  });
  // The second Initial goes to the server's chosen id yet keeps the first one's keys.
  const b = buildInitial({ version: V1, dcid: fromHex('aabbccddeeff0011'), keysFrom: DCID, scid: SCID, pn: 1, frames: concat(cryptoFrame(100, clientHello.subarray(100, 300)), PING) });
  const r = run(quicDissector, FLOW, [{ dir: 0, payload: a }, { dir: 0, payload: b }]);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.claimedAt, 1);
  assert.is(r.out.hostname, 'www.iit.cnr.it');
  assert.equal(r.out.meta['quic']!['alpn'], ['h2', 'http/1.1']);
  assert.is(r.out.meta['ssl']!['client_ja4']!.toString().slice(0, 10), 'q13d1516h2');
});

test('a server Initial in between is not decrypted with client keys and does not disturb', () => {
  const a = buildInitial({ version: V2, dcid: DCID, scid: SCID, pn: 0, frames: cryptoFrame(0, clientHello.subarray(0, 250)) });
  const server = buildInitial({ version: V2, dcid: SCID, scid: fromHex('0102030405060708'), pn: 0, frames: PING });
  const b = buildInitial({ version: V2, dcid: DCID, scid: SCID, pn: 1, frames: cryptoFrame(250, clientHello.subarray(250)) });
  const r = run(quicDissector, FLOW, [{ dir: 0, payload: a }, { dir: 1, payload: server }, { dir: 0, payload: b }]);
  assert.equal(r.steps, ['more', 'more', 'done']);
  assert.is(r.out.hostname, 'www.iit.cnr.it');
  assert.is(r.out.meta['quic']!['version'], 'V-2');
});

test('an Initial that fails to open keeps the flow QUIC and waits for a good one', () => {
  const good = packets('quic-v1-meet')[0]!.payload;
  const bad = good.slice();
  bad[7]! ^= 0x55; // a different Destination Connection ID: the keys are wrong
  const r = run(quicDissector, FLOW, [{ dir: 0, payload: bad }, { dir: 0, payload: good }]);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.claimedAt, 1);
  assert.is(r.out.hostname, 'meet.google.com');
  const h = readLongHeader(bad, 0)!;
  assert.is(openLongHeaderPacket(bad.subarray(0, h.end), h.pnOffset, initialKeys(V1, h.dcid, 'client')), null);
  // Unauthenticated opening returns bytes, but they are not an Initial's frames.
  const loose = openLongHeaderPacket(bad.subarray(0, h.end), h.pnOffset, initialKeys(V1, h.dcid, 'client'), false)!;
  assert.not.ok(ietfInitialFrames(loose).clean);
  const g = readLongHeader(good, 0)!;
  const right = openLongHeaderPacket(good.subarray(0, g.end), g.pnOffset, initialKeys(V1, g.dcid, 'client'), false)!;
  assert.ok(ietfInitialFrames(right).clean);
});

test('a ClientHello too big for the reassembly buffer ends the dissection without a name', () => {
  const far = buildInitial({ version: V1, dcid: DCID, scid: SCID, pn: 0, frames: cryptoFrame(20000, clientHello.subarray(0, 100)) });
  const r = run(quicDissector, FLOW, [{ dir: 0, payload: far }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'QUIC');
  assert.is(r.out.hostname, null);
});

test('undecryptable Initials stop costing after a bounded number of packets', () => {
  const bad = packets('quic-v1-meet')[0]!.payload.slice();
  bad[8]! ^= 1; // wrong keys
  const r = run(quicDissector, FLOW, Array.from({ length: 40 }, () => ({ dir: 0 as const, payload: bad })));
  assert.is(r.steps[r.steps.length - 1], 'done');
  assert.ok(r.steps.length <= 25);
});

test('short headers to port 443 with one connection id: QUIC seen after its handshake', () => {
  const sh = (last: number) => concat(fromHex('41 1122334455667788 99'), Uint8Array.of(last));
  const r = run(quicDissector, FLOW, [{ dir: 0, payload: sh(1) }, { dir: 1, payload: fromHex('40 aabbccdd') }, { dir: 0, payload: sh(2) }, { dir: 0, payload: sh(3) }]);
  assert.equal(r.steps, ['more', 'more', 'more', 'done']);
  assert.is(r.out.protocol, 'QUIC');
  // Same last byte twice looks like a retransmission of something else: no.
  assert.equal(run(quicDissector, FLOW, [{ dir: 0, payload: sh(1) }, { dir: 0, payload: sh(1) }]).steps, ['more', 'no']);
});

test('a Google QUIC REJ from port 443 is QUIC', () => {
  const rej = new Uint8Array(60);
  rej[0] = 0x08;
  rej.set([0x52, 0x45, 0x4a], 25);
  const server: FlowSpec = { ...FLOW, client: FLOW.server, clientPort: 443, server: FLOW.client, serverPort: 50000 };
  assert.is(run(quicDissector, server, [{ dir: 0, payload: rej }]).out.protocol, 'QUIC');
});

test('not QUIC: short datagrams, unknown versions, DNS', () => {
  const unknown = new Uint8Array(1300);
  unknown.set([0xc0, 0x12, 0x34, 0x56, 0x78, 8]);
  assert.equal(run(quicDissector, { ...FLOW, serverPort: 4433 }, [{ dir: 0, payload: unknown }]).steps, ['no']);
  const short = packets('quic-v1-meet')[0]!.payload.subarray(0, 1100);
  assert.is(initialVersion(short), null);
  assert.equal(run(quicDissector, { ...FLOW, serverPort: 53 }, [{ dir: 0, payload: fixture('dns-query-captive-apple') }]).steps, ['no']);
});

test('building blocks: varints, CRYPTO frames, the reassembly buffer, version names', () => {
  const varInt = (hex: string) => {
    const b = fromHex(hex);
    return { value: varIntAt(b, 0), size: varIntSize(b[0]!) };
  };
  assert.equal(varInt('c2197c5eff14e88c'), { value: 151288809941952652, size: 8 });
  assert.equal(varInt('9d7f3e7d'), { value: 494878333, size: 4 });
  assert.equal(varInt('7bbd'), { value: 15293, size: 2 });
  assert.equal(varInt('25'), { value: 37, size: 1 });
  assert.is(varIntAt(fromHex('7b'), 0), -1);
  const frags = ietfCryptoFragments(concat(PING, ACK, cryptoFrame(5, fromHex('0102')), new Uint8Array(4), fromHex('1c')));
  assert.equal(frags.map((f) => [f.offset, Array.from(f.data)]), [[5, [1, 2]]]);
  const cs = new CryptoStream(64);
  assert.ok(cs.write(4, fromHex('aabb')));
  assert.is(cs.firstMessage(), null);
  cs.write(0, fromHex('01000002'));
  assert.equal(Array.from(cs.firstMessage()!), [1, 0, 0, 2, 0xaa, 0xbb]);
  assert.not.ok(cs.write(60, new Uint8Array(8)));
  assert.equal([0x00000001, 0x6b3343cf, 0xff00001d, 0xfaceb002, 0x51303436, 0x54303531, 0x1a2a3a4a].map(quicVersionName), [
    'V-1', 'V-2', 'Draft-29', 'MVFST-27', 'Q046', 'T051', 'Ver-Negotiation',
  ]);
});

test.run();
