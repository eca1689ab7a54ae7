import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dhcpDissector, parseDhcp } from '../src/classify/naming/dhcp.js';
import { fixture, run, type FlowSpec } from './fixtures/naming/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '192.168.0.1', clientPort: 68, server: '255.255.255.255', serverPort: 67 };

test('a DISCOVER is claimed at once, named by option 12, with vendor class and fingerprint', () => {
  const r = run(dhcpDissector, FLOW, [{ dir: 0, payload: fixture('dhcp-discover-tl-sg116e') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'DHCP');
  assert.is(r.out.hostname, 'tl-sg116e');
  assert.equal(r.out.meta['dhcp'], {
    message_type: 1,
    client_mac: 'd8:0d:17:d6:55:ab',
    hostname: 'tl-sg116e',
    class_ident: 'TL-SG116E',
    fingerprint: '1,3',
  });
});

test('without option 12 the claim stands and later packets may still name the client', () => {
  const named = fixture('dhcp-discover-tl-sg116e');
  const msg = parseDhcp(named)!;
  const host = msg.options.get(12)!;
  // Same message with option 12 turned into padding.
  const anon = named.slice();
  const at = host.byteOffset - named.byteOffset - 2;
  anon.fill(0, at, at + 2 + host.length);
  const r = run(dhcpDissector, FLOW, [
    { dir: 0, payload: anon },
    { dir: 0, payload: named },
  ]);
  assert.is(r.claimedAt, 1);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.out.hostname, 'tl-sg116e');
});

test('not DHCP: no magic cookie, no message type, other ports, other payloads', () => {
  const p = fixture('dhcp-discover-tl-sg116e');
  const noMagic = p.slice();
  noMagic[236] = 0;
  const noType = p.slice();
  noType.fill(0, 240); // options all padding
  for (const b of [noMagic, noType, fixture('dns-query-captive-apple'), fixture('ntp-v4-client')]) {
    assert.equal(run(dhcpDissector, FLOW, [{ dir: 0, payload: b }]).steps, ['no']);
  }
  assert.equal(run(dhcpDissector, { ...FLOW, clientPort: 5000 }, [{ dir: 0, payload: p }]).steps, ['no']);
});

test.run();
