/** The decoder, link layer by link layer: what a frame becomes, and what damage becomes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeDatagram, decodeFailed, decodePacket, type DecodeOutcome } from '../src/decode/decode.js';
import type { DecodedPacket, ReassembledDatagram } from '../src/decode/packet.js';
import {
  be16,
  bytes,
  eth,
  fragmentHeader,
  ipv4,
  ipv4Fragments,
  ipv6,
  ipv6Fragments,
  pppoeSession,
  pppProtocol,
  tcp,
  udp,
} from './helpers/frames.js';

function ok(r: DecodeOutcome): DecodedPacket {
  if (decodeFailed(r)) throw new Error(`expected a packet, got ${r.skip}: ${r.reason}`);
  return r;
}

/** A fragment's place in its datagram, without its bytes. */
function where(p: DecodedPacket) {
  const f = p.fragment;
  return f && { id: f.id, offset: f.offset, more: f.more, protocol: f.protocol };
}

const HELLO = [...'hello'].map((c) => c.charCodeAt(0));
const v4udp = ipv4('10.0.0.1', '10.0.0.2', { proto: 17 }, udp(5000, 53, HELLO));
const v6tcp = ipv6('2001:db8::1', 'fe80::4e6a:f6ff:fe9f:f627', 6, tcp(40000, 443, 0x18, HELLO, 7));

test('Ethernet IPv4 UDP: addresses, ports, payload, MACs', () => {
  const p = ok(decodePacket(1, bytes(eth(0x0800, v4udp)), 1000, 60));
  assert.equal([p.ipVersion, p.srcIp, p.dstIp, p.ipProtocol, p.srcPort, p.dstPort], [4, '10.0.0.1', '10.0.0.2', 17, 5000, 53]);
  assert.equal(Array.from(p.payload), HELLO);
  assert.is(p.srcMac, '02:00:00:00:00:02');
  assert.is(p.dstMac, '02:00:00:00:00:01');
  assert.is(p.vlanId, 0);
  assert.is(p.wireLength, 60);
});

test('Ethernet IPv6 TCP: RFC 5952 addresses, flags and sequence number', () => {
  const p = ok(decodePacket(1, bytes(eth(0x86dd, v6tcp)), 0, 0));
  assert.equal([p.ipVersion, p.srcIp, p.dstIp, p.srcPort, p.dstPort], [6, '2001:db8::1', 'fe80::4e6a:f6ff:fe9f:f627', 40000, 443]);
  assert.is(p.tcpFlags, 0x18);
  assert.is(p.tcpSeq, 7);
  assert.equal(Array.from(p.payload), HELLO);
});

test('802.1Q and QinQ: the innermost VLAN id keys the flow', () => {
  assert.is(ok(decodePacket(1, bytes(eth(0x0800, v4udp, [42])), 0, 0)).vlanId, 42);
  const q = ok(decodePacket(1, bytes(eth(0x0800, v4udp, [100, 7])), 0, 0));
  assert.is(q.vlanId, 7);
  assert.is(q.dstPort, 53);
});

test('PPPoE session frames carry IPv4 and IPv6; discovery frames are not IP', () => {
  const pppoe = (proto: number, body: number[]) => [0x11, 0, 0, 1, ...be16(body.length + 2), ...be16(proto), ...body];
  assert.is(ok(decodePacket(1, bytes(eth(0x8864, pppoe(0x0021, v4udp))), 0, 0)).srcIp, '10.0.0.1');
  assert.is(ok(decodePacket(1, bytes(eth(0x8864, pppoe(0x0057, v6tcp))), 0, 0)).srcIp, '2001:db8::1');
  const lcp = decodePacket(1, bytes(eth(0x8864, pppoe(0xc021, [1, 2, 3, 4]))), 0, 0);
  assert.ok(decodeFailed(lcp) && lcp.skip === 'non-ip');
  const arp = decodePacket(1, bytes(eth(0x0806, Array(28).fill(0))), 0, 0);
  assert.ok(decodeFailed(arp) && arp.skip === 'non-ip');
});

test('MPLS label stacks are popped down to the IP packet', () => {
  const labels = [0, 0x10, 0x00, 64, 0, 0x20, 0x01, 64]; // two labels, the second bottom-of-stack
  assert.is(ok(decodePacket(1, bytes(eth(0x8847, [...labels, ...v4udp])), 0, 0)).dstIp, '10.0.0.2');
});

