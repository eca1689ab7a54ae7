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

test('not Dropbox: JSON without host_int, other ports', () => {
  assert.equal(run(dropboxDissector, FLOW, [{ dir: 0, payload: ascii('{"version": [2, 0], "port": 17500}') }]).steps, ['no']);
  assert.equal(run(dropboxDissector, { ...FLOW, serverPort: 17501 }, [{ dir: 0, payload: fixture('dropbox-lansync') }]).steps, ['no']);
});

test.run();
