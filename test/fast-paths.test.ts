/**
 * The shortcuts the packet path takes for speed must give exactly what the plain way
 * gives: cached address text, flows found without the map, TLS records read in place,
 * QUIC payloads opened in steps and their frames walked as they open, the hand-set-up HMAC,
 * CRYPTO ranges merged in place.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { ipv4Text, ipv6Text, macText } from '../src/net/format.js';
import { ipv4TextCached, ipv6TextCached, macTextCached } from '../src/decode/address-cache.js';
import { FlowTable, type Flow, type FlowEndReason } from '../src/flow/table.js';
import { HmacSha256 } from '../src/classify/quic/hmac-sha256.js';
import { CryptoStream } from '../src/classify/quic/crypto-stream.js';
import { initialKeys, InitialOpening } from '../src/classify/quic/initial-keys.js';
import { TcpByteStream, TcpPrefix } from '../src/classify/tcp-stream.js';
import { TlsDirection } from '../src/classify/tls/records.js';
import { ACK, FIN, SYN, pkt } from './helpers/packets.js';
import { concat, cryptoFrame } from './fixtures/secure/quic-build.js';
import { ietfInitialFrames, InitialFrameWalk } from '../src/classify/quic/frames.js';
import { encodeUtf8, encodeUtf8Js } from '../src/util/bytes.js';

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

test('cached address text equals fresh text, across slot collisions and reuse', () => {
  const buf = bytes(20000, 7);
  for (let round = 0; round < 2; round++) {
    for (let o = 0; o + 16 <= buf.length; o += 5) {
      assert.is(ipv4TextCached(buf, o), ipv4Text(buf, o));
      assert.is(ipv6TextCached(buf, o), ipv6Text(buf, o));
      assert.is(macTextCached(buf, o), macText(buf, o));
    }
  }
  // 0.0.0.0 and :: (all-zero keys) are not mistaken for empty slots.
  const zero = new Uint8Array(16);
  assert.is(ipv4TextCached(zero, 0), '0.0.0.0');
  assert.is(ipv6TextCached(zero, 0), '::');
  assert.is(macTextCached(zero, 0), '00:00:00:00:00:00');
  // The same address gives the same string object (the flow table compares by identity first).
  const a = Uint8Array.of(10, 1, 2, 3);
  assert.ok(ipv4TextCached(a, 0) === ipv4TextCached(a.slice(), 0));
  // A flow's two addresses one way and back, others and 0.0.0.0 between (the previous pair is looked at first).
  const seq = [[10, 0, 0, 1], [10, 0, 0, 2], [10, 0, 0, 2], [10, 0, 0, 1], [0, 0, 0, 0], [10, 0, 0, 1], [192, 168, 1, 1], [0, 0, 0, 0], [10, 0, 0, 2], [10, 0, 0, 1]];
  for (const s of seq) assert.is(ipv4TextCached(Uint8Array.from(s), 0), s.join('.'));
});

function table() {
  const ended: { flow: Flow<number>; reason: FlowEndReason }[] = [];
  let n = 0;
  const t = new FlowTable<number>({ create: () => ++n, end: (flow, reason) => ended.push({ flow, reason }) });
  return { t, ended };
}

test('interleaved flows are each found again, in both directions', () => {
  const { t } = table();
  const ids = new Map<number, number>();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 600; i++) {
      const sport = 20000 + i;
      const fwd = t.track(pkt({ t: round * 10 + 1, src: '10.0.0.2', sport, dst: `1.1.${i % 7}.1`, dport: 443, flags: ACK }), 1)!;
      assert.is(t.trackedDir, 0);
      const back = t.track(pkt({ t: round * 10 + 2, src: `1.1.${i % 7}.1`, sport: 443, dst: '10.0.0.2', dport: sport, flags: ACK }), 1)!;
      assert.is(t.trackedDir, 1);
      assert.ok(fwd === back);
      const known = ids.get(i);
      if (known === undefined) ids.set(i, fwd.data);
      else assert.is(fwd.data, known);
    }
  }
  assert.is(t.size, 600);
  assert.is(t.counters.flowsCreated, 600);
});

test('a flow that ended is never found again: its tuple starts a new flow', () => {
  const { t, ended } = table();
  const a = { src: '10.0.0.2', sport: 40000, dst: '1.1.1.1', dport: 443 };
  const other = { src: '10.0.0.3', sport: 40001, dst: '1.1.1.2', dport: 80 };
  const first = t.track(pkt({ t: 0, ...a, flags: SYN }), 1)!;
  t.track(pkt({ t: 1, ...other, flags: SYN }), 1);
  t.track(pkt({ t: 2, ...a, flags: FIN | ACK }), 1);
  t.track(pkt({ t: 3, src: a.dst, sport: a.dport, dst: a.src, dport: a.sport, flags: FIN | ACK }), 1);
  t.track(pkt({ t: 4, ...other, flags: ACK }), 1);
  // Closed, then gone after the linger time; a packet on the tuple is a new flow.
  t.advance(10_000);
  assert.ok(ended.some((e) => e.flow === first && e.reason === 'closed'));
  const again = t.track(pkt({ t: 10_001, ...a, flags: ACK }), 1)!;
  assert.ok(again !== first);
  assert.is.not(again.data, first.data);
  // A fresh SYN on a closed (lingering) tuple is a new flow too, found by later packets.
  t.track(pkt({ t: 10_002, ...a, flags: RST_FLAG }), 1);
  const reused = t.track(pkt({ t: 10_003, ...a, flags: SYN }), 1)!;
  assert.ok(reused !== again);
  assert.ok(ended.some((e) => e.flow === again && e.reason === 'reused'));
  t.track(pkt({ t: 10_004, ...other, flags: ACK }), 1);
  assert.ok(t.track(pkt({ t: 10_005, ...a, flags: ACK }), 1) === reused);
});

const RST_FLAG = 0x04;

test('a flow that went idle is never found again by its tuple', () => {
  const { t, ended } = table();
  const a = { src: '10.0.0.2', sport: 5000, dst: '8.8.8.8', dport: 53, proto: 17 };
  const b = { src: '10.0.0.2', sport: 5001, dst: '8.8.4.4', dport: 53, proto: 17 };
  const first = t.track(pkt({ t: 0, ...a }), 1)!;
  t.track(pkt({ t: 1, ...b }), 1);
  t.track(pkt({ t: 2, ...a }), 1); // found through the recent-flow slot
  t.track(pkt({ t: 3, ...b }), 1);
  t.advance(120_000);
  assert.ok(ended.some((e) => e.flow === first && e.reason === 'idle'));
  t.track(pkt({ t: 120_001, ...b }), 1);
  const again = t.track(pkt({ t: 120_002, ...a }), 1)!;
  assert.ok(again !== first);
  assert.is(t.counters.flowsCreated, 4);
});

test('a busy table keeps finding flows while its recent-flow slots grow', () => {
  const { t } = table();
  const flows: Flow<number>[] = [];
  for (let i = 0; i < 5000; i++) flows.push(t.track(pkt({ t: 1, src: '10.0.0.2', sport: 1024 + i, dst: '1.1.1.1', dport: 443, proto: 17 }), 1)!);
  for (let i = 4999; i >= 0; i -= 7) {
    assert.ok(t.track(pkt({ t: 2, src: '1.1.1.1', sport: 443, dst: '10.0.0.2', dport: 1024 + i, proto: 17 }), 1) === flows[i]);
  }
  assert.is(t.size, 5000);
});

/** TLS records split at every possible point must parse the same as when whole. */
function record(type: number, body: Uint8Array): Uint8Array {
  const r = new Uint8Array(5 + body.length);
  r.set([type, 3, 3, body.length >> 8, body.length & 0xff]);
  r.set(body, 5);
  return r;
}