test('Linux cooked capture v1 (SLL) and v2 (SLL2)', () => {
  const sll = [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 9, 0, 0, ...be16(0x86dd)];
  const p = ok(decodePacket(113, bytes(sll, v6tcp), 0, 0));
  assert.is(p.srcIp, '2001:db8::1');
  assert.is(p.srcMac, '02:00:00:00:00:09');
  const sll2 = [...be16(0x0800), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 8, 0, 0];
  const q = ok(decodePacket(276, bytes(sll2, v4udp), 0, 0));
  assert.is(q.dstPort, 53);
  assert.is(q.srcMac, '02:00:00:00:00:08');
});

test('raw IP (101, 228, 229) and BSD/OpenBSD loopback headers', () => {
  assert.is(ok(decodePacket(101, bytes(v4udp), 0, 0)).srcIp, '10.0.0.1');
  assert.is(ok(decodePacket(101, bytes(v6tcp), 0, 0)).srcIp, '2001:db8::1');
  assert.is(ok(decodePacket(228, bytes(v4udp), 0, 0)).srcIp, '10.0.0.1');
  assert.is(ok(decodePacket(229, bytes(v6tcp), 0, 0)).srcIp, '2001:db8::1');
  assert.is(ok(decodePacket(0, bytes([2, 0, 0, 0], v4udp), 0, 0)).srcIp, '10.0.0.1'); // little-endian AF_INET
  assert.is(ok(decodePacket(0, bytes([30, 0, 0, 0], v6tcp), 0, 0)).srcIp, '2001:db8::1'); // macOS AF_INET6
  assert.is(ok(decodePacket(108, bytes([0, 0, 0, 2], v4udp), 0, 0)).srcIp, '10.0.0.1');
  assert.is(ok(decodePacket(108, bytes([0, 0, 0, 24], v6tcp), 0, 0)).srcIp, '2001:db8::1');
  const unknown = decodePacket(147, bytes(v4udp), 0, 0);
  assert.ok(decodeFailed(unknown) && unknown.skip === 'unsupported-link');
});

test('IPv4 options are skipped; Ethernet padding beyond total length is not payload', () => {
  const withOpts = ipv4('10.0.0.1', '10.0.0.2', { proto: 17, options: [0x94, 4, 0, 0] }, udp(1, 2, HELLO));
  const p = ok(decodePacket(1, bytes(eth(0x0800, [...withOpts, 0, 0, 0, 0, 0, 0])), 0, 0));
  assert.is(p.dstPort, 2);
  assert.equal(Array.from(p.payload), HELLO);
});

test('IPv4 fragments: the first keeps its ports, later ones are marked for attribution', () => {
  const body = udp(5000, 53, Array(16).fill(0x61));
  const first = ok(decodePacket(101, bytes(ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 77, more: true }, body)), 0, 0));
  assert.equal([first.srcPort, first.dstPort, first.laterFragment], [5000, 53, false]);
  assert.equal(where(first), { id: 77, offset: 0, more: true, protocol: 17 });
  assert.equal(Array.from(first.fragment!.data), body, 'the first fragment holds the datagram from its start');
  const later = ok(decodePacket(101, bytes(ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 77, fragOffset: 24 }, [1, 2, 3])), 0, 0));
  assert.equal([later.srcPort, later.dstPort, later.laterFragment], [0, 0, true]);
  assert.equal(where(later), { id: 77, offset: 24, more: false, protocol: 17 });
  assert.equal(Array.from(later.fragment!.data), [1, 2, 3]);
});

test('IPv6 extension headers (hop-by-hop, routing, destination options, fragment) are walked', () => {
  const hop = { type: 0, data: [0, 1, 4, 0, 0, 0, 0] }; // 8 bytes with next-header
  const dst = { type: 60, data: [0, 1, 4, 0, 0, 0, 0] };
  const frag = { type: 44, data: [0, 0, 1, 0, 0, 0, 9] }; // offset 0, M=1, id 9
  const p = ok(decodePacket(101, bytes(ipv6('::1', '::2', 17, udp(546, 547, HELLO), [hop, dst, frag])), 0, 0));
  assert.equal([p.ipProtocol, p.srcPort, p.dstPort], [17, 546, 547]);
  assert.equal(where(p), { id: 9, offset: 0, more: true, protocol: 17 });
  const later = ok(decodePacket(101, bytes(ipv6('::1', '::2', 17, [1, 2, 3, 4], [{ type: 44, data: [0, 0, 16, 0, 0, 0, 9] }])), 0, 0));
  assert.ok(later.laterFragment);
});

