import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDnsMessage } from '../src/classify/naming/dns-message.js';
import { dnsHostname, mdnsHostname } from '../src/classify/naming/dns-name.js';
import { utf8 } from '../src/util/bytes.js';
import { dnsDissector } from '../src/classify/naming/dns.js';
import { ascii, fixture, fromHex, run, type FlowSpec } from './fixtures/naming/harness.js';

const UDP: FlowSpec = { proto: 17, client: '192.168.2.16', clientPort: 52953, server: '192.168.2.1', serverPort: 53 };
const TCP: FlowSpec = { proto: 6, client: '194.247.5.6', clientPort: 39005, server: '194.247.5.14', serverPort: 53 };
const T0 = 1_700_000_000_000;

test('a UDP query is claimed on its first packet, named by its question', () => {
  const r = run(dnsDissector, UDP, [{ dir: 0, payload: fixture('dns-query-captive-apple') }]);
  assert.is(r.claimedAt, 1);
  assert.is(r.out.protocol, 'DNS');
  assert.is(r.out.hostname, 'captive.apple.com');
  assert.equal(r.out.meta['dns'], { query: 'captive.apple.com', type: 1 });
  assert.equal(r.steps, ['more']);
});

test('the response fills rcode and answers (CNAME chain, then A) and teaches the hints', () => {
  const r = run(dnsDissector, UDP, [
    { dir: 0, payload: fixture('dns-query-captive-apple'), t: T0 },
    { dir: 1, payload: fixture('dns-response-captive-apple'), t: T0 + 5 },
  ]);
  assert.equal(r.steps, ['more', 'done']);
  const dns = r.out.meta['dns']!;
  assert.is(dns['rcode'], 0);
  assert.equal(dns['answers'], [
    { name: 'captive.apple.com', type: 'CNAME', ttl: 4234, target: 'captive-cidr.origin-apple.com.akadns.net' },
    { name: 'captive-cidr.origin-apple.com.akadns.net', type: 'CNAME', ttl: 130, target: 'captive-cdn.origin-apple.com.akadns.net' },
    { name: 'captive-cdn.origin-apple.com.akadns.net', type: 'CNAME', ttl: 340, target: 'captive.g.aaplimg.com' },
    { name: 'captive.g.aaplimg.com', type: 'A', ttl: 19, address: '17.253.53.201' },
    { name: 'captive.g.aaplimg.com', type: 'A', ttl: 19, address: '17.253.53.208' },
  ]);
  // The address is known by the name that was asked for, until the TTL runs out.
  assert.is(r.hints.nameFor('17.253.53.201', T0 + 5 + 18_000), 'captive.apple.com');
  assert.is(r.hints.nameFor('17.253.53.208', T0 + 5 + 20_000), null);
});

test('a flow seen from its response is claimed on that packet', () => {
  const r = run(dnsDissector, { ...UDP, client: '192.168.2.1', clientPort: 53, server: '192.168.2.16', serverPort: 52953 }, [
    { dir: 0, payload: fixture('dns-response-captive-apple') },
  ]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.hostname, 'captive.apple.com');
  assert.is(r.out.meta['dns']!['rcode'], 0);
});

test('DNS over TCP: the length prefix is honoured and a query split over two segments is joined', () => {
  const query = fixture('dns-tcp-query-weberlab');
  const whole = run(dnsDissector, TCP, [{ dir: 0, payload: query }]);
  assert.is(whole.claimedAt, 1);
  assert.is(whole.out.hostname, 'weberlab.de');
  assert.is(whole.out.meta['dns']!['type'], 48); // DNSKEY
  const split = run(dnsDissector, TCP, [
    { dir: 0, payload: query.subarray(0, 9), seq: 1 },
    { dir: 0, payload: query.subarray(9), seq: 10 },
  ]);
  assert.equal(split.steps, ['more', 'more']);
  assert.is(split.claimedAt, 2);
  assert.is(split.out.hostname, 'weberlab.de');
  // Out of order and retransmitted: bytes are placed by sequence number.
  const shuffled = run(dnsDissector, TCP, [
    { dir: 0, payload: query.subarray(0, 9), seq: 1 },
    { dir: 0, payload: query.subarray(20), seq: 21 },
    { dir: 0, payload: query.subarray(0, 9), seq: 1 },
    { dir: 0, payload: query.subarray(9, 20), seq: 10 },
  ]);
  assert.is(shuffled.claimedAt, 4);
  assert.is(shuffled.out.hostname, 'weberlab.de');
});

test('names are spelled as nDPI spells them: lower case, odd characters replaced', () => {
  // Query for "*.Teams.microsoft.com" (nDPI reports "_.teams.microsoft.com").
  const q = fromHex('1234 0100 0001 0000 0000 0000 012a 055465616d73 096d6963726f736f6674 03636f6d 00 0001 0001');
  const r = run(dnsDissector, UDP, [{ dir: 0, payload: q }]);
  assert.is(r.out.hostname, '_.teams.microsoft.com');
  const msg = parseDnsMessage(q)!;
  assert.is(dnsHostname(msg.questions[0]!.name), '_.teams.microsoft.com');
});

