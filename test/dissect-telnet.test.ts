import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { leadingNegotiation, telnetDissector } from '../src/classify/peer/telnet.js';
import { ascii, claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const FLOW: FlowSpec = { proto: 6, client: '10.1.2.1', clientPort: 11001, server: '10.34.0.1', serverPort: 23 };
const IAC = 255;
const [WILL, WONT, DO, DONT, SB, SE] = [251, 252, 253, 254, 250, 240];

test('a client opening with several option negotiations is claimed on its first segment', () => {
  // DO SUPPRESS-GO-AHEAD, WILL TERMINAL-TYPE, WILL NAWS, WILL NEW-ENVIRON (a typical client).
  const open = Uint8Array.of(IAC, DO, 3, IAC, WILL, 24, IAC, WILL, 31, IAC, WILL, 39);
  const r = run(telnetDissector, FLOW, [{ dir: 0, payload: open }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'Telnet');
  assert.equal(r.out.meta['telnet'], { options: [3, 24, 31, 39] });
});

test('one command from each side, and a subnegotiation, also do', () => {
  const r = run(telnetDissector, FLOW, [
    { dir: 1, payload: Uint8Array.of(IAC, DO, 24) },
    { dir: 0, payload: Uint8Array.of(IAC, WILL, 24) },
  ]);
  assert.is(r.claimedAt, 2);
  // IAC SB TERMINAL-TYPE IS "xterm" IAC SE, then DONT ECHO, then text.
  const sb = Uint8Array.of(IAC, SB, 24, 0, ...ascii('xterm'), IAC, SE, IAC, DONT, 1, ...ascii('login: '));
  assert.equal(leadingNegotiation(sb), [24, 1]);
  assert.equal(leadingNegotiation(Uint8Array.of(IAC, WONT, 1)), [1]);
});

test('not Telnet: text first, a lone command that is never answered, unknown commands, cut short, others', () => {
  assert.not.ok(claims(telnetDissector, FLOW, [ascii('login: ')]));
  assert.not.ok(claims(telnetDissector, FLOW, [Uint8Array.of(IAC, DO, 24), ascii('abc'), ascii('def'), ascii('ghi')]));
  assert.is(leadingNegotiation(Uint8Array.of(IAC, 200, 1)), null, 'not a negotiation command');
  assert.is(leadingNegotiation(Uint8Array.of(IAC, WILL)), null, 'cut short');
  assert.is(leadingNegotiation(Uint8Array.of(IAC, SB, 24, 0, 1, 2)), null, 'subnegotiation never closed');
  for (const p of randomPayloads(300, 23)) assert.not.ok(claims(telnetDissector, FLOW, [p, p], true));
  for (const f of ['bt-handshake', 'ssh-client-banner', 'smb2-create', 'ovpn-tcp-client-reset', 'stun-teams-tcp']) {
    assert.not.ok(claims(telnetDissector, FLOW, [fixture(f)]), f);
  }
});

test.run();