test('ICMP and ICMPv6 flows have no ports', () => {
  const icmp = ok(decodePacket(101, bytes(ipv4('192.168.2.1', '192.168.2.17', { proto: 1 }, [8, 0, 0, 0, 0, 1, 0, 1])), 0, 0));
  assert.equal([icmp.ipProtocol, icmp.srcPort, icmp.dstPort], [1, 0, 0]);
  const icmp6 = ok(decodePacket(101, bytes(ipv6('::', 'ff02::16', 58, [143, 0, 0, 0])), 0, 0));
  assert.equal([icmp6.ipProtocol, icmp6.dstIp], [58, 'ff02::16']);
});

test('GTP-U tunnels: the inner packet is the flow', () => {
  const inner = ipv4('172.16.0.5', '8.8.8.8', { proto: 17 }, udp(3333, 53, HELLO));
  const gtp = [0x30, 0xff, ...be16(inner.length), 0, 0, 0, 1, ...inner];
  const outer = ipv4('10.1.1.1', '10.2.2.2', { proto: 17 }, udp(2152, 2152, gtp));
  const p = ok(decodePacket(101, bytes(outer), 0, 0));
  assert.equal([p.srcIp, p.dstIp, p.dstPort], ['172.16.0.5', '8.8.8.8', 53]);
});

test('every prefix of a valid frame decodes or is reported malformed, never throws', () => {
  const frames: [number, Uint8Array][] = [
    [1, bytes(eth(0x0800, v4udp, [5, 6]))],
    [1, bytes(eth(0x86dd, v6tcp))],
    [113, bytes([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 9, 0, 0, ...be16(0x86dd)], v6tcp)],
    [276, bytes([...be16(0x0800), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 8, 0, 0], v4udp)],
    [0, bytes([2, 0, 0, 0], v4udp)],
    [1, bytes(eth(0x8864, pppoeSession(pppProtocol(0x21, true), v4udp)))],
    [9, bytes([0xff, 0x03, 0x00, 0x57], v6tcp)],
    [50, bytes([0x0f, 0x00, ...be16(0x0800)], v4udp)],
    [51, bytes(pppoeSession(pppProtocol(0x0021), v4udp))],
    [101, bytes(ipv4('192.0.2.1', '198.51.100.1', { proto: 41 }, v6tcp))],
    [101, bytes(ipv6('2001:db8::a', '2001:db8::b', 4, v4udp))],
  ];
  let malformed = 0;
  for (const [lt, f] of frames) {
    for (let n = 0; n < f.length; n++) {
      const r = decodePacket(lt, f.subarray(0, n), 0, n);
      if (decodeFailed(r) && r.skip === 'malformed') malformed++;
    }
  }
  assert.ok(malformed > 100);
});

test('nonsense header fields are malformed, with a reason', () => {
  const badIhl = [0x42, ...v4udp.slice(1)];
  const r = decodePacket(101, bytes(badIhl), 0, 0);
  assert.ok(decodeFailed(r) && r.skip === 'malformed' && /header length/.test(r.reason));
  const badTcp = ipv4('1.1.1.1', '2.2.2.2', { proto: 6 }, [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0]);
  const t = decodePacket(101, bytes(badTcp), 0, 0);
  assert.ok(decodeFailed(t) && /data offset/.test(t.reason));
});