test('compression pointers are followed backwards only (a loop is malformed, not a hang)', () => {
  const resp = fixture('dns-response-captive-apple');
  const msg = parseDnsMessage(resp)!;
  assert.is(msg.recordsStatus, 'complete');
  // The answer's name (at offset 0x15) points at itself, then forwards: both malformed.
  const looped = fromHex('1234 8180 0001 0001 0000 0000 03616263 00 0001 0001 c015 0001 0001 00000010 0004 01020304');
  assert.is(parseDnsMessage(looped)!.recordsStatus, 'invalid');
  const forward = fromHex('1234 8180 0001 0001 0000 0000 03616263 00 0001 0001 c017 0001 0001 00000010 0004 01020304');
  assert.is(parseDnsMessage(forward)!.recordsStatus, 'invalid');
  const backward = fromHex('1234 8180 0001 0001 0000 0000 03616263 00 0001 0001 c00c 0001 0001 00000010 0004 01020304');
  const ok = parseDnsMessage(backward)!;
  assert.is(ok.recordsStatus, 'complete');
  assert.is(dnsHostname(ok.records[0]!.name), 'abc');
});

test('not DNS: other payloads on port 53 and DNS-like bytes on other ports are refused', () => {
  const notDns = [
    ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
    fixture('ntp-v4-client'),
    new Uint8Array(12), // a header with no questions or records
    fromHex('1234 0100 0001 0000 0000 0000 03616263 00'), // question cut before type/class
    fromHex('1234 0100 0001 0000 0000 0000 03616263 00 0000 0001'), // qtype 0
    fromHex('1234 0100 0001 0000 0000 0000 03616263 00 0001 0009'), // unknown class
    fromHex('1234 7900 0001 0000 0000 0000 03616263 00 0001 0001'), // opcode 15
  ];
  for (const p of notDns) assert.equal(run(dnsDissector, UDP, [{ dir: 0, payload: p }]).steps, ['no']);
  const elsewhere = { ...UDP, serverPort: 5000 };
  assert.equal(run(dnsDissector, elsewhere, [{ dir: 0, payload: fixture('dns-query-captive-apple') }]).steps, ['no']);
  // mDNS and LLMNR ports belong to their own dissectors.
  const mdns = { ...UDP, clientPort: 5353, serverPort: 5353 };
  assert.equal(run(dnsDissector, mdns, [{ dir: 0, payload: fixture('mdns-query-spotify-connect') }]).steps, ['no']);
});

test('truncated and random bytes never throw', () => {
  const resp = fixture('dns-response-captive-apple');
  for (let n = 0; n <= resp.length; n++) run(dnsDissector, UDP, [{ dir: 1, payload: resp.subarray(0, n) }]);
  let seed = 7;
  for (let i = 0; i < 2000; i++) {
    const b = new Uint8Array(12 + (i % 60));
    for (let k = 0; k < b.length; k++) b[k] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    run(dnsDissector, UDP, [{ dir: 0, payload: b }]);
    run(dnsDissector, TCP, [{ dir: 0, payload: b }]);
  }
});

test('name text: DNS keeps letters (lower case), digits, - and _, writes _ for other printable bytes and ? else; mDNS keeps UTF-8', () => {
  const dnsChar = (c: number): string => {
    if (c >= 0x41 && c <= 0x5a) return String.fromCharCode(c | 0x20);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f) return String.fromCharCode(c);
    return c >= 0x20 && c <= 0x7e ? '_' : '?';
  };
  const lower = (label: Uint8Array) => Uint8Array.from(label, (b) => (b >= 0x41 && b <= 0x5a ? b | 0x20 : b));
  let seed = 9;
  const pick = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const utf8Bytes = Array.from(new TextEncoder().encode('Luca’s iMac é'));
  for (let i = 0; i < 2000; i++) {
    const labels: Uint8Array[] = [];
    for (let l = 0, n = pick(5); l < n; l++) {
      const bytes: number[] = [];
      for (let k = 0, len = 1 + pick(20); k < len; k++) bytes.push(pick(3) === 0 ? utf8Bytes[pick(utf8Bytes.length)]! : pick(4) === 0 ? pick(256) : 0x41 + pick(58));
      labels.push(Uint8Array.from(bytes));
    }
    // A query with this name, read back by the parser.
    const wire = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels.flatMap((l) => [l.length, ...l]), 0, 0, 1, 0, 1];
    const name = parseDnsMessage(Uint8Array.from(wire))!.questions[0]!.name;
    assert.is(dnsHostname(name), labels.map((l) => Array.from(l, dnsChar).join('')).join('.'));
    assert.is(mdnsHostname(name), labels.map((l) => utf8(lower(l))).join('.'));
  }
});

test.run();
