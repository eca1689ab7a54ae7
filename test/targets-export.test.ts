/**
 * The targets that write outside the kernel: log files per interval (every record once,
 * no empty files, failed writes retried), the sink over a unix socket and TCP (length
 * header, gzip, flow_events, a stalled receiver that costs drops but never a wait), and
 * IPFIX checked by a decoder written from RFC 7011 and received by nfdump's nfcapd.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { IpfixTarget as IpfixConfig, LogTarget as LogConfig, SinkTarget as SinkConfig } from '../src/config/policy-config.js';
import type { NativeLoader } from '../src/runtime/native-abi.js';
import { applicationId, APP_NAME_LENGTH, ENTERPRISE_HOST_NAME, IE, TEMPLATE_APPS, TEMPLATE_V4, TEMPLATE_V6 } from '../src/targets/ipfix-encode.js';
import { IpfixTarget } from '../src/targets/ipfix.js';
import { logFileName, LogTarget } from '../src/targets/log.js';
import { frameRecord, parseEndpoint } from '../src/targets/sink-frame.js';
import { SinkTarget } from '../src/targets/sink.js';
import type { TargetDeps, TargetEvent } from '../src/targets/types.js';
import { PolicyTargets } from '../src/targets/policy-targets.js';
import { Logger } from '../src/live/logger.js';
import type { Firing } from '../src/policy/runner.js';
import { field, IpfixCollector, ipv4, text, uint } from './helpers/ipfix-decode.js';
import { record } from './helpers/records.js';
import { runScenario, txikiAvailable } from './helpers/targets-scenario.js';

const source = { file: 'test', line: 1, column: 1 } as unknown as LogConfig['source'];
const noNative: NativeLoader = () => Promise.reject(new Error('not used'));

function deps(clock: { now: number }, log: string[] = []): TargetDeps {
  return {
    log: (level, m) => log.push(`${level}: ${m}`),
    loadNative: noNative,
    now: () => clock.now,
    readTextFile: (p) => Promise.resolve(readFileSync(p, 'utf8')),
    appendFile: (p, d) => appendFile(p, d),
  };
}

/** Events whose local_port numbers them, to check order and completeness. */
function events(from: number, n: number, kind: TargetEvent['kind'] = 'new'): TargetEvent[] {
  return Array.from({ length: n }, (_, i) => ({ record: record({ local_port: from + i }), action: 'games', kind }));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

// ------------------------------------------------------------------ log

test('log: one file per interval named by its start, every record once, no file for an empty interval', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-log-'));
  const cfg: LogConfig = { name: 'lg', enabled: true, source, type: 'log', prefix: 'games', path: dir, suffix: '.json', interval: 60 };
  const clock = { now: 1_700_000_000_000 };
  const t = new LogTarget(cfg, deps(clock));
  const start = Math.floor(clock.now / 60_000) * 60;
  await t.handle(events(1, 2));
  clock.now += 30_000;
  await t.handle(events(3, 1));
  clock.now += 31_000; // next interval
  await t.handle(events(4, 1));
  clock.now += 130_000; // skips one interval
  await t.handle(events(5, 3));
  await t.stop();
  const files = readdirSync(dir).sort();
  assert.equal(files, [`games-${start}.json`, `games-${start + 60}.json`, `games-${start + 180}.json`]);
  const lines = files.flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
  const recs = lines.map((l) => JSON.parse(l) as { local_port: number; flow_action: { action: string; target: string; event: string } });
  assert.equal(recs.map((r) => r.local_port), [1, 2, 3, 4, 5, 6, 7]);
  assert.equal(recs[0]!.flow_action, { action: 'games', target: 'lg', event: 'new', timestamp: 1_700_000_000_000 });
  assert.is(t.status().done, 7);
  assert.is(logFileName({ ...cfg, prefix: null, path: '/tmp/' }, 120_500), '/tmp/flowsieve-lg-120.json');
});

