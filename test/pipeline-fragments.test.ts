/**
 * Fragmented datagrams through the whole pipeline: the classifier reads them whole, every
 * fragment frame counts in its flow, tunnels inside them are opened.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FlowPipeline, type PipelineOptions } from '../src/pipeline/pipeline.js';
import type { FlowRecord } from '../src/record/flow-record.js';
import { be16, bytes, eth, ipv4, ipv4Fragments, ipv6, ipv6Fragments, tcp, udp } from './helpers/frames.js';

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const dnsName = (n: string) => [...n.split('.').flatMap((l) => [l.length, ...ascii(l)]), 0];

/** A DNS response whose A record sits after a TXT record big enough to be cut off. */
function dnsResponse(name: string, txtLength: number): number[] {
  const txt: number[] = [];
  for (let left = txtLength; left > 0; left -= 255) txt.push(Math.min(255, left), ...Array(Math.min(255, left)).fill(0x78));
  return [
    ...be16(0x1234), ...be16(0x8180), ...be16(1), ...be16(2), 0, 0, 0, 0,
    ...dnsName(name), ...be16(1), ...be16(1),
    0xc0, 12, ...be16(16), ...be16(1), 0, 0, 0, 60, ...be16(txt.length), ...txt,
    0xc0, 12, ...be16(1), ...be16(1), 0, 0, 0, 60, ...be16(4), 192, 0, 2, 77,
  ];
}
const dnsQuery = (name: string) => [...be16(0x1234), ...be16(0x0100), ...be16(1), 0, 0, 0, 0, 0, 0, ...dnsName(name), ...be16(1), ...be16(1)];

interface Sent {
  frame: number[];
  t: number;
}

function replay(frames: Sent[], opts: Partial<PipelineOptions> = {}): { records: FlowRecord[]; pipeline: FlowPipeline } {
  const records: FlowRecord[] = [];
  const pipeline = new FlowPipeline({ catalogue: null, ...opts }, { ended: (flow) => records.push(pipeline.record(flow)) });
  for (const { frame, t } of frames) {
    const ethType = frame[0]! >> 4 === 6 ? 0x86dd : 0x0800;
    const f = bytes(eth(ethType, frame));
    pipeline.frame(1, f, t, f.length);
  }
  pipeline.flush();
  return { records, pipeline };
}

const wireOf = (frames: number[][]) => frames.reduce((n, f) => n + f.length + 14, 0);
const answers = (r: FlowRecord) => ((r['dns'] as { answers?: { address?: string }[] } | undefined)?.answers ?? []).map((a) => a.address);

test('a DNS response cut into IPv4 fragments is read whole; the flow counts every fragment frame', () => {
  const query = ipv4('10.0.0.2', '10.0.0.53', { proto: 17 }, udp(40000, 53, dnsQuery('example.com')));
  const frags = ipv4Fragments('10.0.0.53', '10.0.0.2', 17, 0x77, udp(53, 40000, dnsResponse('example.com', 1700)), 1480);
  assert.is(frags.length, 2);
  const { records, pipeline } = replay([{ frame: query, t: 0 }, ...frags.map((frame, i) => ({ frame, t: 10 + i }))]);
  assert.is(records.length, 1);
  const r = records[0]!;
  assert.equal([r.detected_protocol_name, r.host_server_name], ['DNS', 'example.com']);
  assert.ok(answers(r).includes('192.0.2.77'), `answers ${JSON.stringify(answers(r))}`);
  assert.equal([r.local_packets, r.other_packets, r.other_bytes], [1, 2, wireOf(frags)]);
  assert.equal([pipeline.counters.packets, pipeline.reassembly!.counters.reassembled], [3, 1]);
});

test('the same over IPv6 fragments (RFC 8200 §4.5)', () => {
  const query = ipv6('2001:db8::2', '2001:db8::53', 17, udp(40000, 53, dnsQuery('example.com')));
  const frags = ipv6Fragments('2001:db8::53', '2001:db8::2', 17, 0x77, udp(53, 40000, dnsResponse('example.com', 1700)), 1232);
  const { records } = replay([{ frame: query, t: 0 }, ...frags.map((frame, i) => ({ frame, t: 10 + i }))]);
  assert.is(records.length, 1);
  assert.ok(answers(records[0]!).includes('192.0.2.77'));
  assert.equal([records[0]!.other_packets, records[0]!.other_bytes], [2, wireOf(frags)]);
});

test('an HTTP request whose Host header is in its second fragment gives its host name', () => {
  const c = (flags: number, payload: number[] = [], seq = 1) => tcp(40000, 80, flags, payload, seq);
  const s = (flags: number) => tcp(80, 40000, flags, [], 5000);
  const request = ascii(`GET / HTTP/1.1\r\nCookie: ${'a'.repeat(1600)}\r\nHost: www.example.org\r\n\r\n`);
  const frags = ipv4Fragments('10.0.0.2', '10.0.0.80', 6, 0x99, c(0x18, request, 2), 1480);
  const { records } = replay([
    { frame: ipv4('10.0.0.2', '10.0.0.80', { proto: 6 }, c(0x02)), t: 0 },
    { frame: ipv4('10.0.0.80', '10.0.0.2', { proto: 6 }, s(0x12)), t: 1 },
    { frame: ipv4('10.0.0.2', '10.0.0.80', { proto: 6 }, c(0x10, [], 2)), t: 2 },
    ...frags.map((frame, i) => ({ frame, t: 3 + i })),
  ]);
  assert.is(records.length, 1);
  assert.equal([records[0]!.detected_protocol_name, records[0]!.host_server_name, records[0]!.local_packets], ['HTTP', 'www.example.org', 4]);
});