function handshake(type: number, body: Uint8Array): Uint8Array {
  const m = new Uint8Array(4 + body.length);
  m.set([type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]);
  m.set(body, 4);
  return m;
}


function describe(events: ReturnType<TlsDirection['push']>): string[] {
  return events.map((e) => (e.kind === 'handshake' ? `hs:${Array.from(e.msg).join(',')}` : e.kind === 'record' ? `rec:${e.type}:${e.length}` : e.kind));
}

test('TLS records read in place give the same events however the stream is cut', () => {
  const stream = concat(
    record(22, concat(handshake(2, bytes(40, 1)), handshake(14, new Uint8Array(0)))),
    record(22, handshake(11, bytes(30, 2)).subarray(0, 20)),
    record(22, handshake(11, bytes(30, 2)).subarray(20)),
    record(20, Uint8Array.of(1)),
    record(23, bytes(50, 3)),
  );
  const whole = new TlsDirection();
  const expected = describe(whole.push(1000, stream));
  for (let cut = 1; cut < stream.length; cut++) {
    for (const seq of [1000, 0]) {
      const d = new TlsDirection();
      // The segment buffers are overwritten after each push, as a reused packet buffer would be.
      const a = stream.slice(0, cut);
      const b = stream.slice(cut);
      const events = describe(d.push(seq, a));
      a.fill(0xee);
      events.push(...describe(d.push(seq === 0 ? 0 : 1000 + cut, b)));
      b.fill(0xee);
      assert.equal(events, expected, `cut at ${cut}, seq ${seq}`);
    }
  }
});

