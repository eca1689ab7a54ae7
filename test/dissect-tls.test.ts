/**
 * TLS over TCP and DTLS over UDP, on handshakes saved from the nDPI corpus; expected
 * values are what nDPI's truth files (and tshark) say about the same flows.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseCertificateMessage } from '../src/classify/tls/certificate.js';
import { parseClientHello, parseSslv2ClientHello, type ClientHello } from '../src/classify/tls/client-hello.js';
import { tlsDissector } from '../src/classify/tls/dissector.js';
import { dtlsDissector } from '../src/classify/tls/dtls.js';
import { isNumericAddress, ja4 } from '../src/classify/tls/ja4.js';
import { parseServerHello } from '../src/classify/tls/server-hello.js';
import { isGrease, tlsVersionName } from '../src/classify/tls/versions.js';
import { quicDissector } from '../src/classify/quic/dissector.js';
import { ALL_FIXTURES, ascii, fixture, run, type FlowSpec } from './fixtures/naming/harness.js';
import { fromHex, packets } from './fixtures/secure/packets.js';

const GITHUB: FlowSpec = { proto: 6, client: '192.168.1.13', clientPort: 55744, server: '140.82.114.4', serverPort: 443 };
const CHROME: FlowSpec = { proto: 6, client: '192.168.1.178', clientPort: 64410, server: '146.48.58.18', serverPort: 443 };
const WEBRTC: FlowSpec = { proto: 17, client: '192.168.43.169', clientPort: 48854, server: '134.224.90.111', serverPort: 8801 };

/** The first record's body (handshake message) of a TLS payload. */
const firstMessage = (payload: Uint8Array) => payload.subarray(5, 5 + ((payload[3]! << 8) | payload[4]!));

test('TLS 1.2: claimed on the ClientHello with SNI, ALPN and nDPI\'s JA4', () => {
  const [ch] = packets('tls-github-tls12');
  const r = run(tlsDissector, GITHUB, [ch!]);
  assert.is(r.claimedAt, 1);
  assert.equal(r.steps, ['more']);
  assert.is(r.out.protocol, 'TLS');
  assert.is(r.out.hostname, 'github.com');
  const ssl = r.out.meta['ssl']!;
  assert.is(ssl['client_sni'], 'github.com');
  assert.equal(ssl['alpn'], ['http/1.1']);
  assert.is(ssl['client_ja4'], 't12d6707ht_2955a3196ffa_c83f907a73d3');
  assert.is(ssl['version'], '0x0303');
  assert.is(ssl['cipher_suite'], undefined);
});

test('TLS 1.2: ServerHello and certificate over three segments fill cipher and names, then done', () => {
  const r = run(tlsDissector, GITHUB, packets('tls-github-tls12'));
  assert.equal(r.steps, ['more', 'more', 'more', 'done']);
  assert.equal(r.out.meta['ssl'], {
    version: '0x0303',
    version_name: 'TLSv1.2',
    cipher_suite: '0xc02f',
    cipher_name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    client_sni: 'github.com',
    alpn: ['http/1.1'],
    client_ja4: 't12d6707ht_2955a3196ffa_c83f907a73d3',
    negotiated_alpn: 'http/1.1',
    server_cn: 'github.com',
    subject_dn: 'C=US, ST=California, L=San Francisco, O=GitHub, Inc., CN=github.com',
    issuer_dn: 'C=US, O=DigiCert Inc, OU=www.digicert.com, CN=DigiCert SHA2 Extended Validation Server CA',
    server_names: ['github.com', 'www.github.com'],
    server_cert_fingerprint: 'CA:06:F5:6B:25:8B:7A:0D:4F:2B:05:47:09:39:47:86:51:15:19:84',
  });
});

test('TLS 1.3: the ServerHello gives version and cipher and ends the dissection', () => {
  const r = run(tlsDissector, CHROME, packets('tls-chrome-tls13'));
  assert.equal(r.steps, ['more', 'done']);
  const ssl = r.out.meta['ssl']!;
  assert.is(ssl['version_name'], 'TLSv1.3');
  assert.is(ssl['cipher_suite'], '0x1302');
  assert.is(ssl['cipher_name'], 'TLS_AES_256_GCM_SHA384');
  assert.is(ssl['client_ja4'], 't13d1516h2_8daaf6152771_e5627efa2ab1');
  assert.equal(ssl['supported_versions'], ['GREASE', 'TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1']);
  assert.equal(ssl['alpn'], ['h2', 'http/1.1']);
  assert.is(r.out.hostname, 'www.iit.cnr.it');
});