test('fragments that come before their first one are counted in its flow', () => {
  const query = ipv4('10.0.0.2', '10.0.0.53', { proto: 17 }, udp(40000, 53, dnsQuery('example.com')));
  const frags = ipv4Fragments('10.0.0.53', '10.0.0.2', 17, 0x78, udp(53, 40000, dnsResponse('example.com', 3000)), 1480);
  assert.is(frags.length, 3);
  const { records, pipeline } = replay([{ frame: query, t: 0 }, { frame: frags[2]!, t: 1 }, { frame: frags[1]!, t: 2 }, { frame: frags[0]!, t: 3 }]);
  assert.equal([records[0]!.other_packets, records[0]!.other_bytes], [3, wireOf(frags)]);
  assert.ok(answers(records[0]!).includes('192.0.2.77'));
  assert.is(pipeline.table.counters.fragmentsUnattributed, 0);
});

test('a tunnel in a fragmented carrier is opened on the whole datagram: the inner flow counts its frames', () => {
  const inner = ipv6('2001:db8::2', '2001:db8::53', 17, udp(40000, 53, dnsQuery('x'.repeat(60) + '.example.com').concat(Array(1500).fill(0))));
  const sixIn4 = ipv4Fragments('192.0.2.1', '198.51.100.1', 41, 5, inner, 1480);
  const gtpInner = ipv4('172.16.0.5', '8.8.8.8', { proto: 17 }, udp(3333, 53, dnsQuery('example.com').concat(Array(1500).fill(0))));
  const gtp = udp(2152, 2152, [0x30, 0xff, ...be16(gtpInner.length), 0, 0, 0, 1, ...gtpInner]);
  const gtpFrags = ipv4Fragments('10.1.1.1', '10.2.2.2', 17, 6, gtp, 1480);
  const { records, pipeline } = replay([...sixIn4, ...gtpFrags].map((frame, t) => ({ frame, t })));
  const byIp = new Map(records.map((r) => [r.local_ip, r]));
  assert.equal([...byIp.keys()].sort(), ['172.16.0.5', '2001:db8::2']);
  assert.equal([byIp.get('2001:db8::2')!.local_packets, byIp.get('2001:db8::2')!.local_bytes, byIp.get('2001:db8::2')!.other_port], [2, wireOf(sixIn4), 53]);
  assert.equal([byIp.get('172.16.0.5')!.local_packets, byIp.get('172.16.0.5')!.local_bytes], [2, wireOf(gtpFrags)]);
  assert.is(pipeline.table.counters.fragmentsUnattributed, 0);
});

test('a datagram that never completes still counts, and is classified from its first fragment, when given up', () => {
  const query = ipv4('10.0.0.2', '10.0.0.53', { proto: 17 }, udp(40000, 53, dnsQuery('example.com')));
  const frags = ipv4Fragments('10.0.0.53', '10.0.0.2', 17, 0x79, udp(53, 40000, dnsResponse('example.com', 3000)), 1480);
  const orphan = ipv4Fragments('10.0.0.9', '10.0.0.2', 17, 0x7a, udp(53, 40001, dnsResponse('example.com', 3000)), 1480)[2]!;
  const { records, pipeline } = replay([
    { frame: query, t: 0 },
    { frame: frags[0]!, t: 1 },
    { frame: frags[2]!, t: 2 },
    { frame: orphan, t: 20_000 },
    // Past the 30 s timeout: the datagram is given up before this packet is looked at.
    { frame: ipv4('10.0.0.2', '10.0.0.53', { proto: 17 }, udp(40002, 53, dnsQuery('example.org'))), t: 40_000 },
  ]);
  const r = records.find((x) => x.local_port === 40000)!;
  assert.equal([r.local_packets, r.other_packets, r.other_bytes], [1, 2, wireOf([frags[0]!, frags[2]!])]);
  assert.is(r.detected_protocol_name, 'DNS');
  assert.equal([pipeline.reassembly!.counters.timedOut, pipeline.reassembly!.counters.flushed], [1, 1]);
  assert.is(pipeline.table.counters.fragmentsUnattributed, 1, 'a fragment whose first one never came has no flow');
});

test('with reassembly off, later fragments are attributed to the first one\'s flow as before', () => {
  const query = ipv4('10.0.0.2', '10.0.0.53', { proto: 17 }, udp(40000, 53, dnsQuery('example.com')));
  const frags = ipv4Fragments('10.0.0.53', '10.0.0.2', 17, 0x7b, udp(53, 40000, dnsResponse('example.com', 1700)), 1480);
  const { records, pipeline } = replay([{ frame: query, t: 0 }, ...frags.map((frame, i) => ({ frame, t: 1 + i }))], { reassembly: false });
  assert.is(pipeline.reassembly, null);
  assert.equal([records[0]!.other_packets, records[0]!.other_bytes], [2, wireOf(frags)]);
  assert.is(pipeline.table.counters.fragmentsAttributed, 1);
});

test.run();
