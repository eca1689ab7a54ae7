import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mdnsDissector } from '../src/classify/naming/mdns.js';
import { ascii, fixture, fromHex, run, type FlowSpec } from './fixtures/naming/harness.js';

const V4: FlowSpec = { proto: 17, client: '169.254.225.216', clientPort: 5353, server: '224.0.0.251', serverPort: 5353 };
const T0 = 1_700_000_000_000;

test('a service query is claimed at once and named by its question', () => {
  const r = run(mdnsDissector, V4, [{ dir: 0, payload: fixture('mdns-query-spotify-connect') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'MDNS');
  assert.is(r.out.hostname, '_spotify-connect._tcp.local');
  assert.equal(r.out.meta['mdns'], { query: '_spotify-connect._tcp.local', type: 12 });
});

test('an announcement (no questions) is named by its first record, UTF-8 kept, as nDPI does', () => {
  const r = run(mdnsDissector, V4, [{ dir: 0, payload: fixture('mdns-response-lucas-imac'), t: T0 }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.hostname, 'luca’s imac._odisk._tcp.local');
  assert.equal(r.out.meta['mdns']!['answers'], [
    { name: 'lucas-imac.local', type: 'A', ttl: 120, address: '169.254.225.216' },
  ]);
  // Announced addresses are known by the record's own name.
  assert.is(r.hints.nameFor('169.254.225.216', T0 + 1000), 'lucas-imac.local');
});

test('IPv6 multicast mDNS is the same protocol', () => {
  const v6 = { ...V4, client: 'fe80::1', server: 'ff02::fb' };
  assert.is(run(mdnsDissector, v6, [{ dir: 0, payload: fixture('mdns-query-spotify-connect') }]).out.protocol, 'MDNS');
});

test('not mDNS: other ports, other payloads, non-query opcodes, empty responses', () => {
  const other = { ...V4, clientPort: 40000, serverPort: 53 };
  assert.equal(run(mdnsDissector, other, [{ dir: 0, payload: fixture('mdns-query-spotify-connect') }]).steps, ['no']);
  for (const p of [
    ascii('M-SEARCH * HTTP/1.1\r\n\r\n'),
    fixture('spotify-discovery'),
    fromHex('0000 2800 0001 0000 0000 0000 03616263 056c6f63616c 00 0001 0001'), // UPDATE
    fromHex('0000 8400 0000 0000 0000 0000'), // a response announcing nothing
  ]) {
    assert.equal(run(mdnsDissector, V4, [{ dir: 0, payload: p }]).steps, ['no']);
  }
});

test.run();