test('a byte stream keeps the unread tail of a segment read in place, and skips retransmissions', () => {
  const s = new TcpByteStream(64);
  const seg = bytes(10, 4);
  s.push(500, seg);
  assert.equal(Array.from(s.bytes), Array.from(seg));
  s.consume(4);
  s.release();
  seg.fill(0); // the packet buffer is reused
  assert.equal(Array.from(s.bytes), Array.from(bytes(10, 4).subarray(4)));
  s.push(500, bytes(10, 4)); // a retransmission adds nothing
  s.release();
  assert.is(s.bytes.length, 6);
  s.push(510, Uint8Array.of(1, 2));
  assert.equal(Array.from(s.bytes.subarray(6)), [1, 2]);
  const big = new TcpByteStream(4);
  big.push(1, bytes(5, 5));
  assert.ok(big.overflowed);
});

test('a TCP prefix gathered from segments read in place equals the stream in order, up to its cap', () => {
  const data = bytes(3000, 11);
  for (let cut = 1; cut < 400; cut += 37) {
    // In order, with a retransmission and a segment that arrives early.
    const p = new TcpPrefix(2000);
    const seg = (o: number, n: number) => p.push(1000 + o, data.subarray(o, o + n));
    assert.ok(seg(0, cut));
    assert.not.ok(seg(0, cut), 'a retransmission adds nothing');
    assert.not.ok(seg(cut + 50, 100), 'early: held');
    assert.ok(seg(cut, 60), 'fills the gap and releases the early segment');
    assert.equal(Array.from(p.bytes), Array.from(data.subarray(0, cut + 150)));
    const before = p.bytes;
    // A segment that would pass the cap is not taken, and the prefix is full.
    assert.not.ok(seg(cut + 150, 2000));
    assert.ok(p.full);
    assert.ok(p.bytes === before);
  }
  const exact = new TcpPrefix(100);
  assert.ok(exact.push(1, data.subarray(0, 100)));
  assert.ok(exact.full, 'reaching the cap exactly fills it');
});

test('QUIC frames walked as the payload opens: the CRYPTO fragments and verdict of a plain walk; a walk stopped early opens no further', () => {
  const ack = Uint8Array.of(0x03, 0x05, 0x40, 0x10, 0x01, 0x02, 0x00, 0x01, 0x07, 0x08, 0x09);
  const cases: { payload: Uint8Array; fragments: [number, Uint8Array][]; clean: boolean }[] = [
    // Chrome's shape: CRYPTO pieces out of order among PADDING runs, PING and ACK.
    {
      payload: concat(new Uint8Array(301), cryptoFrame(200, bytes(90, 1)), Uint8Array.of(1), new Uint8Array(257), cryptoFrame(0, bytes(200, 2)), ack, new Uint8Array(503)),
      fragments: [[200, bytes(90, 1)], [0, bytes(200, 2)]],
      clean: true,
    },
    // A frame straddling every step boundary, then a frame no Initial may hold.
    {
      payload: concat(new Uint8Array(250), cryptoFrame(0, bytes(600, 3)), Uint8Array.of(0x1c, 0, 0), new Uint8Array(40)),
      fragments: [[0, bytes(600, 3)]],
      clean: false,
    },
    // Cut short: a CRYPTO frame claiming more than there is.
    {
      payload: concat(cryptoFrame(0, bytes(40, 4)), new Uint8Array(262), Uint8Array.of(0x06, 0x00, 0x44, 0x00), bytes(20, 5)),
      fragments: [[0, bytes(40, 4)]],
      clean: false,
    },
    { payload: new Uint8Array(1203), fragments: [], clean: true },
  ];
  // Also a byte off word alignment: PADDING is skipped four bytes at a time where aligned.
  const unaligned = (p: Uint8Array) => {
    const b = new Uint8Array(p.length + 1);
    b.set(p, 1);
    return b.subarray(1);
  };
  const plain = (f: { offset: number; data: Uint8Array }) => [f.offset, Array.from(f.data)];
  for (const c of cases) {
    for (const p of [c.payload, unaligned(c.payload)]) {
      const whole = ietfInitialFrames(p);
      assert.equal(whole.fragments.map(plain), c.fragments.map(([offset, data]) => plain({ offset, data })));
      assert.is(whole.clean, c.clean);
      let opened = 0;
      const walk = new InitialFrameWalk((n) => p.subarray(0, (opened = Math.max(opened, Math.min(n, p.length)))), p.length);
      const got = [];
      for (let f; (f = walk.next()); ) got.push(plain(f));
      assert.equal(got, whole.fragments.map(plain));
      assert.is(walk.clean, c.clean);
      assert.ok(walk.ended);
    }
  }
  // Stopped after the first fragment: the 500 bytes of PADDING behind it stay unopened.
  const p = cases[0]!.payload;
  let opened = 0;
  const walk = new InitialFrameWalk((n) => p.subarray(0, (opened = Math.max(opened, Math.min(n, p.length)))), p.length);
  assert.is(walk.next()?.offset, 200);
  assert.ok(opened < 700 && !walk.ended, `opened ${opened}`);
});