test('a ClientHello split over segments is joined, also out of order and with a retransmission', () => {
  const ch = packets('tls-chrome-tls13')[0]!;
  const a = ch.payload.subarray(0, 3);
  const b = ch.payload.subarray(3, 200);
  const c = ch.payload.subarray(200);
  const seq = ch.seq;
  const inOrder = run(tlsDissector, CHROME, [
    { dir: 0, payload: a, seq },
    { dir: 0, payload: b, seq: seq + 3 },
    { dir: 0, payload: c, seq: seq + 200 },
  ]);
  assert.equal(inOrder.steps, ['more', 'more', 'more']);
  assert.is(inOrder.claimedAt, 3);
  assert.is(inOrder.out.hostname, 'www.iit.cnr.it');

  const shuffled = run(tlsDissector, CHROME, [
    { dir: 0, payload: ch.payload.subarray(0, 200), seq },
    { dir: 0, payload: ch.payload.subarray(0, 120), seq }, // retransmitted start
    { dir: 0, payload: ch.payload.subarray(400), seq: seq + 400 }, // early
    { dir: 0, payload: ch.payload.subarray(150, 400), seq: seq + 150 }, // overlaps and fills the gap
  ]);
  assert.is(shuffled.claimedAt, 4);
  assert.is(shuffled.out.meta['ssl']!['client_ja4'], 't13d1516h2_8daaf6152771_e5627efa2ab1');
});

test('a ClientHello in many small segments is read to its end, beyond the unclaimed packet limit', () => {
  const ch = packets('tls-chrome-tls13')[0]!;
  const step = Math.ceil(ch.payload.length / 16);
  const segments = [];
  for (let o = 0; o < ch.payload.length; o += step) {
    segments.push({ dir: 0 as const, payload: ch.payload.subarray(o, o + step), seq: ch.seq + o });
  }
  assert.ok(segments.length >= 15);
  const r = run(tlsDissector, CHROME, segments);
  assert.is(r.claimedAt, segments.length);
  assert.is(r.out.hostname, 'www.iit.cnr.it');
  // Segments that start no handshake still give up after the limit.
  const junk = Array.from({ length: 12 }, (_, i) => ({ dir: 0 as const, payload: Uint8Array.of(0x17, 3, 3, 0x40, 0, 1, 2), seq: 1000 + i * 7 }));
  assert.is(run(tlsDissector, CHROME, junk).claimedAt, 0);
});

test('segments without sequence numbers (0: unknown) are joined in arrival order', () => {
  const ch = packets('tls-chrome-tls13')[0]!.payload;
  const r = run(tlsDissector, CHROME, [
    { dir: 0, payload: ch.subarray(0, 100), seq: 0 },
    { dir: 0, payload: ch.subarray(100), seq: 0 },
  ]);
  assert.is(r.claimedAt, 2);
  assert.is(r.out.hostname, 'www.iit.cnr.it');
});

test('a flow seen from the ServerHello on is still TLS (nDPI claims it there too)', () => {
  const [, sh] = packets('tls-chrome-tls13');
  const r = run(tlsDissector, { ...CHROME, client: CHROME.server, clientPort: 443, server: CHROME.client, serverPort: 64410 }, [
    { dir: 0, payload: sh!.payload, seq: sh!.seq },
  ]);
  assert.is(r.out.protocol, 'TLS');
  assert.is(r.out.hostname, null);
  assert.is(r.out.meta['ssl']!['cipher_suite'], '0x1302');
  assert.equal(r.steps, ['done']);
});

test('mid-stream: one Application Data record filling the segment is TLS without a name', () => {
  const rec = fromHex('170303 0010 00112233445566778899aabbccddeeff');
  const r = run(tlsDissector, GITHUB, [{ dir: 0, payload: rec, seq: 5 }]);
  assert.is(r.out.protocol, 'TLS');
  assert.equal(r.steps, ['done']);
  assert.is(r.out.hostname, null);
  // A record that does not fill the segment proves nothing yet.
  const part = run(tlsDissector, GITHUB, [{ dir: 0, payload: rec.subarray(0, 12), seq: 5 }]);
  assert.is(part.out.protocol, null);
  assert.equal(part.steps, ['more']);
});

test('TLS on the mail ports takes the mail protocol\'s name, as in nDPI', () => {
  const [ch] = packets('tls-github-tls12');
  assert.is(run(tlsDissector, { ...GITHUB, serverPort: 993 }, [ch!]).out.protocol, 'IMAPS');
  assert.is(run(tlsDissector, { ...GITHUB, serverPort: 465 }, [ch!]).out.protocol, 'SMTPS');
  assert.is(run(tlsDissector, { ...GITHUB, serverPort: 995 }, [ch!]).out.protocol, 'POPS');
});

