#!/usr/bin/env node
// Records real ubus traffic for test/fixtures/ubus/: ubusd, the ubus CLI and a libubus
// server (libubus-peer.c) talk through a proxy socket that logs every frame in both
// directions, and libubox's writer prints blobmsg vectors (blobmsg-vectors.c).
// Needs libubox/ubus built under /tmp (shared/tools/build-openwrt-tools.sh):
//   node scripts/ubus/record-fixtures.mjs [/tmp/openwrt-tools/prefix]
import { createServer, createConnection } from 'node:net';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const prefix = process.argv[2] ?? '/tmp/openwrt-tools/prefix';
const here = new URL('.', import.meta.url).pathname;
const out = new URL('../../test/fixtures/ubus/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ubus-rec-'));
const real = join(dir, 'ubusd.sock');
const proxied = join(dir, 'proxy.sock');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function build(name, libs) {
  const exe = join(dir, name);
  execFileSync('gcc', ['-O1', '-Wall', `-I${prefix}/include`, '-o', exe, join(here, `${name}.c`), `-L${prefix}/lib`, `-Wl,-rpath,${prefix}/lib`, ...libs]);
  return exe;
}

const vectors = execFileSync(build('blobmsg-vectors', ['-lubox']), { encoding: 'utf8' })
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const peer = build('libubus-peer', ['-lubus', '-lubox', '-lblobmsg_json', '-ljson-c']);

const ubusd = spawn(join(prefix, 'sbin/ubusd'), ['-s', real], { stdio: 'inherit' });
await sleep(300);

/** Every connection through the proxy, labelled by whoever opened it. */
const conversations = [];
let nextLabel = 'unlabelled';
createServer((client) => {
  const conv = { label: nextLabel, frames: [] };
  conversations.push(conv);
  const upstream = createConnection({ path: real });
  const splitter = (dir) => {
    let buf = Buffer.alloc(0);
    return (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 12) {
        const len = 8 + (buf.readUInt32BE(8) & 0xffffff);
        if (buf.length < len) break;
        conv.frames.push({ dir, hex: buf.subarray(0, len).toString('hex') });
        buf = buf.subarray(len);
      }
    };
  };
  const toServer = splitter('out');
  const toClient = splitter('in');
  client.on('data', (d) => { toServer(d); upstream.write(d); });
  upstream.on('data', (d) => { toClient(d); client.write(d); });
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
  client.on('error', () => {});
  upstream.on('error', () => {});
}).listen(proxied);
await sleep(100);

function start(label, cmd, args) {
  nextLabel = label;
  const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  p.stdout.on('data', (d) => (text += d));
  p.stderr.on('data', (d) => (text += d));
  return { p, output: () => text, done: new Promise((r) => p.on('close', (code) => r(code))) };
}
async function run(label, args) {
  const r = start(label, join(prefix, 'bin/ubus'), ['-s', proxied, ...args]);
  const code = await r.done;
  await sleep(100);
  return { code, output: r.output() };
}

const server = start('libubus server: add object fx, answer echo, notify', peer, [proxied]);
await sleep(300);
const listener = start('libubus listener: register for fx.*, receive an event', peer, [proxied, '-l', 'fx.*']);
await sleep(300);
const subscriber = start('ubus subscribe fx', join(prefix, 'bin/ubus'), ['-s', proxied, 'subscribe', 'fx']);
await sleep(300);
const results = {
  list: await run('ubus list -v', ['list', '-v']),
  call: await run('ubus call fx echo', ['call', 'fx', 'echo', '{"msg":"hi","n":21}']),
  bad: await run('ubus call fx echo without msg', ['call', 'fx', 'echo', '{"n":1}']),
  nomethod: await run('ubus call fx nope', ['call', 'fx', 'nope']),
  noobject: await run('ubus call missing x', ['call', 'missing', 'x']),
  send: await run('ubus send fx.alert', ['send', 'fx.alert', '{"level":2,"tags":["a","b"],"ratio":0.25,"big":5000000000,"on":true,"none":null}']),
};
await sleep(300);
for (const r of [server, listener, subscriber]) r.p.kill();
await sleep(200);
ubusd.kill();
rmSync(dir, { recursive: true, force: true });

writeFileSync(join(out, 'blobmsg-vectors.json'), JSON.stringify({ source: 'libubox blobmsg.c via scripts/ubus/blobmsg-vectors.c', vectors }, null, 1) + '\n');
writeFileSync(
  join(out, 'wire.json'),
  JSON.stringify({ source: 'ubusd, ubus CLI and libubus through scripts/ubus/record-fixtures.mjs', cli: Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { code: v.code, output: v.output.split('\nUsage:')[0] }])), listenerOutput: listener.output(), subscriberOutput: subscriber.output(), conversations }, null, 1) + '\n',
);
console.log(`${vectors.length} blobmsg vectors, ${conversations.length} conversations, ${conversations.reduce((n, c) => n + c.frames.length, 0)} frames`);
process.exit(0);
