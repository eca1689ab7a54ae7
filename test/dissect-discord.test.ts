import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { discordDissector, parseDiscovery } from '../src/classify/peer/discord.js';
import { claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '150.219.118.19', clientPort: 54234, server: '192.113.193.227', serverPort: 50003 };

test('IP discovery request then response with the same SSRC', () => {
  const req = parseDiscovery(fixture('discord-request'));
  assert.equal(req, { type: 1, ssrc: 0x1a7e73, address: '' });
  const r = run(discordDissector, FLOW, [
    { dir: 0, payload: fixture('discord-request') },
    { dir: 1, payload: fixture('discord-response') },
  ]);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.out.protocol, 'Discord');
  assert.equal(r.out.meta['discord'], { ssrc: 0x1a7e73, client_ip: '85.154.2.145' });
});

test('an 8-byte ping with the magic 0x1337CAFE claims at once; the magic in a longer datagram does not', () => {
  const ping = Uint8Array.of(0x13, 0x37, 0xca, 0xfe, 0, 0, 0, 7);
  const r = run(discordDissector, FLOW, [{ dir: 0, payload: ping }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.application, 'discord');
  assert.equal(r.out.meta['discord'], { ping: true });
  assert.not.ok(claims(discordDissector, FLOW, [Uint8Array.of(...ping, 0)], true));
});

test('not Discord: SSRC mismatch, junk address, random, others', () => {
  const other = fixture('discord-response').slice();
  other[7] ^= 1;
  assert.not.ok(claims(discordDissector, FLOW, [fixture('discord-request'), other], true));
  const junk = fixture('discord-response').slice();
  junk[10] = 0x41;
  assert.is(parseDiscovery(junk), null);
  for (const p of randomPayloads(300, 51)) assert.not.ok(claims(discordDissector, FLOW, [p, p], true));
  for (const f of ['stun-whatsapp-allocate', 'rtp-pcma-1', 'zoom-setup-client']) assert.not.ok(claims(discordDissector, FLOW, [fixture(f), fixture(f)], true), f);
});

test.run();
