import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hostFromHeader, httpDissector } from '../src/classify/naming/http.js';
import { headerValue } from '../src/classify/naming/http-message.js';
import { ascii, fixture, run, type FlowSpec } from './fixtures/naming/harness.js';

const FLOW: FlowSpec = { proto: 6, client: '192.168.1.128', clientPort: 42170, server: '216.58.208.142', serverPort: 80 };

test('a whole request is claimed on its packet; the response adds status and content type', () => {
  const r = run(httpDissector, FLOW, [
    { dir: 0, payload: fixture('http-curl-request') },
    { dir: 1, payload: fixture('http-curl-response') },
  ]);
  assert.is(r.claimedAt, 1);
  assert.equal(r.steps, ['more', 'done']);
  assert.is(r.out.protocol, 'HTTP');
  assert.is(r.out.hostname, 'google.com');
  assert.equal(r.out.meta['http'], {
    method: 'GET',
    url: 'google.com/',
    host: 'google.com',
    user_agent: 'curl/7.68.0',
    status_code: 301,
    content_type: 'text/html',
    server: 'gws',
  });
});

test('a request head split over two segments is claimed when the Host header arrives', () => {
  const r = run(httpDissector, FLOW, [
    { dir: 0, payload: fixture('http-split-request-part1'), seq: 1 },
    { dir: 0, payload: fixture('http-split-request-part1'), seq: 1 }, // retransmission: ignored
    { dir: 0, payload: fixture('http-split-request-part2'), seq: 1389 },
    { dir: 1, payload: fixture('http-split-response'), seq: 1 },
  ]);
  assert.is(r.claimedAt, 3);
  assert.equal(r.steps, ['more', 'more', 'more', 'done']);
  assert.is(r.out.hostname, 'va.origin.startappservice.com');
  const http = r.out.meta['http']!;
  assert.is(http['user_agent'], 'Mozilla/5.0 (Linux; Android 6.0.1; SM-T805 Build/MMB29K; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/61.0.3163.98 Safari/537.36');
  assert.ok(String(http['url']).startsWith('va.origin.startappservice.com/tracking/adImpression?d='));
  assert.is(http['status_code'], 200);
});

test('a request head in three segments, the last two swapped and one overlapping, is joined in order', () => {
  const head = ascii('GET /index.html HTTP/1.1\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nHost: www.example.org\r\n\r\n');
  const r = run(httpDissector, FLOW, [
    { dir: 0, payload: head.subarray(0, 20), seq: 1 },
    { dir: 0, payload: head.subarray(50), seq: 51 }, // early: held
    { dir: 0, payload: head.subarray(15, 55), seq: 16 }, // overlaps both neighbours
  ]);
  assert.is(r.claimedAt, 3);
  assert.is(r.out.hostname, 'www.example.org');
  assert.is(r.out.meta['http']!['user_agent'], 'curl/8.5.0');
});

test('a flow seen only from the server side is claimed on the status line', () => {
  const r = run(httpDissector, { ...FLOW, client: '192.168.1.146', clientPort: 80, server: '192.168.1.103', serverPort: 1044 }, [
    { dir: 0, payload: fixture('http-response-only-apache') },
  ]);
  assert.is(r.claimedAt, 1);
  assert.is(r.out.protocol, 'HTTP');
  assert.is(r.out.hostname, null);
  assert.equal(r.out.meta['http'], { status_code: 200, content_type: 'text/html', server: 'Apache/2.4.41 (Ubuntu)' });
});

test('absolute-URI requests are HTTP_Proxy, CONNECT is HTTP_Connect', () => {
  const proxy = run(httpDissector, { ...FLOW, serverPort: 3128 }, [
    { dir: 0, payload: ascii('GET http://Example.COM/x?y=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n\r\n') },
  ]);
  assert.is(proxy.out.protocol, 'HTTP_Proxy');
  assert.is(proxy.out.hostname, 'example.com');
  assert.is(proxy.out.meta['http']!['url'], 'http://Example.COM/x?y=1');
  const connect = run(httpDissector, { ...FLOW, serverPort: 8080 }, [
    { dir: 0, payload: ascii('CONNECT www.example.org:443 HTTP/1.1\r\n\r\n') },
  ]);
  assert.is(connect.out.protocol, 'HTTP_Connect');
  assert.is(connect.out.hostname, 'www.example.org');
});

test('a request without Host is claimed when its head ends, with no host name', () => {
  const r = run(httpDissector, FLOW, [{ dir: 0, payload: ascii('GET /index.html HTTP/1.0\r\nAccept: */*\r\n\r\n') }]);
  assert.is(r.claimedAt, 1);
  assert.is(r.out.hostname, null);
  assert.is(r.out.meta['http']!['url'], '/index.html');
});

