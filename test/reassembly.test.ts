/** Fragment reassembly (RFC 791 §3.2, RFC 815, RFC 8200 §4.5): what comes back, when, and within which bounds. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeFailed, decodePacket } from '../src/decode/decode.js';
import type { DecodedPacket, ReassembledDatagram } from '../src/decode/packet.js';
import { Reassembler, type ReassemblyOptions } from '../src/flow/reassembly.js';
import { bytes, eth, ipv4, ipv4Fragments, ipv6Fragments, udp } from './helpers/frames.js';

function decoded(frame: number[], t = 0, vlans: number[] = []): DecodedPacket {
  const isV6 = frame[0]! >> 4 === 6;
  const r = decodePacket(1, bytes(eth(isV6 ? 0x86dd : 0x0800, frame, vlans)), t, frame.length + 14);
  if (decodeFailed(r)) throw new Error(r.reason);
  return r;
}

function reassembler(opts: Partial<ReassemblyOptions> = {}) {
  const givenUp: ReassembledDatagram[] = [];
  return { r: new Reassembler((dg) => givenUp.push(dg), opts), givenUp };
}

const payload = (n: number, seed = 0) => Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
const body = udp(53, 40000, payload(3000));
const frags = ipv4Fragments('10.0.0.1', '10.0.0.2', 17, 0x4242, body, 1480);

test('in order: the last fragment gives back the whole datagram, counting every frame', () => {
  const { r } = reassembler();
  assert.is(r.add(decoded(frags[0]!, 1)), null);
  assert.is(r.add(decoded(frags[1]!, 2)), null);
  const dg = r.add(decoded(frags[2]!, 3))!;
  assert.ok(dg);
  assert.equal(Array.from(dg.data), body);
  assert.equal([dg.complete, dg.frames, dg.wireLength, dg.timestamp, dg.protocol, dg.ipVersion, dg.srcIp], [true, 3, 3 * 14 + 3 * 20 + body.length, 3, 17, 4, '10.0.0.1']);
  assert.is(r.size, 0);
  assert.is(r.bufferedBytes, 0);
  assert.is(r.counters.reassembled, 1);
});

test('out of order: the first fragment may come last', () => {
  const { r } = reassembler();
  assert.is(r.add(decoded(frags[2]!)), null);
  assert.is(r.add(decoded(frags[1]!)), null);
  assert.equal(Array.from(r.add(decoded(frags[0]!))!.data), body);
});

test('overlaps: the bytes held first win, a second length from a last fragment is ignored', () => {
  const { r } = reassembler();
  const b = udp(1, 2, payload(40));
  const one = ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 9, more: true }, b.slice(0, 24));
  // Covers bytes 16..40 with other data: 16..24 are held already and stay.
  const clash = ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 9, fragOffset: 16, more: true }, payload(24, 100));
  const last = ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 9, fragOffset: 40 }, b.slice(40));
  const wrongEnd = ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 9, fragOffset: 32 }, [0, 0, 0, 0]);
  r.add(decoded(one));
  r.add(decoded(clash));
  assert.is(r.add(decoded(wrongEnd)), null, 'a last fragment ending before held bytes does not end the datagram');
  const dg = r.add(decoded(last))!;
  assert.equal(Array.from(dg.data), [...b.slice(0, 24), ...payload(24, 100).slice(8), ...b.slice(40)]);
  assert.is(r.counters.overlaps, 2);
  // An exact duplicate after completion starts a new datagram: it cannot complete the old one twice.
  assert.is(r.add(decoded(last)), null);
});

test('IPv6: fragments join by addresses and identification, the Next Header comes from the first', () => {
  const v6body = udp(53, 5353, payload(200));
  const f = ipv6Fragments('2001:db8::1', '2001:db8::2', 17, 77, v6body, 96);
  const { r } = reassembler();
  r.add(decoded(f[1]!));
  r.add(decoded(f[0]!));
  const dg = r.add(decoded(f[2]!))!;
  assert.equal([dg.ipVersion, dg.protocol, dg.frames], [6, 17, 3]);
  assert.equal(Array.from(dg.data), v6body);
});

test('VLANs and identifications keep datagrams apart', () => {
  const { r } = reassembler();
  r.add(decoded(frags[0]!, 0, [10]));
  r.add(decoded(frags[1]!, 0, [10]));
  assert.is(r.add(decoded(frags[2]!, 0, [20])), null);
  assert.is(r.size, 2);
  assert.ok(r.add(decoded(frags[2]!, 0, [10])));
});

test('a datagram incomplete after the timeout is given up, with the bytes it holds from its start', () => {
  const { r, givenUp } = reassembler({ timeoutMs: 30_000 });
  r.add(decoded(frags[0]!, 1_000));
  r.add(decoded(frags[2]!, 2_000));
  const orphan = ipv4Fragments('10.0.0.9', '10.0.0.2', 17, 5, body, 1480);
  r.add(decoded(orphan[1]!, 5_000));
  assert.is(r.deadline, 31_000);
  r.expire(30_999);
  assert.is(givenUp.length, 0);
  r.expire(31_000);
  assert.is(givenUp.length, 1);
  assert.equal([givenUp[0]!.complete, givenUp[0]!.frames, givenUp[0]!.data.length], [false, 2, 1480]);
  assert.equal(Array.from(givenUp[0]!.data), body.slice(0, 1480));
  assert.is(r.deadline, 35_000);
  r.flush();
  assert.equal([givenUp[1]!.frames, givenUp[1]!.data.length], [1, 0], 'without its first fragment it holds nothing to decode');
  assert.equal([r.counters.timedOut, r.counters.flushed, r.size, r.bufferedBytes], [1, 1, 0, 0]);
});

test('bounds: datagrams in progress, bytes held, and the largest datagram', () => {
  const many = reassembler({ maxDatagrams: 2 });
  for (let id = 1; id <= 3; id++) many.r.add(decoded(ipv4Fragments('10.0.0.1', '10.0.0.2', 17, id, body, 1480)[0]!));
  assert.equal([many.r.size, many.givenUp.length, many.r.counters.evicted], [2, 1, 1]);

  const small = reassembler({ maxBufferedBytes: 3000 });
  small.r.add(decoded(ipv4Fragments('10.0.0.1', '10.0.0.2', 17, 1, body, 1480)[0]!));
  small.r.add(decoded(ipv4Fragments('10.0.0.1', '10.0.0.2', 17, 2, body, 1480)[0]!));
  assert.ok(small.r.bufferedBytes <= 3000);
  assert.equal(small.givenUp.map((d) => d.data.length), [1480], 'the oldest made room');

  const big = reassembler();
  const beyond = ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 4, fragOffset: 65528, more: false }, payload(16));
  const start = ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 4, more: true }, udp(1, 2, payload(8)));
  big.r.add(decoded(start));
  assert.is(big.r.add(decoded(beyond)), null);
  assert.is(big.r.counters.oversized, 1);
  assert.ok(big.r.bufferedBytes < 65536);
  big.r.flush();
  assert.equal([big.givenUp[0]!.frames, big.givenUp[0]!.data.length], [2, 16]);
});

test('a fragment that is not the last carries a multiple of 8 bytes: the rest is cut off', () => {
  const { r } = reassembler();
  const b = udp(1, 2, payload(24));
  r.add(decoded(ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 6, more: true }, b.slice(0, 20)))); // 16 usable
  assert.is(r.add(decoded(ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 6, fragOffset: 24 }, b.slice(24)))), null, 'bytes 16..24 are still a hole');
  assert.equal(Array.from(r.add(decoded(ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 6, fragOffset: 16, more: true }, b.slice(16, 24))))!.data), b);
});

test.run();