test('log: a write that fails is kept and written once the directory is there; the reason is logged once', async () => {
  const base = mkdtempSync(join(tmpdir(), 'fs-log-'));
  const dir = join(base, 'later');
  const log: string[] = [];
  const clock = { now: 1_700_000_000_000 };
  const t = new LogTarget({ name: 'lg', enabled: true, source, type: 'log', prefix: 'p', path: dir, suffix: '.json', interval: 300 }, deps(clock, log));
  await t.handle(events(1, 2));
  await t.handle(events(3, 2));
  assert.is(t.status().done, 0);
  assert.is(log.length, 1);
  mkdirSync(dir);
  await t.tick();
  const lines = readFileSync(join(dir, readdirSync(dir)[0]!), 'utf8').trim().split('\n');
  assert.equal(lines.map((l) => (JSON.parse(l) as { local_port: number }).local_port), [1, 2, 3, 4]);
  assert.is(t.status().done, 4);
});

// ------------------------------------------------------------------ sink

function sinkCfg(over: Partial<SinkConfig>): SinkConfig {
  return { name: 'sk', enabled: true, source, type: 'sink', sink: null, channel: null, format: 'json', compressor: 'none', flowEvents: ['new', 'updated', 'expired'], header: false, endpoint: '', bufferSize: 1 << 20, ...over };
}

interface Receiver {
  readonly server: Server;
  readonly data: Buffer[];
  socket: Socket | null;
  readonly endpoint: string;
}

async function receiver(kind: 'unix' | 'tcp', stalled = false): Promise<Receiver> {
  const r: Receiver = { server: createServer(), data: [], socket: null, endpoint: '' };
  r.server.on('connection', (s: Socket) => {
    r.socket = s;
    if (stalled) s.pause();
    s.on('data', (b: Buffer) => r.data.push(b));
  });
  if (kind === 'unix') {
    const path = join(mkdtempSync(join(tmpdir(), 'fs-sink-')), 'sink.sock');
    await new Promise<void>((res) => r.server.listen(path, res));
    return Object.assign(r, { endpoint: `unix:${path}` });
  }
  await new Promise<void>((res) => r.server.listen(0, '127.0.0.1', res));
  const port = (r.server.address() as { port: number }).port;
  return Object.assign(r, { endpoint: `tcp:127.0.0.1:${port}` });
}

/** Splits `{"length":N}\n` + N bytes frames. */
function unframe(all: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < all.length) {
    const nl = all.indexOf(10, at);
    const n = (JSON.parse(all.subarray(at, nl).toString()) as { length: number }).length;
    out.push(all.subarray(nl + 1, nl + 1 + n));
    at = nl + 1 + n;
  }
  return out;
}

test('sink: records reach a unix socket receiver as length-framed JSON, in order; flow_events filters', async () => {
  const rx = await receiver('unix');
  const t = new SinkTarget(sinkCfg({ endpoint: rx.endpoint, header: true, flowEvents: ['new'] }), deps({ now: 5 }));
  await t.start();
  await t.handle(events(1, 3));
  await t.handle(events(100, 2, 'updated'));
  await t.handle(events(4, 2));
  await t.drained();
  await sleep(50);
  const frames = unframe(Buffer.concat(rx.data));
  const recs = frames.map((f) => JSON.parse(f.toString()) as { local_port: number; flow_action: { event: string } });
  assert.equal(recs.map((r) => r.local_port), [1, 2, 3, 4, 5]);
  assert.ok(frames.every((f) => f.at(-1) === 10), 'each record ends with a newline');
  assert.equal(t.status().dropped, 0);
  await t.stop();
  rx.server.close();
});

test('sink: gzip over TCP without header is one multi-member gzip stream of JSON lines', async () => {
  const rx = await receiver('tcp');
  const t = new SinkTarget(sinkCfg({ endpoint: rx.endpoint, compressor: 'gz' }), deps({ now: 5 }));
  await t.start();
  await t.handle(events(1, 50));
  await t.drained();
  await sleep(50);
  const lines = gunzipSync(Buffer.concat(rx.data)).toString().trim().split('\n');
  assert.equal(lines.map((l) => (JSON.parse(l) as { local_port: number }).local_port), Array.from({ length: 50 }, (_, i) => i + 1));
  await t.stop();
  rx.server.close();
});