test('a reply that starts in a tiny segment still counts as a reply', () => {
  const r = run(httpDissector, FLOW, [
    { dir: 0, payload: ascii('GET /a HTTP/1.1\r\nUser-Agent: x\r\n') },
    { dir: 1, payload: ascii('HTTP'), seq: 1 },
    { dir: 1, payload: ascii('/1.1 204 No Content\r\n\r\n'), seq: 5 },
  ]);
  assert.is(r.claimedAt, 2);
  assert.is(r.out.meta['http']!['status_code'], 204);
});

test('Host header: lower case, port dropped, IPv6 brackets removed', () => {
  assert.is(hostFromHeader('WWW.Example.COM:8080'), 'www.example.com');
  assert.is(hostFromHeader(' 23.246.3.140 '), '23.246.3.140');
  assert.is(hostFromHeader('[2001:DB8::1]:8080'), '2001:db8::1');
});

test('not HTTP: RTSP, TLS, SSH, other text protocols, garbage after a method', () => {
  const others = [
    ascii('DESCRIBE rtsp://cam/stream RTSP/1.0\r\nCSeq: 1\r\n\r\n'),
    ascii('GET rtsp://cam/stream RTSP/1.0\r\n\r\n'),
    ascii('SSH-2.0-OpenSSH_8.9\r\n'),
    ascii('EHLO mail.example.com\r\n'),
    ascii('GET\x00\x01\x02\x03 binary'),
    ascii('GET / HTTP/2.0\r\n\r\n'),
    Uint8Array.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]),
    fixture('ssdp-msearch'), // HTTP over UDP is SSDP's, and M-SEARCH is no HTTP method
  ];
  for (const p of others) assert.equal(run(httpDissector, FLOW, [{ dir: 0, payload: p }]).steps, ['no'], String.fromCharCode(...p.subarray(0, 12)));
  // A request answered by something that is not HTTP.
  const r = run(httpDissector, FLOW, [
    { dir: 0, payload: ascii('GET / HTTP/1.1\r\nUser-Agent: x') },
    { dir: 1, payload: ascii('220 ftp ready\r\n') },
  ]);
  assert.equal(r.steps, ['more', 'no']);
  assert.is(r.out.protocol, null);
});

test('truncated prefixes never throw and never claim before the request line is whole', () => {
  const req = fixture('http-curl-request');
  for (let n = 1; n < 16; n++) {
    const r = run(httpDissector, FLOW, [{ dir: 0, payload: req.subarray(0, n) }]);
    assert.is(r.out.protocol, null);
    assert.equal(r.steps, ['more']);
  }
});

test('a User-Agent that names its application sets it, even with a bare address as host', () => {
  const r = run(httpDissector, FLOW, [
    { dir: 0, payload: ascii('GET /filestreamingservice/files/x HTTP/1.1\r\nHost: 151.99.72.125\r\nUser-Agent: Microsoft-Delivery-Optimization/10.0\r\n\r\n') },
  ]);
  assert.is(r.out.protocol, 'HTTP');
  assert.is(r.out.application, 'windows-update');
  const plain = run(httpDissector, FLOW, [{ dir: 0, payload: ascii('GET / HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.0\r\n\r\n') }]);
  assert.is(plain.out.application, null);
});

test('a header is found by its name in any case, blanks around it ignored, as slicing, trimming and lower-casing would find it', () => {
  // Latin-1 lines as readHead makes them, with the characters that case and trimming touch.
  const alphabet = ['h', 'H', 'o', 'O', 's', 'S', 't', 'T', 'à', 'À', 'þ', 'Þ', '×', '÷', ' ', '\t', '\v', '\r', '\u00a0', '\u0085', ':', '-', 'x'];
  let seed = 5;
  const pick = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const plain = (lines: string[], name: string): string | null => {
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name.toLowerCase()) return line.slice(colon + 1).trim();
    }
    return null;
  };
  for (let i = 0; i < 5000; i++) {
    const lines = ['GET / HTTP/1.1'];
    for (let k = 0, n = 1 + pick(4); k < n; k++) {
      let line = '';
      for (let c = 0, len = pick(12); c < len; c++) line += alphabet[pick(alphabet.length)];
      lines.push(pick(2) ? line : `${[' ', '', '\u00a0'][pick(3)]}${['Host', 'HOST', 'hoSt', 'Àþ', 'àÞ', 'x-×'][pick(6)]}${[' ', '', '\t'][pick(3)]}:${line}`);
    }
    for (const name of ['host', 'HOST', 'àþ', 'x-×', 'x-÷']) assert.is(headerValue({ lines, complete: true }, name), plain(lines, name), JSON.stringify(lines));
  }
});

test.run();
