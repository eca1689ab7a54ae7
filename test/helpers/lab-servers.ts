/**
 * The server side of the live lab, run inside the server namespace: TLS on 443 (a
 * certificate per SNI name, chosen by the client's server_name), HTTP on 80, DNS on UDP
 * 53 (answers A queries with one address), and a UDP echo service on 5000. Prints
 * "ready" once everything listens; runs until killed.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { createSecureContext, createServer as createTls, type SecureContext } from 'node:tls';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';

const [certDir, namesArg, answer] = process.argv.slice(2);
const names = namesArg!.split(',');
const contexts = new Map<string, SecureContext>();
for (const n of names) {
  contexts.set(n, createSecureContext({ key: readFileSync(join(certDir!, `${n}.key`)), cert: readFileSync(join(certDir!, `${n}.crt`)) }));
}
const fallback = contexts.get(names[0]!)!;

// TLS: a response of the requested size (bytes after "GET <n>\n"), so flows can be long.
const tls = createTls({ SNICallback: (name, cb) => cb(null, contexts.get(name) ?? fallback), ...{ key: readFileSync(join(certDir!, `${names[0]}.key`)), cert: readFileSync(join(certDir!, `${names[0]}.crt`)) } }, (s) => {
  s.once('data', (d) => {
    const n = Number(/GET (\d+)/.exec(d.toString())?.[1] ?? 16);
    s.end(Buffer.alloc(n, 0x61));
  });
  s.on('error', () => {});
});
const http = createHttp((req, res) => {
  const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 16);
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(Buffer.alloc(n, 0x62));
});
http.keepAliveTimeout = 100;

// DNS: echo the question, one A record.
const dns = createSocket('udp4');
dns.on('message', (q, rinfo) => {
  if (q.length < 12) return;
  let i = 12;
  while (i < q.length && q[i] !== 0) i += q[i]! + 1;
  const question = q.subarray(12, i + 5);
  const header = Buffer.from([q[0]!, q[1]!, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
  const ip = answer!.split('.').map(Number);
  const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...ip]);
  dns.send(Buffer.concat([header, question, rr]), rinfo.port, rinfo.address);
});
const echo = createSocket('udp4');
echo.on('message', (m, rinfo) => echo.send(m, rinfo.port, rinfo.address));

await Promise.all([
  new Promise<void>((r) => tls.listen(443, '0.0.0.0', () => r())),
  new Promise<void>((r) => http.listen(80, '0.0.0.0', () => r())),
  new Promise<void>((r) => dns.bind(53, '0.0.0.0', () => r())),
  new Promise<void>((r) => echo.bind(5000, '0.0.0.0', () => r())),
]);
console.log('ready');