test('TLS on port 853 is DNS over TLS (nDPI DoH_DoT); QUIC there is DNS over QUIC', () => {
  const [ch] = packets('tls-github-tls12');
  assert.is(run(tlsDissector, { ...GITHUB, serverPort: 853 }, [ch!]).out.protocol, 'DoH_DoT');
  const [initial] = packets('quic-v1-meet');
  const doq = run(quicDissector, { proto: 17, client: '192.168.1.2', clientPort: 50000, server: '9.9.9.9', serverPort: 853 }, [initial!]);
  assert.is(doq.out.protocol, 'DoH_DoT');
  assert.is(doq.out.hostname, 'meet.google.com');
});

test('an SSLv2-format ClientHello offering TLS 1.0 is TLS', () => {
  // Record header 0x80 len, type 1, version 0x0301, 2 cipher specs, no session, 16-byte challenge.
  const hello = fromHex('801f 01 0301 0006 0000 0010 00002f 010080' + '00112233445566778899aabbccddeeff');
  const parsed = parseSslv2ClientHello(hello)!;
  assert.equal(parsed.hello.ciphers, [0x002f]);
  assert.is(parsed.recordLen, 0x21);
  const r = run(tlsDissector, GITHUB, [{ dir: 0, payload: hello, seq: 1 }]);
  assert.is(r.out.protocol, 'TLS');
  assert.is(r.out.meta['ssl']!['version'], '0x0301');
  // sha256("002f") and sha256("") (no extensions, no signature algorithms), 12 hex digits each.
  assert.is(r.out.meta['ssl']!['client_ja4'], 't10d010000_ba72b8082249_e3b0c44298fc');
  // Lengths that do not add up are not a hello.
  assert.is(parseSslv2ClientHello(fromHex('8020 01 0301 0006 0000 0010 00002f 010080' + '00112233445566778899aabbccddeeff')), null);
});

test('what is not TLS is refused on its first packet', () => {
  const http = ascii('GET / HTTP/1.1\r\nHost: example.com\r\n\r\n');
  assert.equal(run(tlsDissector, GITHUB, [{ dir: 0, payload: http, seq: 1 }]).steps, ['no']);
  // A handshake record whose message claims more than 64 KiB is no TLS either.
  assert.equal(run(tlsDissector, GITHUB, [{ dir: 0, payload: fromHex('16030100050101000000'), seq: 1 }]).steps, ['no']);
  for (const name of ALL_FIXTURES) {
    for (const d of [tlsDissector, dtlsDissector, quicDissector]) {
      const r = run(d, { ...GITHUB, proto: d === tlsDissector ? 6 : 17 }, [{ dir: 0, payload: fixture(name), seq: 1 }]);
      assert.is(r.out.protocol, null, `${d.name} claimed ${name}`);
    }
  }
});

test('buffers are bounded: a record that never completes is dropped, not hoarded', () => {
  const head = fromHex('16030340000100ffff'); // a 16 KiB record announcing a 64 KiB ClientHello
  const filler = new Uint8Array(1400);
  const pkts = [{ dir: 0 as const, payload: head, seq: 1 }];
  for (let i = 0; i < 20; i++) pkts.push({ dir: 0, payload: filler, seq: 1 + head.length + i * 1400 });
  const r = run(tlsDissector, GITHUB, pkts);
  assert.is(r.out.protocol, null);
  assert.is(r.steps[r.steps.length - 1], 'no');
  assert.ok(r.steps.length <= 10);
});

/** A minimal TLS 1.2 ClientHello (one cipher, no compression) whose only extension is SNI. */
function helloWithSni(name: string): Uint8Array {
  const host = [...name].map((c) => c.charCodeAt(0));
  const entry = [0, host.length >> 8, host.length & 0xff, ...host];
  const list = [entry.length >> 8, entry.length & 0xff, ...entry];
  const ext = [0, 0, list.length >> 8, list.length & 0xff, ...list];
  const body = [3, 3, ...new Array(32).fill(7), 0, 0, 2, 0x13, 0x01, 1, 0, ext.length >> 8, ext.length & 0xff, ...ext];
  return Uint8Array.of(1, 0, body.length >> 8, body.length & 0xff, ...body);
}

