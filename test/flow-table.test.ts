import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { FlowTable, type Flow, type FlowEndReason, type FlowTableOptions } from '../src/flow/table.js';
import { flowKeyOf } from '../src/flow/key.js';
import { ACK, FIN, RST, SYN, pkt } from './helpers/packets.js';

function table(opts: Partial<FlowTableOptions> = {}) {
  const ended: { flow: Flow<null>; reason: FlowEndReason }[] = [];
  const t = new FlowTable<null>({ create: () => null, end: (flow, reason) => ended.push({ flow, reason }) }, opts);
  return { t, ended };
}

const keys = suite('flow keys');

keys('both directions of a flow share one key', () => {
  assert.is(flowKeyOf(6, 0, '10.0.0.1', 1234, '1.2.3.4', 443), flowKeyOf(6, 0, '1.2.3.4', 443, '10.0.0.1', 1234));
});

keys('the key orders endpoints by address text then port, like the truth files', () => {
  assert.is(flowKeyOf(17, 0, '192.168.1.5', 5353, '10.0.0.1', 53), 'UDP|10.0.0.1|53|192.168.1.5|5353|vlan=0');
  assert.is(flowKeyOf(6, 0, '10.0.0.1', 80, '10.0.0.1', 22), 'TCP|10.0.0.1|22|10.0.0.1|80|vlan=0');
});

keys('VLAN and transport separate otherwise equal flows', () => {
  assert.is.not(flowKeyOf(6, 0, 'a', 1, 'b', 2), flowKeyOf(6, 7, 'a', 1, 'b', 2));
  assert.is.not(flowKeyOf(6, 0, 'a', 1, 'b', 2), flowKeyOf(17, 0, 'a', 1, 'b', 2));
});

keys.run();

const flows = suite('flow table');

flows('the first packet\'s sender is the initiator; counters are kept per direction', () => {
  const { t } = table();
  t.track(pkt({ t: 0, src: '10.0.0.2', sport: 40000, dst: '1.1.1.1', dport: 443, flags: SYN, len: 74 }), 1);
  t.track(pkt({ t: 1, src: '1.1.1.1', sport: 443, dst: '10.0.0.2', dport: 40000, flags: SYN | ACK, len: 74 }), 1);
  const r = t.track(pkt({ t: 2, src: '10.0.0.2', sport: 40000, dst: '1.1.1.1', dport: 443, flags: ACK, len: 66 }), 1)!;
  assert.is(t.size, 1);
  assert.is(t.trackedDir, 0);
  assert.equal(r.initiator, { ip: '10.0.0.2', port: 40000 });
  assert.equal(r.packetsByDir, [2, 1]);
  assert.equal(r.bytesByDir, [140, 74]);
  assert.is(r.packets, 3);
});

flows('UDP flows end after their idle timeout, measured on packet time', () => {
  const { t, ended } = table({ udpIdleMs: 10_000, tcpIdleMs: 100_000 });
  t.track(pkt({ t: 0, src: '10.0.0.2', sport: 5000, dst: '8.8.8.8', dport: 53, proto: 17 }), 1);
  t.track(pkt({ t: 0, src: '10.0.0.2', sport: 6000, dst: '8.8.8.8', dport: 443 }), 1);
  t.track(pkt({ t: 9_000, src: '10.0.0.9', sport: 1, dst: '10.0.0.8', dport: 2, proto: 17 }), 1);
  assert.is(ended.length, 0);
  t.advance(12_000);
  assert.equal(ended.map((e) => [e.flow.responder.port, e.reason]), [[53, 'idle']]);
  t.advance(20_000);
  assert.equal(ended.map((e) => e.flow.responder.port), [53, 2], 'the later UDP flow expires too');
  assert.is(t.size, 1, 'the TCP flow lives on: TCP idles longer than UDP');
});

