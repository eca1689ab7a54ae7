/** Capture files: pcap in both byte orders and time resolutions, pcapng sections and interfaces, damage. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CaptureStream, readCapture, type CaptureFrame } from '../src/capture/reader.js';
import { CaptureReplay, replayCapture } from '../src/cli/replay.js';
import type { FlowRecord } from '../src/record/flow-record.js';
import { corpusAvailable, readCorpus } from './helpers/corpus.js';
import { ipv4, ipv6, pppoeSession, pppProtocol, udp } from './helpers/frames.js';

function u32(v: number, little: boolean): number[] {
  const b = [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
  return little ? b.reverse() : b;
}
function u16(v: number, little: boolean): number[] {
  const b = [(v >> 8) & 0xff, v & 0xff];
  return little ? b.reverse() : b;
}

function pcap(little: boolean, nanos: boolean, linkType: number, recs: { sec: number; frac: number; data: number[]; orig?: number }[]): Uint8Array {
  const out = [...u32(nanos ? 0xa1b23c4d : 0xa1b2c3d4, little), ...u16(2, little), ...u16(4, little), ...u32(0, little), ...u32(0, little), ...u32(65535, little), ...u32(linkType, little)];
  for (const r of recs) out.push(...u32(r.sec, little), ...u32(r.frac, little), ...u32(r.data.length, little), ...u32(r.orig ?? r.data.length, little), ...r.data);
  return new Uint8Array(out);
}

function frames(bytes: Uint8Array): { frames: CaptureFrame[]; error: string | null } {
  const c = readCapture(bytes);
  if (!c.ok) throw new Error(c.error);
  const list = [...c.frames];
  return { frames: list, error: c.error() };
}

test('pcap: both byte orders, micro- and nanosecond timestamps, snapped lengths', () => {
  for (const little of [true, false]) {
    const us = frames(pcap(little, false, 1, [{ sec: 10, frac: 500_000, data: [1, 2, 3], orig: 60 }]));
    assert.equal(us.frames.map((f) => [f.linkType, f.timestamp, f.wireLength, Array.from(f.data)]), [[1, 10_500, 60, [1, 2, 3]]]);
    const ns = frames(pcap(little, true, 113, [{ sec: 1, frac: 250_000_000, data: [9] }]));
    assert.equal(ns.frames.map((f) => [f.linkType, f.timestamp]), [[113, 1250]]);
    assert.is(ns.error, null);
  }
});

test('pcap: a truncated last record ends the frames and is reported, earlier frames survive', () => {
  const whole = pcap(true, false, 1, [{ sec: 1, frac: 0, data: [1, 2, 3, 4] }, { sec: 2, frac: 0, data: [5, 6, 7, 8] }]);
  const cut = frames(whole.subarray(0, whole.length - 2));
  assert.is(cut.frames.length, 1);
  assert.match(cut.error ?? '', /record 2 data truncated/);
  const headerCut = frames(whole.subarray(0, 24 + 16 + 4 + 7));
  assert.match(headerCut.error ?? '', /record 2 header truncated/);
});

test('pcap: an absurd record length is damage, not an allocation', () => {
  const bad = pcap(true, false, 1, [{ sec: 1, frac: 0, data: [1] }]);
  bad.set(u32(0x7fffffff, true), 24 + 8);
  const r = frames(bad);
  assert.is(r.frames.length, 0);
  assert.match(r.error ?? '', /claims/);
});

function block(type: number, body: number[], little = true): number[] {
  while (body.length % 4) body.push(0);
  const len = 12 + body.length;
  return [...u32(type, little), ...u32(len, little), ...body, ...u32(len, little)];
}
const shb = (little = true) => block(0x0a0d0d0a, [...u32(0x1a2b3c4d, little), ...u16(1, little), ...u16(0, little), ...u32(0xffffffff, little), ...u32(0xffffffff, little)], little);
const idb = (lt: number, tsresol: number | null, little = true) =>
  block(1, [...u16(lt, little), 0, 0, ...u32(0, little), ...(tsresol === null ? [] : [...u16(9, little), ...u16(1, little), tsresol, 0, 0, 0, 0, 0, 0, 0])], little);
const epb = (iface: number, units: number, data: number[], little = true) =>
  block(6, [...u32(iface, little), ...u32(Math.floor(units / 2 ** 32), little), ...u32(units >>> 0, little), ...u32(data.length, little), ...u32(data.length, little), ...data], little);

test('pcapng: per-interface link types and timestamp resolutions', () => {
  const file = new Uint8Array([...shb(), ...idb(1, null), ...idb(113, 9), ...epb(0, 2_000_000, [1, 2]), ...epb(1, 3_000_000_000, [3])]);
  const r = frames(file);
  assert.equal(r.frames.map((f) => [f.linkType, f.timestamp, Array.from(f.data)]), [
    [1, 2000, [1, 2]],
    [113, 3000, [3]],
  ]);
  assert.is(r.error, null);
});

test('pcapng: a second section may switch byte order and renumbers interfaces', () => {
  const file = new Uint8Array([...shb(true), ...idb(1, null, true), ...epb(0, 1000, [1], true), ...shb(false), ...idb(101, 3, false), ...epb(0, 5, [2], false)]);
  const r = frames(file);
  assert.equal(r.frames.map((f) => [f.linkType, f.timestamp]), [
    [1, 1],
    [101, 5],
  ]);
});

test('pcapng: unknown interface and overlong blocks are reported damage', () => {
  const noIface = frames(new Uint8Array([...shb(), ...epb(3, 0, [1])]));
  assert.match(noIface.error ?? '', /unknown interface 3/);
  const file = new Uint8Array([...shb(), ...idb(1, null), ...epb(0, 0, [1, 2, 3, 4])]);
  const overlong = frames(file.subarray(0, file.length - 4));
  assert.match(overlong.error ?? '', /bad length/);
});

test('pcapng: a block whose trailing length differs from its leading one is reported, by its place', () => {
  const good = [...shb(), ...idb(1, null), ...epb(0, 1000, [1, 2, 3, 4])];
  const second = epb(0, 2000, [5, 6, 7, 8]);
  second.splice(second.length - 4, 4, ...u32(99, true));
  const at = good.length;
  const r = frames(new Uint8Array([...good, ...second, ...epb(0, 3000, [9])]));
  assert.equal(r.frames.map((f) => f.timestamp), [1]);
  assert.is(r.error, `block at byte ${at} ends with length 99, not the ${second.length} it starts with`);
});

test('files that are no capture are refused with a reason', () => {
  const r = readCapture(new TextEncoder().encode('GET / HTTP/1.1\r\n'));
  assert.ok(!r.ok && /not a pcap or pcapng/.test(r.error));
  const short = readCapture(new Uint8Array([1]));
  assert.ok(!short.ok && /too short/.test(short.error));
});

test('PPP link types (9, 50, 51) from a pcap header or a pcapng interface reach the decoder alike', () => {
  const query = ipv4('10.0.0.2', '10.0.0.53', { proto: 17 }, udp(40000, 53, [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 0, 0, 1, 0, 1]));
  const v6 = ipv6('2001:db8::2', '2001:db8::53', 17, udp(40001, 53, [0, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x62, 0, 0, 1, 0, 1]));
  const ppp = [0xff, 0x03, ...pppProtocol(0x0021), ...query];
  const pppCompressed = [...pppProtocol(0x57, true), ...v6];
  const flowsOf = (file: Uint8Array) => {
    const r = replayCapture(file, { catalogue: null });
    return { ports: r.records.map((x) => x.local_port).sort(), unsupported: r.pipeline.counters.unsupportedLink };
  };
  assert.equal(flowsOf(pcap(true, false, 9, [{ sec: 1, frac: 0, data: ppp }, { sec: 1, frac: 1, data: pppCompressed }])), { ports: [40000, 40001], unsupported: 0 });
  const ng = new Uint8Array([...shb(), ...idb(9, null), ...idb(51, null), ...idb(50, null), ...epb(0, 1, ppp), ...epb(1, 2, pppoeSession(pppProtocol(0x21, true), query)), ...epb(2, 3, pppCompressed)]);
  assert.equal(frames(ng).frames.map((f) => f.linkType), [9, 51, 50]);
  assert.equal(flowsOf(ng), { ports: [40000, 40001], unsupported: 0 });
});

/** The frames of `bytes` pushed in pieces of `size` bytes. */
function framesInChunks(bytes: Uint8Array, size: number): { frames: CaptureFrame[]; error: string | null } {
  const s = new CaptureStream();
  const list: CaptureFrame[] = [];
  const drain = () => {
    while (s.next()) list.push({ linkType: s.linkType, data: s.data.slice(), timestamp: s.timestamp, wireLength: s.wireLength });
  };
  for (let o = 0; o < bytes.length; o += size) {
    s.push(bytes.slice(o, o + size));
    drain();
  }
  s.end();
  drain();
  return { frames: list, error: s.damage };
}