test('PPPoE with Protocol-Field-Compression: one-octet 0x21 and 0x57 are IPv4 and IPv6 (RFC 1661 §6.5)', () => {
  const v4 = ok(decodePacket(1, bytes(eth(0x8864, pppoeSession(pppProtocol(0x21, true), v4udp))), 0, 0));
  assert.equal([v4.srcIp, v4.dstPort, Array.from(v4.payload)], ['10.0.0.1', 53, HELLO]);
  const v6 = ok(decodePacket(1, bytes(eth(0x8864, pppoeSession(pppProtocol(0x57, true), v6tcp))), 0, 0));
  assert.equal([v6.srcIp, v6.dstPort], ['2001:db8::1', 443]);
  // A two-octet field starts with an even octet, so LCP (0xc021) can never look compressed.
  const lcp = decodePacket(1, bytes(eth(0x8864, pppoeSession(pppProtocol(0xc021), [1, 1, 0, 4]))), 0, 0);
  assert.ok(decodeFailed(lcp) && lcp.skip === 'non-ip' && /0xc021/.test(lcp.reason));
  const cut = decodePacket(1, bytes(eth(0x8864, pppoeSession([], []))), 0, 0);
  assert.ok(decodeFailed(cut) && cut.skip === 'malformed');
});

test('LINKTYPE_PPP (9): with or without the 0xff 0x03 address/control bytes, either Protocol field size', () => {
  const ff03 = [0xff, 0x03];
  for (const [head, body, src] of [
    [[...ff03, ...pppProtocol(0x0021)], v4udp, '10.0.0.1'],
    [[...ff03, ...pppProtocol(0x21, true)], v4udp, '10.0.0.1'],
    [pppProtocol(0x0057), v6tcp, '2001:db8::1'], // Address-and-Control-Field-Compression (RFC 1661 §6.6)
    [pppProtocol(0x57, true), v6tcp, '2001:db8::1'], // ACFC and PFC
  ] as [number[], number[], string][]) {
    assert.is(ok(decodePacket(9, bytes(head, body), 0, 0)).srcIp, src, head.join(','));
  }
  const lcp = decodePacket(9, bytes([0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4]), 0, 0);
  assert.ok(decodeFailed(lcp) && lcp.skip === 'non-ip');
});

test('LINKTYPE_PPP_HDLC (50) holds PPP or Cisco HDLC; LINKTYPE_C_HDLC (104) is Cisco HDLC', () => {
  assert.is(ok(decodePacket(50, bytes([0xff, 0x03, 0x00, 0x21], v4udp), 0, 0)).dstIp, '10.0.0.2');
  assert.is(ok(decodePacket(50, bytes([0x0f, 0x00, ...be16(0x86dd)], v6tcp), 0, 0)).srcIp, '2001:db8::1');
  assert.is(ok(decodePacket(50, bytes([0x8f, 0x00, ...be16(0x0800)], v4udp), 0, 0)).srcIp, '10.0.0.1');
  assert.is(ok(decodePacket(104, bytes([0x0f, 0x00, ...be16(0x0800)], v4udp), 0, 0)).dstPort, 53);
  const slarp = decodePacket(104, bytes([0x8f, 0x00, ...be16(0x8035), 0, 0, 0, 1]), 0, 0);
  assert.ok(decodeFailed(slarp) && slarp.skip === 'non-ip');
});

test('LINKTYPE_PPP_ETHER (51): a PPPoE header without Ethernet; discovery stages are not IP', () => {
  assert.is(ok(decodePacket(51, bytes(pppoeSession(pppProtocol(0x0021), v4udp)), 0, 0)).srcIp, '10.0.0.1');
  assert.is(ok(decodePacket(51, bytes(pppoeSession(pppProtocol(0x57, true), v6tcp)), 0, 0)).srcIp, '2001:db8::1');
  const padi = decodePacket(51, bytes(pppoeSession([], [0x01, 0x01, 0, 0], 0x09, 0)), 0, 0);
  assert.ok(decodeFailed(padi) && padi.skip === 'non-ip' && /discovery/.test(padi.reason));
});