flows('a flow that keeps talking does not expire', () => {
  const { t, ended } = table({ udpIdleMs: 10_000 });
  for (let s = 0; s <= 60; s += 5) t.track(pkt({ t: s * 1000, src: 'a', sport: 1, dst: 'b', dport: 2, proto: 17 }), 1);
  assert.is(ended.length, 0);
});

flows('FIN in both directions ends a TCP flow after a short linger that absorbs the last ACK', () => {
  const { t, ended } = table({ closedLingerMs: 2_000 });
  const c = { src: '10.0.0.2', sport: 40000, dst: '1.1.1.1', dport: 80 };
  const s = { src: '1.1.1.1', sport: 80, dst: '10.0.0.2', dport: 40000 };
  t.track(pkt({ t: 0, ...c, flags: SYN }), 1);
  t.track(pkt({ t: 100, ...c, flags: FIN | ACK }), 1);
  t.track(pkt({ t: 200, ...s, flags: FIN | ACK }), 1);
  const last = t.track(pkt({ t: 300, ...c, flags: ACK }), 1)!;
  assert.is(last.packets, 4, 'the final ACK belongs to the closed flow');
  t.advance(1_000);
  assert.is(ended.length, 0);
  t.advance(3_000);
  assert.equal(ended.map((e) => e.reason), ['closed']);
});

flows('RST ends a TCP flow', () => {
  const { t, ended } = table({ closedLingerMs: 1_000 });
  t.track(pkt({ t: 0, src: 'a', sport: 1, dst: 'b', dport: 2, flags: SYN }), 1);
  t.track(pkt({ t: 10, src: 'b', sport: 2, dst: 'a', dport: 1, flags: RST | ACK }), 1);
  t.advance(5_000);
  assert.equal(ended.map((e) => e.reason), ['closed']);
});

flows('a fresh SYN on a closed tuple starts a new flow and reports the old one', () => {
  const { t, ended } = table();
  t.track(pkt({ t: 0, src: 'a', sport: 1, dst: 'b', dport: 2, flags: SYN }), 1);
  t.track(pkt({ t: 10, src: 'b', sport: 2, dst: 'a', dport: 1, flags: RST }), 1);
  const r = t.track(pkt({ t: 20, src: 'a', sport: 1, dst: 'b', dport: 2, flags: SYN }), 1)!;
  assert.equal(ended.map((e) => e.reason), ['reused']);
  assert.is(r.packets, 1);
});

flows('the cap evicts the flow idle longest, across transports', () => {
  const { t, ended } = table({ maxFlows: 3 });
  t.track(pkt({ t: 0, src: 'a', sport: 1, dst: 'b', dport: 1, proto: 17 }), 1);
  t.track(pkt({ t: 1, src: 'a', sport: 2, dst: 'b', dport: 2 }), 1);
  t.track(pkt({ t: 2, src: 'a', sport: 3, dst: 'b', dport: 3, proto: 17 }), 1);
  t.track(pkt({ t: 3, src: 'a', sport: 1, dst: 'b', dport: 1, proto: 17 }), 1); // touch the first
  t.track(pkt({ t: 4, src: 'a', sport: 4, dst: 'b', dport: 4 }), 1);
  assert.is(t.size, 3);
  assert.equal(ended.map((e) => [e.flow.initiator.port, e.reason]), [[2, 'evicted']]);
  assert.is(t.counters.evicted, 1);
});

flows('memory stays bounded under a flood of distinct flows', () => {
  const { t, ended } = table({ maxFlows: 1000 });
  for (let i = 0; i < 20_000; i++) t.track(pkt({ t: i, src: '10.0.0.1', sport: i % 65536, dst: `10.1.${i >> 8 & 255}.${i & 255}`, dport: 53, proto: 17 }), 1);
  assert.is(t.size, 1000);
  assert.is(ended.length, 19_000);
});