test('a stream of chunks of any size gives the frames and damage of the whole file', () => {
  const file = pcap(true, false, 1, [{ sec: 1, frac: 0, data: [1, 2, 3] }, { sec: 2, frac: 0, data: [4, 5, 6, 7] }]);
  const ng = new Uint8Array([...shb(), ...idb(1, null), ...epb(0, 1, [9, 8, 7]), ...epb(0, 2, [6])]);
  for (const bytes of [file, file.subarray(0, file.length - 2), ng, ng.subarray(0, ng.length - 4)]) {
    const whole = frames(bytes);
    for (const size of [1, 3, 16, 17, 1000]) assert.equal(framesInChunks(bytes, size), whole);
  }
});

/** As framesInChunks, through `drain` (the replay's loop) instead of `next`. */
function drainedInChunks(bytes: Uint8Array, size: number): { frames: CaptureFrame[]; error: string | null } {
  const s = new CaptureStream();
  const list: CaptureFrame[] = [];
  const sink = {
    frameIn(linkType: number, b: Uint8Array, start: number, end: number, timestamp: number, wireLength: number): void {
      list.push({ linkType, data: b.slice(start, end), timestamp, wireLength });
    },
  };
  for (let o = 0; o < bytes.length; o += size) {
    s.push(bytes.slice(o, o + size));
    s.drain(sink);
  }
  s.end();
  s.drain(sink);
  return { frames: list, error: s.damage };
}