for (const kind of ['unix', 'tcp'] as const) {
  test(`sink: a stalled ${kind} receiver costs drops (counted), never a wait; it gets an in-order run of the records when it reads again`, async () => {
    const rx = await receiver(kind, true);
    const t = new SinkTarget(sinkCfg({ endpoint: rx.endpoint, bufferSize: 64 * 1024, flowEvents: [] }), deps({ now: 5 }));
    try {
      await t.start();
      const big = 'x'.repeat(1000);
      const total = 20_000;
      // ~20 MB against a 64 KB buffer and a receiver that reads nothing: every handle()
      // resolves; between batches the event loop runs, so the writer fills the kernel's
      // socket buffers and then waits on the stalled peer.
      for (let i = 0; i < total; i += 200) {
        await t.handle(events(i + 1, 200).map((e) => ({ ...e, record: { ...e.record, pad: big } })));
        await sleep(0);
      }
      const s = t.status();
      assert.ok(s.dropped > 0, 'records were dropped');
      assert.ok(s.done + s.dropped < total, 'some are still queued behind the stalled receiver');
      assert.ok(rx.socket, 'connected');
      rx.socket!.resume();
      await t.drained();
      await sleep(200);
      const ports = Buffer.concat(rx.data)
        .toString()
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { local_port: number }).local_port);
      const after = t.status();
      assert.is(ports.length, after.done);
      assert.is(after.done + after.dropped, total);
      assert.ok(ports.every((p, i) => i === 0 || p > ports[i - 1]!), 'in order, none twice');
    } finally {
      await t.stop();
      rx.socket?.destroy();
      rx.server.close();
    }
  });
}

test('sink: an absent receiver is one reported reason; records wait in the buffer and arrive once it listens', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'fs-sink-')), 'late.sock');
  const log: string[] = [];
  const t = new SinkTarget(sinkCfg({ endpoint: `unix:${path}` }), deps({ now: 5 }, log));
  await t.start();
  await t.handle(events(1, 3));
  await sleep(300);
  assert.ok(log.length >= 1 && log.every((l) => /cannot connect/.test(l)), log.join('\n'));
  const data: Buffer[] = [];
  const server = createServer((s) => s.on('data', (b: Buffer) => data.push(b)));
  await new Promise<void>((res) => server.listen(path, res));
  await t.drained();
  await sleep(50);
  assert.is(Buffer.concat(data).toString().trim().split('\n').length, 3);
  await t.stop();
  server.close();
});

test('sink framing: endpoints parse; a header counts the bytes that follow', async () => {
  assert.equal(parseEndpoint('unix:/var/run/x.sock'), { kind: 'unix', path: '/var/run/x.sock' });
  assert.equal(parseEndpoint('tcp:[2001:db8::1]:7150'), { kind: 'tcp', host: '2001:db8::1', port: 7150 });
  assert.equal(parseEndpoint('tcp:host:99999'), null);
  assert.equal(parseEndpoint('udp:x:1'), null);
  const f = await frameRecord('{"a":"é"}', { header: true, gzip: false });
  assert.is(Buffer.from(f).toString(), '{"length":11}\n{"a":"é"}\n');
});

// ------------------------------------------------------------------ ipfix

function ipfixCfg(over: Partial<IpfixConfig>): IpfixConfig {
  return { name: 'fx', enabled: true, source, type: 'ipfix', collector: '', transport: 'udp', templateInterval: 60, observationDomain: 7, enterpriseNumber: 32473, bufferSize: 1 << 20, ...over };
}