test('a QUIC payload opened in steps equals the payload opened at once', () => {
  const keys = initialKeys(1, Uint8Array.of(0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08), 'client');
  const sealed = bytes(1187, 9);
  const nonce = keys.iv;
  const all = new InitialOpening(keys.key, nonce, sealed).openTo(Infinity);
  assert.is(all.length, sealed.length);
  for (const steps of [[16, 640], [5, 33, 700, 1186], [640, 1187], [2000]]) {
    const o = new InitialOpening(keys.key, nonce, sealed);
    let got: Uint8Array = new Uint8Array(0);
    for (const n of steps) got = o.openTo(n);
    assert.ok(got.length === o.length || got.length >= steps[steps.length - 1]!);
    assert.equal(Array.from(o.openTo(Infinity)), Array.from(all));
  }
  // Into a reused buffer (longer than needed, holding old bytes): the same plaintext.
  const into = bytes(4096, 1);
  assert.equal(Array.from(new InitialOpening(keys.key, nonce, sealed, into).openTo(Infinity)), Array.from(all));
  assert.equal(Array.from(new InitialOpening(keys.key, nonce, sealed, into.subarray(0, 100)).openTo(Infinity)), Array.from(all));
  // Opening never touches the sealed bytes.
  assert.equal(Array.from(sealed), Array.from(bytes(1187, 9)));
});

test('HMAC-SHA256 with states set up in place equals noble hmac, for any key length', () => {
  const m = new HmacSha256();
  const out = new Uint8Array(32);
  for (const keyLen of [0, 1, 20, 32, 63, 64, 65, 200]) {
    for (const msgLen of [0, 1, 55, 56, 64, 100, 119, 120, 128, 300]) {
      const key = bytes(keyLen, keyLen + 1);
      const msg = bytes(msgLen, msgLen + 100);
      m.setKey(key).macInto(msg, out);
      assert.equal(Array.from(out), Array.from(hmac(sha256, key, msg)), `key ${keyLen}, message ${msgLen}`);
      m.macInto(msg, out); // the keyed state is reusable
      assert.equal(Array.from(out), Array.from(hmac(sha256, key, msg)));
    }
  }
});

test('CRYPTO ranges merge in place however fragments arrive', () => {
  const data = bytes(300, 11);
  const cuts = [[0, 50], [100, 150], [50, 100], [250, 300], [140, 260], [10, 20]];
  const s = new CryptoStream(1024);
  for (const [a, b] of cuts) {
    s.write(a!, data.subarray(a!, b!));
  }
  assert.is(s.contiguous, 300);
  const t = new CryptoStream(1024);
  t.write(10, data.subarray(10, 20));
  t.write(30, data.subarray(30, 40));
  assert.is(t.contiguous, 0);
  t.write(0, data.subarray(0, 10));
  assert.is(t.contiguous, 20);
  t.write(20, data.subarray(20, 30));
  assert.is(t.contiguous, 40);
  assert.equal(Array.from(t.prefix(40)), Array.from(data.subarray(0, 40)));
  // Random fragments: the contiguous prefix is what a byte-by-byte coverage map says.
  const rnd = bytes(4000, 12);
  for (let round = 0; round < 50; round++) {
    const u = new CryptoStream(1024);
    const covered = new Uint8Array(300);
    for (let k = 0; k < 12; k++) {
      const a = (rnd[round * 40 + 3 * k]! * 256 + rnd[round * 40 + 3 * k + 1]!) % 290;
      const b = Math.min(300, a + (rnd[round * 40 + 3 * k + 2]! % 40));
      u.write(a, data.subarray(a, b));
      covered.fill(1, a, b);
      const want = covered.indexOf(0) < 0 ? 300 : covered.indexOf(0);
      assert.is(u.contiguous, want);
      assert.equal(Array.from(u.prefix(want)), Array.from(data.subarray(0, want)));
    }
  }
});

test('UTF-8 encoding in JavaScript equals the engine encoder, lone surrogates included', () => {
  const samples = ['', 'plain ascii', 'caf\u00e9 \u4e2d\u6587 \ud83d\ude00', 'lone \ud800 high', 'lone \udc00 low', '\ud83d', 'end \udbff'];
  const rnd = bytes(4000, 3);
  let mixed = '';
  for (let i = 0; i + 1 < rnd.length; i += 2) mixed += String.fromCharCode((rnd[i]! << 8) | rnd[i + 1]!);
  for (const s of [...samples, mixed]) assert.equal(Array.from(encodeUtf8Js(s)), Array.from(new TextEncoder().encode(s)));
  assert.equal(Array.from(encodeUtf8('caf\u00e9')), [0x63, 0x61, 0x66, 0xc3, 0xa9]);
});

test.run();