test('long server names are kept whole (up to a DNS name), the tail of anything longer', () => {
  const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.cdn.example.com`;
  assert.is(parseClientHello(helloWithSni(long))!.sni, long);
  const absurd = 'x'.repeat(300) + '.example.com';
  assert.is(parseClientHello(helloWithSni(absurd))!.sni, absurd.slice(-253));
});

test('ClientHello fields: GREASE left out of ciphers and extensions, kept in supported_versions', () => {
  const ch = parseClientHello(firstMessage(packets('tls-chrome-tls13')[0]!.payload))!;
  assert.is(ch.ciphers.length, 15);
  assert.ok(ch.ciphers.every((c) => !isGrease(c)));
  assert.is(ch.extensions.length, 16);
  assert.ok(isGrease(ch.supportedVersions[0]!));
  assert.is(ch.sni, 'www.iit.cnr.it');
  assert.is(ch.legacyVersion, 0x0303);
  assert.is(parseClientHello(firstMessage(packets('tls-chrome-tls13')[0]!.payload).subarray(0, 30)), null);
  const sh = parseServerHello(firstMessage(packets('tls-chrome-tls13')[1]!.payload))!;
  assert.equal({ ...sh }, { legacyVersion: 0x0303, version: 0x0304, cipher: 0x1302, alpn: null });
});

test('JA4 follows nDPI: ALPN chars from the joined list minus its last char, numeric SNI is "i"', () => {
  const base: ClientHello = {
    legacyVersion: 0x0303,
    ciphers: [0x1301, 0x1302],
    extensions: [0, 16, 43],
    sni: 'example.com',
    alpn: ['h3'],
    supportedVersions: [0x0a0a, 0x0304],
    signatureAlgorithms: [0x0403],
    fingerprintable: true,
    sslv2: false,
  };
  assert.is(ja4(base, 'q').slice(0, 10), 'q13d0203h0');
  assert.is(ja4({ ...base, alpn: ['http/1.1'] }, 't').slice(0, 10), 't13d0203ht');
  assert.is(ja4({ ...base, alpn: [] }, 't').slice(0, 10), 't13d020300');
  assert.is(ja4({ ...base, sni: '10.1.2.3' }, 't').slice(3, 4), 'i');
  assert.is(ja4({ ...base, sni: null }, 't').slice(3, 4), 'd'); // sic: nDPI writes 'd' without SNI
  assert.is(ja4({ ...base, supportedVersions: [] }, 'd').slice(0, 3), 'd12');
  // sha256("1301,1302")[:12] and sha256("002b_0403")[:12]
  assert.is(ja4(base, 't').slice(11), '62ed6f6ca7ad_7349c354053c');
  assert.ok(isNumericAddress('::1') && isNumericAddress('2001:db8::8a2e:370:7334') && isNumericAddress('::ffff:1.2.3.4'));
  assert.not.ok(isNumericAddress('1.2.3') || isNumericAddress('256.1.1.1') || isNumericAddress('cafe.example') || isNumericAddress('1:2:3'));
});

test('version names are nDPI\'s', () => {
  assert.equal([0x0300, 0x0301, 0x0303, 0x0304, 0xfefd, 0x7f1c, 0x2a2a, 0x1234].map(tlsVersionName), [
    'SSLv3', 'TLSv1', 'TLSv1.2', 'TLSv1.3', 'DTLSv1.2', 'TLSv1.3 (draft)', 'GREASE', 'TLS (1234)',
  ]);
});

test('a certificate message cut short yields nothing rather than garbage', () => {
  const pk = packets('tls-github-tls12');
  const msg = new Uint8Array([...pk[1]!.payload, ...pk[2]!.payload, ...pk[3]!.payload]);
  // ServerHello record first; the certificate message follows in the next record.
  const shLen = (msg[3]! << 8) | msg[4]!;
  const certRecord = msg.subarray(5 + shLen + 5);
  const cert = parseCertificateMessage(certRecord)!;
  assert.is(cert.subjectCn, 'github.com');
  assert.is(parseCertificateMessage(certRecord.subarray(0, 500)), null);
});

test('DTLS 1.2 (Hangouts): ClientHello claims, ServerHello and certificate complete', () => {
  const r = run(dtlsDissector, { proto: 17, client: '192.168.12.169', clientPort: 49153, server: '142.250.82.99', serverPort: 3478 }, packets('dtls-hangouts-handshake'));
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.claimedAt, 1);
  assert.is(r.out.protocol, 'DTLS');
  const ssl = r.out.meta['ssl']!;
  assert.is(ssl['client_ja4'], 'dd2d110700_c45550529adf_d9dd6182da81');
  assert.is(ssl['version_name'], 'DTLSv1.2');
  assert.is(ssl['cipher_suite'], '0xc02f');
  assert.is(ssl['server_cn'], 'hangouts');
});

test('DTLS after STUN: STUN and a damaged datagram are stepped over until the ClientHello', () => {
  const r = run(dtlsDissector, WEBRTC, packets('dtls-webrtc-after-stun'));
  assert.is(r.claimedAt, 4);
  assert.equal(r.out.meta['ssl']!['alpn'], ['webrtc', 'c-webrtc']);
  assert.is(r.out.meta['ssl']!['client_ja4'], 'dd2d0808we_c6c2b6ec87e0_06b1ae923e2a');
});

test('DTLS: a ClientHello in fragments (reordered, across datagrams) is reassembled', () => {
  const dg = packets('dtls-hangouts-handshake')[0]!.payload;
  const msg = dg.subarray(13); // 12-byte handshake header + body
  const len = (msg[1]! << 16) | (msg[2]! << 8) | msg[3]!;
  const frag = (off: number, n: number) => {
    const h = new Uint8Array(12 + n);
    h.set(msg.subarray(0, 6));
    h.set([off >> 16, (off >> 8) & 0xff, off & 0xff, n >> 16, (n >> 8) & 0xff, n & 0xff], 6);
    h.set(msg.subarray(12 + off, 12 + off + n), 12);
    const rec = new Uint8Array(13 + h.length);
    rec.set(dg.subarray(0, 11));
    rec.set([h.length >> 8, h.length & 0xff], 11);
    rec.set(h, 13);
    return rec;
  };
  const spec = { proto: 17 as const, client: '192.168.12.169', clientPort: 49153, server: '142.250.82.99', serverPort: 3478 };
  const r = run(dtlsDissector, spec, [
    { dir: 0, payload: frag(60, len - 60) },
    { dir: 0, payload: frag(0, 60) },
  ]);
  assert.equal(r.steps, ['more', 'more']);
  assert.is(r.claimedAt, 2);
  assert.is(r.out.meta['ssl']!['client_ja4'], 'dd2d110700_c45550529adf_d9dd6182da81');
});

test('DTLS: the pre-standard version 0x0100 (OpenSSL DTLS1_BAD_VER, Cisco AnyConnect) claims', () => {
  const dg = packets('dtls-hangouts-handshake')[0]!.payload.slice();
  dg.set([0x01, 0x00], 1); // record version
  dg.set([0x01, 0x00], 13 + 12); // ClientHello legacy_version
  const spec = { proto: 17 as const, client: '192.168.12.169', clientPort: 49153, server: '198.51.100.7', serverPort: 443 };
  const r = run(dtlsDissector, spec, [{ dir: 0, payload: dg }]);
  assert.is(r.claimedAt, 1);
  assert.is(r.out.protocol, 'DTLS');
  assert.is(parseClientHello(dg.subarray(13), true)?.legacyVersion, 0x0100);
});

test('DTLS refuses what is neither DTLS nor STUN', () => {
  assert.equal(run(dtlsDissector, WEBRTC, [{ dir: 0, payload: fixture('dns-query-captive-apple') }]).steps, ['no']);
});

/** A DER element: tag, definite length, body. */
function der(tag: number, ...body: (number[] | Uint8Array)[]): number[] {
  const b = body.flatMap((x) => [...x]);
  const len = b.length < 128 ? [b.length] : [0x81, b.length];
  return [tag, ...len, ...b];
}

test('certificate IP address names read as inet_ntop writes them (IPv4-mapped with a dotted tail)', () => {
  const cn = der(0x30, der(0x31, der(0x30, der(0x06, [0x55, 0x04, 0x03]), der(0x0c, [...ascii('a.example')]))));
  const mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1];
  const v6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  const san = der(0x30, der(0x87, [198, 51, 100, 7]), der(0x87, mapped), der(0x87, v6));
  const ext = der(0xa3, der(0x30, der(0x30, der(0x06, [0x55, 0x1d, 0x11]), der(0x04, san))));
  const tbs = der(0x30, der(0xa0, der(0x02, [2])), der(0x02, [1]), der(0x30), cn, der(0x30), cn, der(0x30), ext);
  const cert = der(0x30, tbs, der(0x30), der(0x03, [0]));
  const msg = [0x0b, 0, 0, cert.length + 6, 0, 0, cert.length + 3, 0, 0, cert.length, ...cert];
  const parsed = parseCertificateMessage(new Uint8Array(msg));
  assert.equal(parsed?.altNames, ['198.51.100.7', '::ffff:192.0.2.1', '2001:db8::1']);
});

test.run();
