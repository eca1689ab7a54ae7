import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dhcpv6Dissector } from '../src/classify/naming/dhcpv6.js';
import { fixture, fromHex, run, type FlowSpec } from './fixtures/naming/harness.js';

const FLOW: FlowSpec = { proto: 17, client: 'fe80::4e6a:f6ff:fe9f:f627', clientPort: 546, server: 'ff02::1:2', serverPort: 547 };

test('a SOLICIT is DHCPV6, with its client DUID', () => {
  const r = run(dhcpv6Dissector, FLOW, [{ dir: 0, payload: fixture('dhcpv6-solicit') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'DHCPV6');
  assert.is(r.out.hostname, null);
  assert.equal(r.out.meta['dhcpv6'], { message_type: 1, client_duid: '0001000125e5148e4c6af69ff627' });
});

test('the client FQDN option (RFC 4704) is reported', () => {
  // INFORMATION-REQUEST with option 39: flags 0, name "host.lan".
  const p = fromHex('0b 123456 0027 000a 00 04686f7374 036c616e');
  assert.equal(run(dhcpv6Dissector, FLOW, [{ dir: 0, payload: p }]).out.meta['dhcpv6'], { message_type: 11, fqdn: 'host.lan' });
});

test('not DHCPv6: options that overrun, unknown types, other ports', () => {
  const p = fixture('dhcpv6-solicit');
  for (const b of [p.subarray(0, p.length - 1), fromHex('0e 000000'), fromHex('00 000000'), fixture('dns-query-captive-apple')]) {
    assert.equal(run(dhcpv6Dissector, FLOW, [{ dir: 0, payload: b }]).steps, ['no']);
  }
  assert.equal(run(dhcpv6Dissector, { ...FLOW, serverPort: 5000 }, [{ dir: 0, payload: p }]).steps, ['no']);
});

test.run();
