import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { dropboxDissector } from '../src/classify/naming/dropbox.js';
import { ascii, fixture, run, type FlowSpec } from './fixtures/naming/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '192.168.2.1', clientPort: 17500, server: '192.168.2.255', serverPort: 17500 };

test('a LAN Sync discovery broadcast is Dropbox', () => {
  const r = run(dropboxDissector, FLOW, [{ dir: 0, payload: fixture('dropbox-lansync') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'Dropbox');
});

test('a LAN Sync command to a peer\'s 17500 from another port is Dropbox', () => {
  const peer = { ...FLOW, clientPort: 51234, server: '192.168.2.20' };
  const r = run(dropboxDissector, peer, [{ dir: 0, payload: ascii('\x00\x00\x00\x1cBus17Cmd\x00ping\x00') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'Dropbox');
});

test('not Dropbox: JSON without host_int, other ports, a command sent from 17500 itself', () => {
  assert.equal(run(dropboxDissector, FLOW, [{ dir: 0, payload: ascii('{"version": [2, 0], "port": 17500}') }]).steps, ['no']);
  assert.equal(run(dropboxDissector, { ...FLOW, serverPort: 17501 }, [{ dir: 0, payload: fixture('dropbox-lansync') }]).steps, ['no']);
  assert.equal(run(dropboxDissector, { ...FLOW, clientPort: 51234, serverPort: 8080 }, [{ dir: 0, payload: ascii('Bus17Cmd') }]).steps, ['no']);
  assert.equal(run(dropboxDissector, FLOW, [{ dir: 0, payload: ascii('Bus17Cmd ping') }]).steps, ['no']);
});

test.run();
