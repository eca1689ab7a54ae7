import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseSip, sipDissector } from '../src/classify/peer/sip.js';
import { ascii, claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const FLOW: FlowSpec = { proto: 17, client: '192.0.2.4', clientPort: 5060, server: '192.0.2.1', serverPort: 5060 };

/** RFC 3261 §24.2, message F1 (INVITE from Alice to Bob's proxy). */
const INVITE = [
  'INVITE sip:bob@biloxi.com SIP/2.0',
  'Via: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8',
  'Max-Forwards: 70',
  'To: Bob <sip:bob@biloxi.com>',
  'From: Alice <sip:alice@atlanta.com>;tag=1928301774',
  'Call-ID: a84b4c76e66710',
  'CSeq: 314159 INVITE',
  'Contact: <sip:alice@pc33.atlanta.com>',
  'Content-Type: application/sdp',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

/** RFC 3261 §24.2, message F4 (180 Ringing), in compact header form. */
const RINGING = ['SIP/2.0 180 Ringing', 'v: SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8', 't: Bob <sip:bob@biloxi.com>;tag=a6c85cf', 'f: Alice <sip:alice@atlanta.com>;tag=1928301774', 'i: a84b4c76e66710', 'CSeq: 314159 INVITE', 'l: 0', '', ''].join('\r\n');

test('an INVITE request', () => {
  const r = run(sipDissector, FLOW, [{ dir: 0, payload: ascii(INVITE) }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'SIP');
  assert.equal(r.out.meta['sip'], { method: 'INVITE', from: 'Alice <sip:alice@atlanta.com>;tag=1928301774', to: 'Bob <sip:bob@biloxi.com>', call_id: 'a84b4c76e66710' });
});

test('a status line with compact headers, over TCP, after a CRLF keep-alive', () => {
  assert.is(parseSip(ascii(RINGING))?.status, 180);
  const r = run(sipDissector, { ...FLOW, proto: 6 }, [{ dir: 1, payload: ascii('\r\n\r\n') }, { dir: 1, payload: ascii(RINGING) }]);
  assert.equal(r.steps, ['more', 'done']);
});

test('not SIP: unknown method, HTTP, missing Via, random, others', () => {
  assert.is(parseSip(ascii(INVITE.replace('INVITE sip', 'INVADE sip'))), null);
  assert.is(parseSip(ascii(INVITE.replace(/Via:[^\r]*\r\n/, ''))), null);
  assert.is(parseSip(ascii('GET / HTTP/1.1\r\nHost: x\r\nVia: 1.1 proxy\r\n\r\n')), null);
  assert.is(parseSip(ascii('HTTP/1.1 200 OK\r\nVia: 1.1 proxy\r\nCSeq: 1\r\n\r\n')), null);
  for (const p of randomPayloads(300, 61)) assert.not.ok(claims(sipDissector, FLOW, [p]));
  for (const f of ['bt-lsd-search', 'stun-whatsapp-allocate', 'ssh-client-banner']) assert.not.ok(claims(sipDissector, FLOW, [fixture(f)]), f);
});

test.run();