test('drain hands over the frames and damage that next() gives, in any chunks', () => {
  const recs = [{ sec: 1, frac: 999_999, data: [1, 2, 3], orig: 70 }, { sec: 2, frac: 7, data: [4, 5, 6, 7] }, { sec: 3, frac: 1, data: [] }];
  const absurd = pcap(true, false, 1, recs);
  absurd.set(u32(0x7fffffff, true), 24 + 16 + 3 + 8);
  const files = [pcap(true, false, 1, recs), pcap(false, true, 113, recs), absurd];
  files.push(files[0]!.subarray(0, files[0]!.length - 2), files[1]!.subarray(0, 24 + 16 + 3 + 7));
  files.push(new Uint8Array([...shb(), ...idb(1, null), ...epb(0, 1, [9, 8, 7]), ...epb(0, 2, [6])]), new Uint8Array([1, 2, 3, 4, 5]));
  for (const bytes of files) {
    for (const size of [1, 5, 16, 40, 1000]) assert.equal(drainedInChunks(bytes, size), framesInChunks(bytes, size));
  }
  assert.is(drainedInChunks(files[0]!, 7).frames.length, 3);
  assert.match(drainedInChunks(absurd, 1000).error ?? '', /record 2 claims/);
});

test('chunks larger than the bridge: frames across every boundary, longer than the bridge, and damage at its byte', () => {
  // Sizes vary so that boundaries fall in headers and in data; some frames exceed 4 KiB.
  const sizes = Array.from({ length: 300 }, (_, i) => (i % 37 === 5 ? 4000 + i * 23 : (i * 7919) % 1600));
  const data = (n: number, i: number) => Array.from({ length: n }, (_, k) => (k * 31 + i) & 0xff);
  const recs = sizes.map((n, i) => ({ sec: 100 + i, frac: i * 3, data: data(n, i) }));
  const whole = pcap(true, false, 1, recs);
  const absurd = whole.slice();
  let at = 24;
  for (let i = 0; i < 200; i++) at += 16 + sizes[i]!;
  absurd.set(u32(0x7fffffff, true), at + 8);
  const ng = new Uint8Array([...shb(), ...idb(1, null), ...recs.flatMap((r, i) => epb(0, 1000 * i, r.data))]);
  for (const bytes of [whole, whole.subarray(0, whole.length - 100), absurd, ng, ng.subarray(0, ng.length - 6)]) {
    const expected = frames(bytes);
    for (const size of [4097, 5003, 9000, 65536]) {
      assert.equal(framesInChunks(bytes, size), expected, `next(), chunks of ${size}`);
      assert.equal(drainedInChunks(bytes, size), expected, `drain, chunks of ${size}`);
    }
  }
  assert.match(frames(absurd).error ?? '', new RegExp(`record 201 claims 2147483647 bytes at byte ${at}$`));
});

if (corpusAvailable()) {
  test('corpus: replay from chunks writes the records of the whole file, in the same order', () => {
    for (const name of ['dns.pcap', 'http.pcapng', 'quic-v2.pcapng']) {
      const bytes = readCorpus(name);
      const whole = replayCapture(bytes, { catalogue: null }).records;
      for (const size of [61, 4096, 20011]) {
        const got: FlowRecord[] = [];
        const r = new CaptureReplay({ catalogue: null, onRecord: (x) => got.push(x) });
        for (let o = 0; o < bytes.length; o += size) r.push(bytes.slice(o, o + size));
        r.end();
        assert.equal(got, whole, `${name} in chunks of ${size}`);
      }
    }
  });

  test('corpus: pcapng with Linux cooked frames and classic pcap read to the end', () => {
    for (const name of ['quic-v2.pcapng', 'dns.pcap', 'http.pcapng']) {
      const r = frames(readCorpus(name));
      assert.ok(r.frames.length > 0, name);
      assert.is(r.error, null, name);
    }
  });
}

test.run();