test('IP in IP: 6in4, IPv4 in IPv6, IPv4 in IPv4 and IPv6 in IPv6 are opened, the inner packet is the flow', () => {
  const sixIn4 = ok(decodePacket(1, bytes(eth(0x0800, ipv4('192.0.2.1', '198.51.100.1', { proto: 41 }, v6tcp))), 0, 90));
  assert.equal([sixIn4.ipVersion, sixIn4.srcIp, sixIn4.ipProtocol, sixIn4.dstPort, sixIn4.wireLength], [6, '2001:db8::1', 6, 443, 90]);
  assert.equal(Array.from(sixIn4.payload), HELLO);
  const fourIn6 = ok(decodePacket(1, bytes(eth(0x86dd, ipv6('2001:db8::a', '2001:db8::b', 4, v4udp))), 0, 0));
  assert.equal([fourIn6.ipVersion, fourIn6.srcIp, fourIn6.dstIp, fourIn6.dstPort], [4, '10.0.0.1', '10.0.0.2', 53]);
  const fourIn4 = ok(decodePacket(101, bytes(ipv4('192.0.2.1', '198.51.100.1', { proto: 4 }, v4udp)), 0, 0));
  assert.equal([fourIn4.srcIp, fourIn4.srcPort], ['10.0.0.1', 5000]);
  const sixIn6 = ok(decodePacket(101, bytes(ipv6('2001:db8::a', '2001:db8::b', 41, v6tcp)), 0, 0));
  assert.equal([sixIn6.srcIp, sixIn6.srcPort], ['2001:db8::1', 40000]);
  // Behind extension headers too, and with Ethernet padding after the outer packet.
  const hop = { type: 0, data: [0, 1, 4, 0, 0, 0, 0] };
  const padded = ok(decodePacket(1, bytes(eth(0x86dd, [...ipv6('2001:db8::a', '2001:db8::b', 4, v4udp, [hop]), 0, 0, 0, 0])), 0, 0));
  assert.equal(Array.from(padded.payload), HELLO);
});

test('IP in IP nests at most two deep, and a carrier whose inner packet does not decode stays the flow', () => {
  const wrap = (inner: number[], n: number) => (n === 0 ? inner : ipv4(`192.0.2.${n}`, `198.51.100.${n}`, { proto: 4 }, inner));
  const three = [3, 2, 1].reduce((inner, n) => wrap(inner, n), v4udp);
  const p = ok(decodePacket(101, bytes(three), 0, 0));
  assert.equal([p.srcIp, p.ipProtocol, p.srcPort], ['192.0.2.3', 4, 0], 'the third tunnel is left closed');
  const two = ok(decodePacket(101, bytes(wrap(wrap(v4udp, 2), 1)), 0, 0));
  assert.equal([two.srcIp, two.dstPort], ['10.0.0.1', 53]);
  const junk = ok(decodePacket(101, bytes(ipv4('192.0.2.1', '198.51.100.1', { proto: 41 }, [0x45, 0, 0, 0])), 0, 0));
  assert.equal([junk.srcIp, junk.ipProtocol, junk.payload.length], ['192.0.2.1', 41, 4]);
});

test('IPv4 total length 0 (captured before TSO/GSO filled it in) runs to the end of the frame; other short lengths are damage', () => {
  const body = tcp(40000, 80, 0x18, Array(3000).fill(0x41));
  const p = ok(decodePacket(1, bytes(eth(0x0800, ipv4('10.0.0.1', '10.0.0.2', { proto: 6, totalOverride: 0 }, body))), 0, 0));
  assert.equal([p.srcPort, p.dstPort, p.payload.length], [40000, 80, 3000]);
  const inner = ok(decodePacket(101, bytes(ipv4('192.0.2.1', '198.51.100.1', { proto: 4 }, ipv4('10.0.0.1', '10.0.0.2', { proto: 17, totalOverride: 0 }, udp(1, 2, HELLO)))), 0, 0));
  assert.equal(Array.from(inner.payload), HELLO, 'inside a tunnel it runs to the end of the carrier');
  const short = decodePacket(101, bytes(ipv4('10.0.0.1', '10.0.0.2', { proto: 17, totalOverride: 12 }, udp(1, 2, HELLO))), 0, 0);
  assert.ok(decodeFailed(short) && short.skip === 'malformed' && /total length 12/.test(short.reason));
});