async function udpCollector(): Promise<{ port: number; messages: Buffer[]; close(): void }> {
  const sock = createSocket('udp4');
  const messages: Buffer[] = [];
  sock.on('message', (m) => messages.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return { port: sock.address().port, messages, close: () => sock.close() };
}

const FLOW = record({
  local_ip: '192.168.1.10',
  local_port: 50000,
  other_ip: '203.0.113.5',
  other_port: 443,
  first_seen_at: 1_700_000_000_123,
  last_seen_at: 1_700_000_004_456,
  local_bytes: 1500,
  other_bytes: 64000,
  local_packets: 10,
  other_packets: 50,
  host_server_name: 'www.youtube.com',
});

test('ipfix: templates, the application table and flow records decode per RFC 7011 with RFC 6759 application ids', async () => {
  const col = await udpCollector();
  const clock = { now: 1_700_000_010_000 };
  const t = new IpfixTarget(ipfixCfg({ collector: `127.0.0.1:${col.port}` }), deps(clock));
  await t.start();
  const v6 = record({ ip_version: 6, local_ip: 'fd00::10', other_ip: '2001:db8::5', detected_application_name: null, detected_protocol_name: 'QUIC', host_server_name: 'a'.repeat(300) });
  await t.handle([{ record: FLOW, action: 'a', kind: 'new' }, { record: v6, action: 'a', kind: 'new' }, { record: FLOW, action: 'a', kind: 'updated' }]);
  await sleep(100);
  const dec = new IpfixCollector();
  const msgs = col.messages.map((m) => dec.decode(new Uint8Array(m)));
  assert.ok(msgs.every((m) => m.version === 10 && m.domain === 7 && m.exportTime === 1_700_000_010));
  // First the templates: two flow templates and the application options template.
  const [v4t, v6t, appt] = msgs[0]!.templates;
  assert.is(v4t!.id, TEMPLATE_V4);
  assert.is(v6t!.id, TEMPLATE_V6);
  assert.equal(v4t!.fields.map((f) => f.id), [8, 12, 7, 11, 4, 1, 2, 152, 153, 95, ENTERPRISE_HOST_NAME]);
  assert.equal(v4t!.fields.at(-1), { id: ENTERPRISE_HOST_NAME, length: 0xffff, enterprise: 32473 });
  assert.is(appt!.id, TEMPLATE_APPS);
  assert.is(appt!.scopeCount, 1);
  assert.equal(appt!.fields.map((f) => f.id), [IE.applicationId, IE.applicationId, IE.applicationName, IE.applicationDescription]);
  const records = msgs.flatMap((m) => m.records);
  const apps = records.filter((r) => r.template === TEMPLATE_APPS);
  const flows = records.filter((r) => r.template !== TEMPLATE_APPS);
  assert.equal(apps.map((a) => text(field(a, IE.applicationName)!)), ['youtube', 'QUIC']);
  assert.is(text(field(apps[0]!, IE.applicationDescription)!), 'TLS streaming-media');
  assert.is(field(apps[0]!, IE.applicationName)!.length, APP_NAME_LENGTH);
  assert.equal([...field(apps[0]!, IE.applicationId)!], [...applicationId('youtube')]);
  assert.is(field(apps[0]!, IE.applicationId)![0], 13, 'classification engine 13 (PANA-L7)');
  assert.is(flows.length, 3);
  const f = flows[0]!;
  assert.is(ipv4(field(f, IE.sourceIPv4Address)!), '192.168.1.10');
  assert.is(ipv4(field(f, IE.destinationIPv4Address)!), '203.0.113.5');
  assert.is(uint(field(f, IE.sourceTransportPort)!), 50000);
  assert.is(uint(field(f, IE.destinationTransportPort)!), 443);
  assert.is(uint(field(f, IE.protocolIdentifier)!), 6);
  assert.is(uint(field(f, IE.octetDeltaCount)!), 65500);
  assert.is(uint(field(f, IE.packetDeltaCount)!), 60);
  assert.is(uint(field(f, IE.flowStartMilliseconds)!), 1_700_000_000_123);
  assert.is(uint(field(f, IE.flowEndMilliseconds)!), 1_700_000_004_456);
  assert.equal([...field(f, IE.applicationId)!], [...applicationId('youtube')]);
  assert.is(text(field(f, ENTERPRISE_HOST_NAME, 32473)!), 'www.youtube.com');
  // IPv6 record; a 300-byte host name takes the 3-byte variable-length form.
  assert.is(flows[1]!.template, TEMPLATE_V6);
  assert.is(field(flows[1]!, IE.sourceIPv6Address)!.length, 16);
  assert.is(text(field(flows[1]!, ENTERPRISE_HOST_NAME, 32473)!).length, 300);
  // Sequence numbers count the data records sent before each message.
  let seq = 0;
  for (const m of msgs) {
    assert.is(m.sequence, seq);
    seq += m.records.length;
  }
  // Templates again after template_interval, with the applications known so far.
  const before = col.messages.length;
  clock.now += 61_000;
  await t.tick(clock.now);
  await sleep(100);
  const again = col.messages.slice(before).map((m) => dec.decode(new Uint8Array(m)));
  assert.is(again[0]!.templates.length, 3);
  assert.equal(again.flatMap((m) => m.records).map((r) => text(field(r, IE.applicationName)!)), ['youtube', 'QUIC']);
  await t.stop();
  col.close();
});

test('ipfix: a flow exported at its match and at its end carries delta counts (its octets count once)', async () => {
  const col = await udpCollector();
  const t = new IpfixTarget(ipfixCfg({ collector: `127.0.0.1:${col.port}` }), deps({ now: 1_700_000_010_000 }));
  await t.start();
  await t.handle([{ record: FLOW, action: 'a', kind: 'new' }]);
  const end = { ...FLOW, local_bytes: 3000, other_bytes: 900_000, local_packets: 40, other_packets: 700 };
  await t.handle([{ record: end, action: 'a', kind: 'expired' }]);
  await sleep(100);
  const dec = new IpfixCollector();
  const flows = col.messages.flatMap((m) => dec.decode(new Uint8Array(m)).records).filter((r) => r.template === TEMPLATE_V4);
  assert.equal(flows.map((f) => uint(field(f, IE.octetDeltaCount)!)), [65_500, 903_000 - 65_500]);
  assert.equal(flows.map((f) => uint(field(f, IE.packetDeltaCount)!)), [60, 680]);
  await t.stop();
  col.close();
});

test('ipfix over TCP: the collector gets templates first on each connection, then the records', async () => {
  const data: Buffer[] = [];
  const server = createServer((s) => s.on('data', (b: Buffer) => data.push(b)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const t = new IpfixTarget(ipfixCfg({ collector: `127.0.0.1:${port}`, transport: 'tcp' }), deps({ now: 1_700_000_000_000 }));
  await t.start();
  await t.handle([{ record: FLOW, action: 'a', kind: 'new' }]);
  await t.drained();
  await sleep(50);
  const all = Buffer.concat(data);
  const dec = new IpfixCollector();
  const msgs: ReturnType<IpfixCollector['decode']>[] = [];
  for (let at = 0; at < all.length; ) {
    const len = all.readUInt16BE(at + 2);
    msgs.push(dec.decode(new Uint8Array(all.subarray(at, at + len))));
    at += len;
  }
  assert.is(msgs[0]!.templates.length, 3);
  // Names are known before the record that uses them, and the flow record comes last.
  const records = msgs.flatMap((m) => m.records);
  assert.is(records.findIndex((r) => r.template === TEMPLATE_APPS), 0);
  assert.is(records.at(-1)!.template, TEMPLATE_V4);
  await t.stop();
  server.close();
});

const NFCAPD = spawnSync('sh', ['-c', 'command -v nfcapd && command -v nfdump']).status === 0;

test("ipfix: nfdump's nfcapd receives the flows and nfdump shows them with their application names", async () => {
  if (!NFCAPD) {
    console.log('  (skipped: nfdump not installed; scripts/setup-debian.sh installs it)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'fs-nfcapd-'));
  const probe = createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
  const port = probe.address().port;
  probe.close();
  const nfcapd = spawn('nfcapd', ['-b', '127.0.0.1', '-p', String(port), '-w', dir, '-t', '60'], { stdio: 'ignore' });
  try {
    await sleep(500);
    const now = Date.now();
    const t = new IpfixTarget(ipfixCfg({ collector: `127.0.0.1:${port}` }), deps({ now }));
    await t.start();
    const flows = [
      { ...FLOW, first_seen_at: now - 5000, last_seen_at: now - 1000 },
      { ...FLOW, other_ip: '198.51.100.7', detected_application_name: 'netflix', host_server_name: 'www.netflix.com', first_seen_at: now - 4000, last_seen_at: now - 500 },
    ];
    await t.handle(flows.map((r) => ({ record: r, action: 'a', kind: 'new' as const })));
    await sleep(300);
    await t.stop();
  } finally {
    nfcapd.kill('SIGTERM');
    await new Promise((r) => nfcapd.on('exit', r));
  }
  const out = spawnSync('nfdump', ['-R', dir, '-q', '-o', 'fmt:%sa %da %dp %pr %byt %nbnam'], { encoding: 'utf8' });
  assert.is(out.status, 0, out.stderr);
  // %nbnam prints the application name and its description: 'youtube/TLS streaming-media'.
  const lines = out.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/));
  assert.equal(lines.map((l) => [l[0], l[1], l[2], l[3], l[5]!.split('/')[0]]), [
    ['192.168.1.10', '203.0.113.5', '443', 'TCP', 'youtube'],
    ['192.168.1.10', '198.51.100.7', '443', 'TCP', 'netflix'],
  ]);
  assert.match(lines[0]!.slice(5).join(' '), /^youtube\/TLS streaming-media$/);
  rmSync(dir, { recursive: true, force: true });
  assert.ok(!existsSync(dir));
});

test('under txiki.js: the sink (unix socket, header, gzip) and IPFIX over UDP deliver, and the process ends', async () => {
  if (!txikiAvailable()) {
    console.log('  (skipped: no txiki.js binary)');
    return;
  }
  const rx = await receiver('unix');
  const col = await udpCollector();
  try {
    const r = runScenario(
      null,
      {
        targets: [sinkCfg({ endpoint: rx.endpoint, header: true, compressor: 'gz' }), ipfixCfg({ collector: `127.0.0.1:${col.port}` })],
        globals: { ctlabel: { maxBits: 127, connlabelConf: '' }, pftable: { device: '' } },
        steps: [{ events: { sk: events(1, 3), fx: [{ record: FLOW, action: 'a', kind: 'new' }] } }],
      },
      'txiki',
    );
    assert.is(r.runtime, 'txiki');
    assert.equal(r.log, []);
    await sleep(100);
    const recs = unframe(Buffer.concat(rx.data)).map((f) => JSON.parse(gunzipSync(f).toString()) as { local_port: number });
    assert.equal(recs.map((x) => x.local_port), [1, 2, 3]);
    const dec = new IpfixCollector();
    const flows = col.messages.flatMap((m) => dec.decode(new Uint8Array(m)).records).filter((x) => x.template === TEMPLATE_V4);
    assert.is(text(field(flows[0]!, ENTERPRISE_HOST_NAME, 32473)!), 'www.youtube.com');
  } finally {
    rx.server.close();
    col.close();
  }
});

// ------------------------------------------------------------------ the daemon's runner

test("the daemon's runner: a firing reaches its action's targets; the flow's end reaches the sink as 'expired', not the log", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-runner-'));
  const rx = await receiver('unix');
  const lines: string[] = [];
  const log = new Logger((l) => lines.push(l));
  const clock = { now: 1_700_000_000_000 };
  const targets = new Map<string, LogConfig | SinkConfig>([
    ['lg', { name: 'lg', enabled: true, source, type: 'log', prefix: 'm', path: dir, suffix: '.json', interval: 60 }],
    ['sk', sinkCfg({ name: 'sk', endpoint: rx.endpoint, flowEvents: ['new', 'expired'] })],
  ]);
  const actions = [{ name: 'games', targets: ['lg', 'sk'] }] as unknown as ConstructorParameters<typeof PolicyTargets>[2]['actions'];
  const pt = new PolicyTargets(deps(clock), log, { targets, targetGlobals: { ctlabel: { maxBits: 127, connlabelConf: '' }, pftable: { device: '' } }, actions });
  await pt.start();
  const flow = {};
  const firing = { flow, record: record({ local_port: 1 }), action: { spec: { name: 'games', targets: ['lg', 'sk'] } }, reason: 'classified' } as unknown as Firing;
  await pt.run([firing]);
  pt.ended(flow, () => record({ local_port: 1, other_bytes: 5000 }));
  pt.ended({}, () => record({ local_port: 2 })); // a flow nothing fired for: no event
  await sleep(200);
  await pt.stop();
  const sent = Buffer.concat(rx.data).toString().trim().split('\n').map((l) => JSON.parse(l) as { local_port: number; flow_action: { event: string } });
  assert.equal(sent.map((r) => [r.local_port, r.flow_action.event]), [[1, 'new'], [1, 'expired']]);
  const logged = readdirSync(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n'));
  assert.is(logged.length, 1);
  assert.match(lines.join('\n'), /action games matched/);
  rx.server.close();
});

test.run();
