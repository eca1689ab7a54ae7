import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spotifyDissector } from '../src/classify/naming/spotify.js';
import { ascii, fixture, run, type FlowSpec } from './fixtures/naming/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '192.168.1.117', clientPort: 57621, server: '192.168.1.255', serverPort: 57621 };

test('a "SpotUdp0" LAN discovery broadcast is Spotify', () => {
  const r = run(spotifyDissector, FLOW, [{ dir: 0, payload: fixture('spotify-discovery') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'Spotify');
});

test('not Spotify: other magic, other ports', () => {
  assert.equal(run(spotifyDissector, FLOW, [{ dir: 0, payload: ascii('SpotTcp0') }]).steps, ['no']);
  assert.equal(run(spotifyDissector, { ...FLOW, serverPort: 57622 }, [{ dir: 0, payload: fixture('spotify-discovery') }]).steps, ['no']);
});

test.run();
