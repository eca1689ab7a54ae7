/**
 * The pure parts of the targets: nft keys and ipset records built from flow records,
 * connlabel.conf names and auto_label names, and errors reported once per reason.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { autoLabelNames, labelBit, labelName, parseConnlabelConf } from '../src/targets/connlabel.js';
import { IPSET_RECORD, ipsetLayout, nftKeyLayout, setNameFor, writeAddress, writeIpsetRecord, writeNftKey } from '../src/targets/element.js';
import { kernelReason, TargetErrors } from '../src/targets/errors.js';
import { tcClass } from '../src/targets/ipset.js';
import { record } from './helpers/records.js';

test('nft key: the reference example type (local_addr, ip_proto, other_port, other_addr) in register layout', () => {
  const l = nftKeyLayout(['local_addr', 'ip_proto', 'other_port', 'other_addr'], 4);
  // nft's concat type: ids 7, 12, 13, 7 joined 6 bits apart.
  assert.is(l.keyType, (((7 * 64 + 12) * 64 + 13) * 64) + 7);
  assert.is(l.keyLen, 16);
  const out = new Uint8Array(16);
  assert.is(writeNftKey(out, 0, l, record()), null);
  assert.equal([...out], [192, 168, 1, 10, 6, 0, 0, 0, 1, 187, 0, 0, 203, 0, 113, 5]);
});

test('nft key: IPv6 addresses, MACs padded to 8, interface names, and the field a flow lacks', () => {
  const l = nftKeyLayout(['other_addr', 'local_mac', 'interface'], 6);
  assert.is(l.keyLen, 16 + 8 + 16);
  const out = new Uint8Array(l.keyLen);
  assert.is(writeNftKey(out, 0, l, record({ ip_version: 6, other_ip: '2001:db8::1' })), null);
  assert.equal([...out.subarray(0, 16)], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  assert.equal([...out.subarray(16, 24)], [2, 0, 0, 0, 0, 0x10, 0, 0]);
  assert.is(new TextDecoder().decode(out.subarray(24, 30)), 'br-lan');
  assert.is(writeNftKey(out, 0, l, record({ ip_version: 6, other_ip: '2001:db8::1', local_mac: null })), 'local_mac');
  assert.is(writeNftKey(out, 0, l, record({ ip_version: 6, other_ip: '2001:db8::1', interface: null })), 'interface');
  assert.throws(() => nftKeyLayout(['other_addr', 'vlan'], 4), /unknown element field 'vlan'/);
});

test('addresses: IPv4 and the IPv6 text forms (compressed, full, IPv4 tail); bad text is refused', () => {
  const b = new Uint8Array(16);
  assert.ok(writeAddress(b, 0, '::ffff:192.0.2.1', 6));
  assert.equal([...b], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]);
  assert.ok(writeAddress(b, 0, 'fe80::1%eth0', 6));
  assert.equal([...b.subarray(0, 2)], [0xfe, 0x80]);
  assert.ok(writeAddress(b, 0, '1:2:3:4:5:6:7:8', 6));
  assert.is(b[15], 8);
  assert.ok(writeAddress(b, 0, '::', 6));
  for (const bad of ['1::2::3', '1:2:3:4:5:6:7', '12345::', '1:2:3:4:5:6:7:8:9', 'x::1']) assert.not.ok(writeAddress(b, 0, bad, 6), bad);
  for (const bad of ['1.2.3', '256.1.1.1', '1..2.3', 'a.b.c.d']) assert.not.ok(writeAddress(b, 0, bad, 4), bad);
});

test('set families: * sends IPv6 flows to <name>_v6; ipv4/ipv6 sets leave the other family out', () => {
  assert.is(setNameFor('nfa.games', '*', 4), 'nfa.games');
  assert.is(setNameFor('nfa.games', '*', 6), 'nfa.games_v6');
  assert.is(setNameFor('nfa.games', 'ipv4', 6), null);
  assert.is(setNameFor('nfa.games', 'ipv6', 6), 'nfa.games');
});

test('ipset: datatypes map to flow fields; bitmap and list types are refused with the reason', () => {
  const l = ipsetLayout('hash:ip,port,ip');
  const out = new Uint8Array(IPSET_RECORD);
  assert.is(writeIpsetRecord(out, 0, l, record(), 120), null);
  assert.equal([...out.subarray(0, 4)], [2, 6, 1, 187]);
  assert.equal([...out.subarray(8, 12)], [192, 168, 1, 10]);
  assert.equal([...out.subarray(24, 28)], [203, 0, 113, 5]);
  assert.is(new DataView(out.buffer).getUint32(4, true), 120);
  assert.is(writeIpsetRecord(out, 0, ipsetLayout('hash:ip'), record(), 0), null);
  assert.equal([...out.subarray(8, 12)], [203, 0, 113, 5]);
  assert.ok(ipsetLayout('hash:mac').familyless);
  assert.throws(() => ipsetLayout('bitmap:ip'), /only hash types/);
  assert.throws(() => ipsetLayout('hash:net'), /datatype 'net'/);
  assert.is(tcClass('1:10'), 0x10010);
  assert.is(tcClass('x'), null);
});

test('connlabel.conf: bit/name lines, comments, first definition wins, bad lines reported by number', () => {
  const m = parseConnlabelConf('# labels\n0 netify-init\n1 netify-block  # drop\n\n5 a-google-meet-duo\n1 other\nbogus line\n');
  assert.equal([...m.bits], [['netify-init', 0], ['netify-block', 1], ['a-google-meet-duo', 5], ['other', 1]]);
  assert.equal(m.bad, [7]);
  assert.is(labelBit('netify-block', m), 1);
  assert.is(labelBit('42', m), 42);
  assert.is(labelBit('missing', m), null);
});

test('auto_label names: a-<application>, p-<protocol>, lower case with / as -', () => {
  assert.is(labelName('Google/Meet/Duo'), 'google-meet-duo');
  assert.equal(autoLabelNames(record()), ['a-youtube', 'p-tls']);
  assert.equal(autoLabelNames(record({ detected_application_name: null, detected_protocol_name: 'HTTP/2' })), ['p-http-2']);
  assert.equal(autoLabelNames(record({ detected_application_name: null, detected_protocol_name: 'Unknown' })), []);
});

test('errors: each reason is logged once and counted every time', () => {
  const log: string[] = [];
  const e = new TargetErrors("target 'x'", (_l, m) => log.push(m));
  e.add(kernelReason(-2), 3);
  e.add(kernelReason(-2));
  e.add(kernelReason(4352));
  assert.is(e.failed, 5);
  assert.equal(e.byReason(), { 'no such table, set or connection': 4, 'ipset is full (maxelem reached)': 1 });
  assert.is(log.length, 2);
  assert.match(log[0]!, /^target 'x': no such table/);
});

test.run();
