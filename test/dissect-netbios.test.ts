import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { netbiosHostname, readNetbiosName } from '../src/classify/naming/netbios-name.js';
import { netbiosDissector } from '../src/classify/naming/netbios.js';
import { ascii, fixture, fromHex, run, type FlowSpec } from './fixtures/naming/harness.js';

const NS: FlowSpec = { proto: 17, client: '10.0.4.131', clientPort: 137, server: '10.0.5.255', serverPort: 137 };
const DGM: FlowSpec = { proto: 17, client: '10.0.5.9', clientPort: 138, server: '10.0.5.255', serverPort: 138 };
const SSN: FlowSpec = { proto: 6, client: '10.19.71.184', clientPort: 55489, server: '10.17.113.129', serverPort: 139 };

test('first-level encoding (RFC 1001 §14.1): "FEGHGE…" decodes, the suffix byte drops out', () => {
  // "XSTREAM_HY" padded with spaces, suffix <00>.
  const name = readNetbiosName(fixture('netbios-ns-query-xstream'), 12)!;
  assert.is(netbiosHostname(name), 'xstream_hy');
  assert.is(name.raw[15], 0);
  // A letter outside 'A'..'P' is no encoded name.
  assert.is(readNetbiosName(ascii(' ' + 'Z'.repeat(32) + '\0'), 0), null);
});

test('a name query is claimed at once with the queried name', () => {
  const r = run(netbiosDissector, NS, [{ dir: 0, payload: fixture('netbios-ns-query-xstream') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'NetBIOS');
  assert.is(r.out.hostname, 'xstream_hy');
  assert.equal(r.out.meta['netbios'], { service: 'name', name: 'XSTREAM_HY', suffix: 0 });
});

test('a node-status query for "*" from an ephemeral port', () => {
  const r = run(netbiosDissector, { ...NS, client: '10.0.1.87', clientPort: 57836, server: '10.0.4.24' }, [
    { dir: 0, payload: fixture('netbios-ns-nbstat-query') },
  ]);
  assert.is(r.out.protocol, 'NetBIOS');
  assert.is(r.out.hostname, '*');
});

test('a browser announcement datagram carries SMB: SMBv1 over NetBIOS, named by its source', () => {
  const r = run(netbiosDissector, DGM, [{ dir: 0, payload: fixture('netbios-datagram-host-announcement') }]);
  assert.is(r.out.protocol, 'SMBv1');
  assert.is(r.out.hostname, 'nvr9');
  assert.equal(r.out.meta['netbios'], { service: 'datagram', name: 'NVR9', suffix: 0x20, type: 0x11, carries: 'SMBv1' });
  // Away from port 138 on both sides, the header's source address must be the sender's;
  // between two 138s a datagram distributor may relay another host's datagram.
  const spoofed = run(netbiosDissector, { ...DGM, client: '10.0.5.10', clientPort: 50138 }, [{ dir: 0, payload: fixture('netbios-datagram-host-announcement') }]);
  assert.equal(spoofed.steps, ['no']);
  const relayed = run(netbiosDissector, { ...DGM, client: '10.0.5.10' }, [{ dir: 0, payload: fixture('netbios-datagram-host-announcement') }]);
  assert.is(relayed.out.hostname, 'nvr9');
});

test('a session request on TCP 139 is NetBIOS, without a host name (as nDPI)', () => {
  const r = run(netbiosDissector, SSN, [{ dir: 0, payload: fixture('netbios-session-request') }]);
  assert.is(r.out.protocol, 'NetBIOS');
  assert.is(r.out.hostname, null);
  assert.equal(r.out.meta['netbios'], { service: 'session', called: 'IBIFHQ11WS023', calling: 'ROSFHQ07WS004' });
});

test('not NetBIOS: DNS on 137, wrong lengths, other ports', () => {
  assert.equal(run(netbiosDissector, NS, [{ dir: 0, payload: fixture('dns-query-captive-apple') }]).steps, ['no']);
  const short = fixture('netbios-datagram-host-announcement').subarray(0, 120);
  assert.equal(run(netbiosDissector, DGM, [{ dir: 0, payload: short }]).steps, ['no']);
  assert.equal(run(netbiosDissector, { ...NS, clientPort: 5000, serverPort: 5000 }, [{ dir: 0, payload: fixture('netbios-ns-query-xstream') }]).steps, ['no']);
  assert.equal(run(netbiosDissector, { ...SSN, serverPort: 445 }, [{ dir: 0, payload: fixture('netbios-session-request') }]).steps, ['no']);
  assert.equal(run(netbiosDissector, SSN, [{ dir: 0, payload: fromHex('85000000') }]).steps, ['no']);
});

test.run();
