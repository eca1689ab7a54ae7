/**
 * The client side of the live lab, run inside the client namespace. Each argument is one
 * exchange, done in order: tls:<sni>[:<bytes>], http:<host>[:<bytes>], dns:<name>,
 * udp:<text>, wait:<ms>. Prints one JSON line: each exchange's outcome.
 * With "--repeat N --every MS" the list runs N times, MS apart (traffic over time).
 */
import { request } from 'node:http';
import { connect } from 'node:tls';
import { createSocket } from 'node:dgram';

const args = process.argv.slice(2);
const server = args.shift()!;
let repeat = 1;
let every = 0;
const steps: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--repeat') repeat = Number(args[++i]);
  else if (args[i] === '--every') every = Number(args[++i]);
  else steps.push(args[i]!);
}

const TIMEOUT = 8000;

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, rej) => setTimeout(() => rej(new Error(`${what}: timeout`)), TIMEOUT))]);
}

function tls(sni: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: server, port: 443, servername: sni, rejectUnauthorized: false }, () => s.write(`GET ${bytes}\n`));
    let got = 0;
    s.on('data', (d) => (got += d.length));
    s.on('end', () => (got === bytes ? resolve(got) : reject(new Error(`tls ${sni}: ${got}/${bytes} bytes`))));
    s.on('error', reject);
  });
}

function http(host: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: server, port: 80, path: `/?n=${bytes}`, headers: { host }, agent: false }, (res) => {
      let got = 0;
      res.on('data', (d: Buffer) => (got += d.length));
      res.on('end', () => (got === bytes ? resolve(got) : reject(new Error(`http ${host}: ${got}/${bytes}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A DNS query that is sent again every second until answered, as stub resolvers do: a
 * datagram can be lost on the way (one that sat in the queue when its reader was killed is
 * dropped by the kernel), and a client that never resends would fail where a real one
 * does not.
 */
function dnsQuery(name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const labels = name.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]);
    const q = Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, 0, 1, 0, 1]);
    const resend = setInterval(() => s.send(q, 53, server), 1000);
    const end = () => {
      clearInterval(resend);
      s.close();
    };
    s.on('message', (m) => {
      end();
      resolve(m.length);
    });
    s.on('error', (e) => {
      end();
      reject(e);
    });
    s.send(q, 53, server);
  });
}

function udp(text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.on('message', (m) => {
      s.close();
      resolve(m.length);
    });
    s.on('error', reject);
    s.send(Buffer.from(text), 5000, server);
  });
}

async function step(spec: string): Promise<number> {
  const [kind, arg, n] = spec.split(':');
  switch (kind) {
    case 'tls':
      return tls(arg!, Number(n ?? 64));
    case 'http':
      return http(arg!, Number(n ?? 64));
    case 'dns':
      return dnsQuery(arg!);
    case 'udp':
      return udp(arg!);
    case 'wait':
      await new Promise((r) => setTimeout(r, Number(arg)));
      return 0;
    default:
      throw new Error(`unknown step ${spec}`);
  }
}

const results: { step: string; ok: boolean; error?: string }[] = [];
for (let r = 0; r < repeat; r++) {
  for (const s of steps) {
    try {
      await withTimeout(step(s), s);
      results.push({ step: s, ok: true });
    } catch (e) {
      results.push({ step: s, ok: false, error: (e as Error).message });
    }
  }
  if (every > 0 && r + 1 < repeat) await new Promise((res) => setTimeout(res, every));
}
// A blocked exchange leaves a socket retrying in the background: the outcome is known, so end now.
process.stdout.write(JSON.stringify(results) + '\n', () => process.exit(0));
