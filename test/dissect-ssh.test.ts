import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSshBanner, sshDissector } from '../src/classify/peer/ssh.js';
import { ascii, claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const FLOW: FlowSpec = { proto: 6, client: '172.16.238.1', clientPort: 58395, server: '172.16.238.168', serverPort: 22 };

test('server banner first, then the client: claimed on the first, both kept', () => {
  const r = run(sshDissector, FLOW, [
    { dir: 1, payload: fixture('ssh-server-banner') },
    { dir: 0, payload: fixture('ssh-client-banner') },
  ]);
  assert.is(r.claimedAt, 1);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.out.protocol, 'SSH');
  assert.equal(r.out.meta['ssh'], { client: 'SSH-2.0-OpenSSH_5.6', server: 'SSH-2.0-OpenSSH_5.3' });
  // nDPI's host name is the first identification on the wire.
  assert.is(r.out.hostname, 'SSH-2.0-OpenSSH_5.3');
});

test('client first; comments, SSH 1.99, bare LF and server pre-banner lines', () => {
  const r = run(sshDissector, FLOW, [{ dir: 0, payload: ascii('SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11\r\n') }]);
  assert.is(r.out.hostname, 'SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11');
  assert.is(parseSshBanner(ascii('SSH-1.99-Cisco-1.25\n'), false), 'SSH-1.99-Cisco-1.25');
  assert.is(parseSshBanner(ascii('Welcome to host\r\nSSH-2.0-dropbear_2022.83\r\n'), true), 'SSH-2.0-dropbear_2022.83');
  assert.is(parseSshBanner(ascii('Welcome to host\r\nSSH-2.0-dropbear_2022.83\r\n'), false), null, 'clients send no preamble');
});

test('not SSH: wrong versions, no line end, binary, other protocols, random', () => {
  for (const bad of ['SSH-3.0-x\r\n', 'SSH-2.0-\r\n', 'SSH-2.0-Open\x01SSH\r\n', 'SSH-2.0-OpenSSH_5.3', 'SSX-2.0-a\r\n', 'HTTP/1.1 200 OK\r\n']) {
    assert.is(parseSshBanner(ascii(bad), true), null, bad);
  }
  assert.not.ok(claims(sshDissector, FLOW, [ascii('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]));
  for (const f of ['bt-handshake', 'smb1-negotiate', 'wa-old', 'skinny-message']) assert.not.ok(claims(sshDissector, FLOW, [fixture(f)]), f);
  for (const p of randomPayloads(300, 11)) assert.not.ok(claims(sshDissector, FLOW, [p, p], true));
});

test.run();