test('a later IPv6 fragment is not read as headers, whatever its Next Header says', () => {
  const later = ok(decodePacket(101, bytes(ipv6('::1', '::2', 60, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [fragmentHeader(64, false, 5)])), 0, 0));
  assert.ok(later.laterFragment);
  assert.equal(where(later), { id: 5, offset: 64, more: false, protocol: 60 });
  assert.equal(Array.from(later.fragment!.data), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});

test('a first fragment too short for its transport header is a fragment without one, not damage (RFC 1858)', () => {
  const [tiny] = ipv4Fragments('10.0.0.1', '10.0.0.2', 6, 3, tcp(40000, 80, 0x18, HELLO), 8);
  const p = ok(decodePacket(101, bytes(tiny!), 0, 0));
  assert.equal([p.laterFragment, p.srcPort, p.fragment!.offset, p.fragment!.more], [true, 0, 0, true]);
  assert.is(p.fragment!.data.length, 8);
});

test('a tunnel in a fragment is left closed until its datagram is whole', () => {
  const inner = ipv4('172.16.0.5', '8.8.8.8', { proto: 17 }, udp(3333, 53, HELLO));
  const gtp = [0x30, 0xff, ...be16(inner.length), 0, 0, 0, 1, ...inner];
  const [first] = ipv4Fragments('10.1.1.1', '10.2.2.2', 17, 8, udp(2152, 2152, gtp), 24);
  const p = ok(decodePacket(101, bytes(first!), 0, 0));
  assert.equal([p.srcIp, p.dstPort, p.fragment?.more], ['10.1.1.1', 2152, true]);
  const [first6in4] = ipv4Fragments('192.0.2.1', '198.51.100.1', 41, 9, v6tcp, 48);
  const q = ok(decodePacket(101, bytes(first6in4!), 0, 0));
  assert.equal([q.srcIp, q.ipProtocol, q.fragment?.protocol], ['192.0.2.1', 41, 41]);
});

function datagram(over: Partial<ReassembledDatagram> & Pick<ReassembledDatagram, 'ipVersion' | 'protocol' | 'data'>): ReassembledDatagram {
  return { srcIp: '10.0.0.1', dstIp: '10.0.0.2', vlanId: 3, srcMac: null, dstMac: null, tunnelDepth: 0, complete: true, frames: 2, wireLength: 1600, timestamp: 7, ...over };
}

test('decodeDatagram reads a reassembled datagram as one packet, extension headers and tunnels included', () => {
  const body = udp(5000, 53, Array(2000).fill(0x62));
  const p = ok(decodeDatagram(datagram({ ipVersion: 4, protocol: 17, data: new Uint8Array(body) })));
  assert.equal([p.srcPort, p.dstPort, p.payload.length, p.vlanId, p.wireLength, p.timestamp, p.fragment, p.laterFragment], [5000, 53, 2000, 3, 1600, 7, null, false]);
  const dst = [17, 0, 1, 4, 0, 0, 0, 0]; // destination options (in the fragmentable part), then UDP
  const v6 = ok(decodeDatagram(datagram({ ipVersion: 6, srcIp: '::1', dstIp: '::2', protocol: 60, data: new Uint8Array([...dst, ...udp(546, 547, HELLO)]) })));
  assert.equal([v6.ipProtocol, v6.srcPort, v6.dstPort, Array.from(v6.payload)], [17, 546, 547, HELLO]);
  const tunnelled = ok(decodeDatagram(datagram({ ipVersion: 4, protocol: 41, data: new Uint8Array(v6tcp) })));
  assert.equal([tunnelled.srcIp, tunnelled.dstPort], ['2001:db8::1', 443]);
  // The leading part of a datagram given up on: its UDP length reaches past the bytes held.
  const part = ok(decodeDatagram(datagram({ ipVersion: 4, protocol: 17, complete: false, data: new Uint8Array(body.slice(0, 1480)) })));
  assert.equal([part.dstPort, part.payload.length], [53, 1472]);
});

test('IPv6 fragments carry what follows the Fragment header, and the Next Header from it', () => {
  const frags = ipv6Fragments('2001:db8::1', '2001:db8::2', 17, 0x1234, udp(53, 5353, Array(100).fill(1)), 64);
  const first = ok(decodePacket(101, bytes(frags[0]!), 0, 0));
  assert.equal([first.srcPort, first.laterFragment], [53, false]);
  assert.equal(where(first), { id: 0x1234, offset: 0, more: true, protocol: 17 });
  assert.is(first.fragment!.data.length, 64);
  const last = ok(decodePacket(101, bytes(frags[1]!), 0, 0));
  assert.equal(where(last), { id: 0x1234, offset: 64, more: false, protocol: 17 });
  assert.is(last.fragment!.data.length, 44);
});

test.run();