flows('later IPv4 fragments are attributed to the flow of their first fragment', () => {
  const { t } = table();
  const base = { src: '10.0.0.2', sport: 5353, dst: '10.0.0.3', dport: 53, proto: 17 };
  t.track(pkt({ t: 0, ...base, fragment: { id: 7, offset: 0, more: true }, len: 1514 }), 1);
  const r = t.track(pkt({ t: 1, ...base, fragment: { id: 7, offset: 1480, more: false }, len: 600 }), 1)!;
  assert.ok(r);
  assert.is(t.trackedTransport, false);
  assert.is(r.packets, 2);
  assert.is(r.bytesByDir[0], 2114);
  assert.is(t.size, 1);
});

flows('a later fragment whose first fragment was never seen is counted, not turned into a flow', () => {
  const { t } = table();
  const r = t.track(pkt({ t: 0, src: 'a', sport: 0, dst: 'b', dport: 0, proto: 17, fragment: { id: 9, offset: 8, more: false } }), 1);
  assert.is(r, null);
  assert.is(t.size, 0);
  assert.is(t.counters.fragmentsUnattributed, 1);
});

flows('fragments of equal addresses and id on two VLANs go to their own flows', () => {
  const { t } = table();
  const base = { src: '10.0.0.2', sport: 5353, dst: '10.0.0.3', dport: 53, proto: 17 };
  const a = t.track(pkt({ t: 0, ...base, vlan: 1, fragment: { id: 7, offset: 0, more: true } }), 1)!;
  const b = t.track(pkt({ t: 1, ...base, vlan: 2, fragment: { id: 7, offset: 0, more: true } }), 1)!;
  const later = t.track(pkt({ t: 2, ...base, vlan: 1, fragment: { id: 7, offset: 1480, more: false } }), 1)!;
  assert.ok(later === a && a !== b);
  assert.equal([a.packets, b.packets], [2, 1]);
});

flows('a reassembled datagram counts as the frames it came in', () => {
  const { t } = table();
  const r = t.track(pkt({ t: 0, src: '10.0.0.2', sport: 53, dst: '10.0.0.3', dport: 40000, proto: 17, len: 3028 }), 3)!;
  assert.equal([r.packets, r.packetsByDir, r.bytesByDir], [3, [3, 0], [3028, 0]]);
});

flows('flush reports every remaining flow, oldest first', () => {
  const { t, ended } = table();
  t.track(pkt({ t: 5, src: 'a', sport: 1, dst: 'b', dport: 1 }), 1);
  t.track(pkt({ t: 1, src: 'a', sport: 2, dst: 'b', dport: 2, proto: 17 }), 1);
  t.flush();
  assert.equal(ended.map((e) => [e.flow.initiator.port, e.reason]), [[2, 'flush'], [1, 'flush']]);
  assert.is(t.size, 0);
});

flows('counts raised by conntrack stay exact past 2^26 packets and 2^32 bytes', () => {
  const { t } = table();
  const f = t.track(pkt({ t: 0, src: '10.0.0.2', sport: 40000, dst: '1.1.1.1', dport: 443, flags: SYN, len: 74 }), 1)!;
  t.raiseCounts(f, 1, 2 ** 27 - 1, 5e12);
  t.track(pkt({ t: 1, src: '1.1.1.1', sport: 443, dst: '10.0.0.2', dport: 40000, flags: SYN | ACK, len: 74 }), 1);
  assert.equal(f.packetsByDir, [1, 2 ** 27]);
  t.raiseCounts(f, 0, 2 ** 26 - 1, 10);
  t.track(pkt({ t: 2, src: '10.0.0.2', sport: 40000, dst: '1.1.1.1', dport: 443, flags: ACK, len: 66 }), 1);
  assert.equal(f.packetsByDir, [2 ** 26, 2 ** 27]);
  assert.is(f.packets, 2 ** 26 + 2 ** 27);
  assert.equal(f.bytesByDir, [140, 5e12 + 74]);
});

flows.run();
