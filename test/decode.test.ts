/** The decoder, link layer by link layer: what a frame becomes, and what damage becomes. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeFrame } from '../src/decode/decode.js';
import type { DecodeResult, DecodedPacket } from '../src/decode/packet.js';
import { be16, bytes, eth, ipv4, ipv6, tcp, udp } from './helpers/frames.js';

function ok(r: DecodeResult): DecodedPacket {
  if (!r.ok) throw new Error(`expected a packet, got ${r.skip}: ${r.reason}`);
  return r.packet;
}

const HELLO = [...'hello'].map((c) => c.charCodeAt(0));
const v4udp = ipv4('10.0.0.1', '10.0.0.2', { proto: 17 }, udp(5000, 53, HELLO));
const v6tcp = ipv6('2001:db8::1', 'fe80::4e6a:f6ff:fe9f:f627', 6, tcp(40000, 443, 0x18, HELLO, 7));

test('Ethernet IPv4 UDP: addresses, ports, payload, MACs', () => {
  const p = ok(decodeFrame(1, bytes(eth(0x0800, v4udp)), 1000, 60));
  assert.equal([p.ipVersion, p.srcIp, p.dstIp, p.ipProtocol, p.srcPort, p.dstPort], [4, '10.0.0.1', '10.0.0.2', 17, 5000, 53]);
  assert.equal(Array.from(p.payload), HELLO);
  assert.is(p.srcMac, '02:00:00:00:00:02');
  assert.is(p.dstMac, '02:00:00:00:00:01');
  assert.is(p.vlanId, 0);
  assert.is(p.wireLength, 60);
});

test('Ethernet IPv6 TCP: RFC 5952 addresses, flags and sequence number', () => {
  const p = ok(decodeFrame(1, bytes(eth(0x86dd, v6tcp)), 0, 0));
  assert.equal([p.ipVersion, p.srcIp, p.dstIp, p.srcPort, p.dstPort], [6, '2001:db8::1', 'fe80::4e6a:f6ff:fe9f:f627', 40000, 443]);
  assert.is(p.tcpFlags, 0x18);
  assert.is(p.tcpSeq, 7);
  assert.equal(Array.from(p.payload), HELLO);
});

test('802.1Q and QinQ: the innermost VLAN id keys the flow', () => {
  assert.is(ok(decodeFrame(1, bytes(eth(0x0800, v4udp, [42])), 0, 0)).vlanId, 42);
  const q = ok(decodeFrame(1, bytes(eth(0x0800, v4udp, [100, 7])), 0, 0));
  assert.is(q.vlanId, 7);
  assert.is(q.dstPort, 53);
});

test('PPPoE session frames carry IPv4 and IPv6; discovery frames are not IP', () => {
  const pppoe = (proto: number, body: number[]) => [0x11, 0, 0, 1, ...be16(body.length + 2), ...be16(proto), ...body];
  assert.is(ok(decodeFrame(1, bytes(eth(0x8864, pppoe(0x0021, v4udp))), 0, 0)).srcIp, '10.0.0.1');
  assert.is(ok(decodeFrame(1, bytes(eth(0x8864, pppoe(0x0057, v6tcp))), 0, 0)).srcIp, '2001:db8::1');
  const lcp = decodeFrame(1, bytes(eth(0x8864, pppoe(0xc021, [1, 2, 3, 4]))), 0, 0);
  assert.ok(!lcp.ok && lcp.skip === 'non-ip');
  const arp = decodeFrame(1, bytes(eth(0x0806, Array(28).fill(0))), 0, 0);
  assert.ok(!arp.ok && arp.skip === 'non-ip');
});

test('MPLS label stacks are popped down to the IP packet', () => {
  const labels = [0, 0x10, 0x00, 64, 0, 0x20, 0x01, 64]; // two labels, the second bottom-of-stack
  assert.is(ok(decodeFrame(1, bytes(eth(0x8847, [...labels, ...v4udp])), 0, 0)).dstIp, '10.0.0.2');
});

test('Linux cooked capture v1 (SLL) and v2 (SLL2)', () => {
  const sll = [0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 9, 0, 0, ...be16(0x86dd)];
  const p = ok(decodeFrame(113, bytes(sll, v6tcp), 0, 0));
  assert.is(p.srcIp, '2001:db8::1');
  assert.is(p.srcMac, '02:00:00:00:00:09');
  const sll2 = [...be16(0x0800), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 8, 0, 0];
  const q = ok(decodeFrame(276, bytes(sll2, v4udp), 0, 0));
  assert.is(q.dstPort, 53);
  assert.is(q.srcMac, '02:00:00:00:00:08');
});

test('raw IP (101, 228, 229) and BSD/OpenBSD loopback headers', () => {
  assert.is(ok(decodeFrame(101, bytes(v4udp), 0, 0)).srcIp, '10.0.0.1');
  assert.is(ok(decodeFrame(101, bytes(v6tcp), 0, 0)).srcIp, '2001:db8::1');
  assert.is(ok(decodeFrame(228, bytes(v4udp), 0, 0)).srcIp, '10.0.0.1');
  assert.is(ok(decodeFrame(229, bytes(v6tcp), 0, 0)).srcIp, '2001:db8::1');
  assert.is(ok(decodeFrame(0, bytes([2, 0, 0, 0], v4udp), 0, 0)).srcIp, '10.0.0.1'); // little-endian AF_INET
  assert.is(ok(decodeFrame(0, bytes([30, 0, 0, 0], v6tcp), 0, 0)).srcIp, '2001:db8::1'); // macOS AF_INET6
  assert.is(ok(decodeFrame(108, bytes([0, 0, 0, 2], v4udp), 0, 0)).srcIp, '10.0.0.1');
  assert.is(ok(decodeFrame(108, bytes([0, 0, 0, 24], v6tcp), 0, 0)).srcIp, '2001:db8::1');
  const unknown = decodeFrame(147, bytes(v4udp), 0, 0);
  assert.ok(!unknown.ok && unknown.skip === 'unsupported-link');
});

test('IPv4 options are skipped; Ethernet padding beyond total length is not payload', () => {
  const withOpts = ipv4('10.0.0.1', '10.0.0.2', { proto: 17, options: [0x94, 4, 0, 0] }, udp(1, 2, HELLO));
  const p = ok(decodeFrame(1, bytes(eth(0x0800, [...withOpts, 0, 0, 0, 0, 0, 0])), 0, 0));
  assert.is(p.dstPort, 2);
  assert.equal(Array.from(p.payload), HELLO);
});

test('IPv4 fragments: the first keeps its ports, later ones are marked for attribution', () => {
  const body = udp(5000, 53, Array(16).fill(0x61));
  const first = ok(decodeFrame(101, bytes(ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 77, more: true }, body)), 0, 0));
  assert.equal([first.srcPort, first.dstPort, first.laterFragment], [5000, 53, false]);
  assert.equal(first.fragment, { id: 77, offset: 0, more: true });
  const later = ok(decodeFrame(101, bytes(ipv4('10.0.0.1', '10.0.0.2', { proto: 17, id: 77, fragOffset: 24 }, [1, 2, 3])), 0, 0));
  assert.equal([later.srcPort, later.dstPort, later.laterFragment], [0, 0, true]);
  assert.equal(later.fragment, { id: 77, offset: 24, more: false });
});

test('IPv6 extension headers (hop-by-hop, routing, destination options, fragment) are walked', () => {
  const hop = { type: 0, data: [0, 1, 4, 0, 0, 0, 0] }; // 8 bytes with next-header
  const dst = { type: 60, data: [0, 1, 4, 0, 0, 0, 0] };
  const frag = { type: 44, data: [0, 0, 1, 0, 0, 0, 9] }; // offset 0, M=1, id 9
  const p = ok(decodeFrame(101, bytes(ipv6('::1', '::2', 17, udp(546, 547, HELLO), [hop, dst, frag])), 0, 0));
  assert.equal([p.ipProtocol, p.srcPort, p.dstPort], [17, 546, 547]);
  assert.equal(p.fragment, { id: 9, offset: 0, more: true });
  const later = ok(decodeFrame(101, bytes(ipv6('::1', '::2', 17, [1, 2, 3, 4], [{ type: 44, data: [0, 0, 16, 0, 0, 0, 9] }])), 0, 0));
  assert.ok(later.laterFragment);
});

test('ICMP and ICMPv6 flows have no ports', () => {
  const icmp = ok(decodeFrame(101, bytes(ipv4('192.168.2.1', '192.168.2.17', { proto: 1 }, [8, 0, 0, 0, 0, 1, 0, 1])), 0, 0));
  assert.equal([icmp.ipProtocol, icmp.srcPort, icmp.dstPort], [1, 0, 0]);
  const icmp6 = ok(decodeFrame(101, bytes(ipv6('::', 'ff02::16', 58, [143, 0, 0, 0])), 0, 0));
  assert.equal([icmp6.ipProtocol, icmp6.dstIp], [58, 'ff02::16']);
});

test('GTP-U tunnels: the inner packet is the flow', () => {
  const inner = ipv4('172.16.0.5', '8.8.8.8', { proto: 17 }, udp(3333, 53, HELLO));
  const gtp = [0x30, 0xff, ...be16(inner.length), 0, 0, 0, 1, ...inner];
  const outer = ipv4('10.1.1.1', '10.2.2.2', { proto: 17 }, udp(2152, 2152, gtp));
  const p = ok(decodeFrame(101, bytes(outer), 0, 0));
  assert.equal([p.srcIp, p.dstIp, p.dstPort], ['172.16.0.5', '8.8.8.8', 53]);
});

test('every prefix of a valid frame decodes or is reported malformed, never throws', () => {
  const frames: [number, Uint8Array][] = [
    [1, bytes(eth(0x0800, v4udp, [5, 6]))],
    [1, bytes(eth(0x86dd, v6tcp))],
    [113, bytes([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 9, 0, 0, ...be16(0x86dd)], v6tcp)],
    [276, bytes([...be16(0x0800), 0, 0, 0, 0, 0, 2, 0, 1, 0, 6, 2, 0, 0, 0, 0, 8, 0, 0], v4udp)],
    [0, bytes([2, 0, 0, 0], v4udp)],
  ];
  let malformed = 0;
  for (const [lt, f] of frames) {
    for (let n = 0; n < f.length; n++) {
      const r = decodeFrame(lt, f.subarray(0, n), 0, n);
      if (!r.ok && r.skip === 'malformed') malformed++;
    }
  }
  assert.ok(malformed > 100);
});

test('nonsense header fields are malformed, with a reason', () => {
  const badIhl = [0x42, ...v4udp.slice(1)];
  const r = decodeFrame(101, bytes(badIhl), 0, 0);
  assert.ok(!r.ok && r.skip === 'malformed' && /header length/.test(r.reason));
  const badTcp = ipv4('1.1.1.1', '2.2.2.2', { proto: 6 }, [0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0]);
  const t = decodeFrame(101, bytes(badTcp), 0, 0);
  assert.ok(!t.ok && /data offset/.test(t.reason));
});

test.run();
