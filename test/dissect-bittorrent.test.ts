import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bittorrentDissector, matchHandshake, parseKrpc, parseLsd, parseUtp } from '../src/classify/peer/bittorrent.js';
import { decodeBencode } from '../src/classify/peer/bencode.js';
import { hex } from '../src/util/bytes.js';
import { ascii, claims, fixture, randomPayloads, run, type FlowSpec } from './fixtures/peer/harness.js';

const TCP: FlowSpec = { proto: 6, client: '192.168.1.3', clientPort: 52915, server: '198.100.146.9', serverPort: 60163 };
const UDP: FlowSpec = { proto: 17, client: '192.168.1.5', clientPort: 40959, server: '82.243.113.43', serverPort: 64969 };
const HASH = 'dcfcdccfb9e670ccc3dd40c78c161f2bea243126';

test('peer-wire handshake: claimed on the first packet with its info_hash', () => {
  const r = run(bittorrentDissector, TCP, [{ dir: 0, payload: fixture('bt-handshake') }]);
  assert.equal(r.steps, ['done']);
  assert.is(r.out.protocol, 'BitTorrent');
  assert.equal(r.out.meta['bt'], { info_hash: HASH });
});

test('a handshake split after the first byte and inside the info_hash', () => {
  const h = fixture('bt-handshake');
  const r = run(bittorrentDissector, TCP, [
    { dir: 0, payload: h.subarray(0, 1) },
    { dir: 0, payload: h.subarray(1, 30) },
    { dir: 0, payload: h.subarray(30) },
  ]);
  assert.is(r.claimedAt, 2, 'claimed once the protocol string is whole');
  assert.equal(r.steps, ['more', 'more', 'done']);
  assert.equal(r.out.meta['bt'], { info_hash: HASH });
  assert.equal(matchHandshake(h.subarray(0, 10)), { kind: 'prefix' });
});

test('only the reply handshake seen (one-sided capture)', () => {
  const r = run(bittorrentDissector, TCP, [{ dir: 1, payload: fixture('bt-handshake') }]);
  assert.is(r.out.protocol, 'BitTorrent');
});

test('DHT KRPC: a get_peers query names the info_hash', () => {
  const m = parseKrpc(fixture('bt-dht-get-peers'));
  assert.ok(m);
  assert.is(m!.type, 'q');
  assert.is(m!.query, 'get_peers');
  assert.is(m!.infoHash?.length, 40);
  const r = run(bittorrentDissector, UDP, [{ dir: 0, payload: fixture('bt-dht-get-peers') }]);
  assert.is(r.claimedAt, 1);
  assert.is((r.out.meta['bt'] as { info_hash: string }).info_hash, m!.infoHash);
});

test('KRPC responses and errors; malformed bencode is refused', () => {
  const id = 'x'.repeat(20);
  assert.is(parseKrpc(ascii(`d1:rd2:id20:${id}e1:t2:aa1:y1:re`))?.type, 'r');
  assert.is(parseKrpc(ascii('d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee'))?.type, 'e');
  assert.is(parseKrpc(ascii(`d1:ad2:id19:${'x'.repeat(19)}e1:q4:ping1:t2:aa1:y1:qe`)), null, 'node id must be 20 bytes');
  assert.is(parseKrpc(ascii(`d1:ad2:id20:${id}e1:q4:ping1:t2:aa1:y1:qeXX`)), null, 'trailing bytes');
  assert.is(decodeBencode(ascii('i03e')), null, 'leading zero');
  assert.is(decodeBencode(ascii('i-0e')), null);
  assert.is(decodeBencode(ascii('5:abc')), null, 'string past the end');
  assert.equal(decodeBencode(ascii('li1ei-2ee')), [1, -2]);
});

test('uTP: SYN then STATE of one connection', () => {
  const syn = parseUtp(fixture('bt-utp-syn'));
  const state = parseUtp(fixture('bt-utp-state'));
  assert.is(syn?.type, 4);
  assert.is(state?.type, 2);
  assert.is(syn!.connectionId, state!.connectionId);
  const spec: FlowSpec = { proto: 17, client: '127.0.0.1', clientPort: 49861, server: '127.0.0.1', serverPort: 33333 };
  const r = run(bittorrentDissector, spec, [
    { dir: 0, payload: fixture('bt-utp-syn') },
    { dir: 1, payload: fixture('bt-utp-state') },
  ]);
  assert.is(r.claimedAt, 2, 'one uTP header is not proof');
  assert.is(r.out.protocol, 'BitTorrent');
});

test('uTP DATA carrying the peer-wire handshake is claimed at once, with the hash', () => {
  const data = fixture('bt-utp-data-handshake');
  const r = run(bittorrentDissector, UDP, [{ dir: 0, payload: data }]);
  assert.is(r.claimedAt, 1);
  // uTP header (20) + 0x13 "BitTorrent protocol" + 8 reserved bytes, then the hash.
  assert.equal(r.out.meta['bt'], { info_hash: hex(data, 48, 68) });
});

test('uTP header rules: version, type, SYN without payload and clock difference', () => {
  const syn = fixture('bt-utp-syn');
  assert.is(parseUtp(Uint8Array.of(0x42, ...syn.subarray(1))), null, 'version 2');
  assert.is(parseUtp(Uint8Array.of(0x51, ...syn.subarray(1))), null, 'type 5');
  assert.is(parseUtp(Uint8Array.of(...syn, 1, 2, 3)), null, 'SYN with data');
  const diff = syn.slice();
  diff[9] = 1;
  assert.is(parseUtp(diff), null, 'SYN with a timestamp difference');
  const ext = syn.slice();
  ext[1] = 7;
  assert.is(parseUtp(ext), null, 'unknown extension');
});

test('Local Service Discovery announce', () => {
  const lsd = parseLsd(fixture('bt-lsd-search'));
  assert.equal(lsd, { infoHash: 'ed4f1085e885f98f9a69b70ee89eb988b8fd9115' });
  const spec: FlowSpec = { proto: 17, client: '192.168.0.102', clientPort: 6771, server: '239.192.152.143', serverPort: 6771 };
  assert.is(run(bittorrentDissector, spec, [{ dir: 0, payload: fixture('bt-lsd-search') }]).out.protocol, 'BitTorrent');
  assert.is(parseLsd(ascii('M-SEARCH * HTTP/1.1\r\nHost: 239.255.255.250:1900\r\n\r\n')), null);
});

test('not BitTorrent: random bytes, other protocols, near misses', () => {
  for (const p of randomPayloads(300, 7)) {
    assert.not.ok(claims(bittorrentDissector, TCP, [p]), 'tcp random');
    assert.not.ok(claims(bittorrentDissector, UDP, [p, p]), 'udp random');
  }
  const h = fixture('bt-handshake');
  assert.not.ok(claims(bittorrentDissector, TCP, [Uint8Array.of(0x13, ...ascii('BitTorrent protocoL'), ...h.subarray(20))]));
  for (const f of ['ssh-client-banner', 'smb2-create', 'wa-old', 'ovpn-tcp-client-reset']) assert.not.ok(claims(bittorrentDissector, TCP, [fixture(f)]), f);
  for (const f of ['stun-whatsapp-allocate', 'wg-initiation', 'zoom-setup-client', 'rtp-pcma-1', 'discord-request']) {
    assert.not.ok(claims(bittorrentDissector, UDP, [fixture(f), fixture(f)]), f);
  }
});

test.run();
