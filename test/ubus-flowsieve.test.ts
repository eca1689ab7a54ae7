/**
 * The daemon's `flowsieve` ubus object over a DaemonState holding the flows of
 * samples/home-lan.pcapng: what status, flows, apps, actions and check answer; the
 * rate-limited `flowsieve.action` events. Then, when ubusd is built under /tmp (see
 * shared/tools/openwrt-tools.md; CI has none and skips these), the same object on a real
 * ubusd through the real `ubus` CLI: list -v, call, listen, subscribe, ubusd restarting.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultCatalogue } from '../src/catalogue/catalogue.js';
import { replayCapture } from '../src/cli/replay.js';
import { DaemonState, type CheckReport } from '../src/live/daemon-state.js';
import type { Firing } from '../src/policy/runner.js';
import type { FlowRecord } from '../src/record/flow-record.js';
import { UbusClient } from '../src/ubus/client.js';
import { selectFlows, usage, flowRow } from '../src/ubus/flow-view.js';
import { FlowsieveBus } from '../src/ubus/flowsieve-object.js';
import { RateLimit } from '../src/ubus/rate-limit.js';

const records: FlowRecord[] = replayCapture(new Uint8Array(readFileSync(new URL('../samples/home-lan.pcapng', import.meta.url))), {
  catalogue: defaultCatalogue,
}).records;
const lastSeen = Math.max(...records.map((r) => r.last_seen_at));

function daemonState(clock: () => number): DaemonState {
  return new DaemonState(
    {
      runtime: 'node',
      queueDescription: () => 'queues 0-1',
      activeFlows: () => records.length,
      flowRecords: (limit) => records.slice(0, limit),
      queueStats: () => [{ queue: 0, portId: 1234, waiting: 0, copyMode: 2, copyRange: 4096, queueDropped: 3, userDropped: 0, lastId: 999 }],
      reload: async () => ({ ok: true, errors: [], warnings: ['w'], reprocessed: 0 }),
      check: async (text): Promise<CheckReport> =>
        text.includes('bogus') ? { ok: false, errors: ["<check>:2: unknown option 'bogus'"], warnings: [] } : { ok: true, errors: [], warnings: [] },
    },
    clock,
    lastSeen - 60_000,
  );
}

const fire = (state: DaemonState, action: string, r: FlowRecord): void =>
  state.matched({ action: { spec: { name: action } }, record: r, reason: 'classified' } as unknown as Firing);

type Handler = (args: Record<string, unknown>) => unknown;
const method = (bus: FlowsieveBus, name: string): Handler => bus.spec().methods[name]!.handler as Handler;

test('the sample capture gives flows to look at', () => {
  assert.ok(records.length >= 8, `${records.length} records`);
});

test('status: version, uptime, queues with kernel counters, flows, classifications, firings, target errors', async () => {
  const state = daemonState(() => lastSeen);
  state.counters.classifications = 17;
  state.counters.firingsDropped = 2;
  fire(state, 'games', records[0]!);
  const bus = new FlowsieveBus(state, new UbusClient(), { version: '9.9', clock: () => lastSeen });
  const s = (await method(bus, 'status')({})) as Record<string, unknown>;
  assert.is(s.version, '9.9');
  assert.is(s.uptime, 60);
  assert.is(s.flows, records.length);
  assert.is(s.classifications, 17);
  assert.is(s.action_firings, 1);
  assert.is(s.target_errors, 2);
  assert.equal(s.queues, [{ queue: 0, port_id: 1234, waiting: 0, copy_mode: 2, copy_range: 4096, queue_dropped: 3, user_dropped: 0, last_id: 999 }]);
});

test('flows: sorted by bytes, cut to the limit, filtered by app, category and address; matched actions shown', async () => {
  const state = daemonState(() => lastSeen);
  const bus = new FlowsieveBus(state, new UbusClient(), { version: '1', clock: () => lastSeen });
  await bus.start().catch(() => {}); // no ubusd: publishing waits for a connection, matches are still tracked
  const all = (await method(bus, 'flows')({ limit: 1000 })) as { total: number; flows: { bytes: number; app: string | null; category: string | null; local_ip: string; other_ip: string; actions: string[] }[] };
  assert.is(all.total, records.length);
  for (let i = 1; i < all.flows.length; i++) assert.ok(all.flows[i - 1]!.bytes >= all.flows[i]!.bytes);
  const three = (await method(bus, 'flows')({ limit: 3 })) as typeof all;
  assert.equal(three.flows, all.flows.slice(0, 3));
  const app = all.flows.find((f) => f.app)!.app!;
  const byApp = (await method(bus, 'flows')({ app })) as typeof all;
  assert.ok(byApp.total > 0 && byApp.flows.every((f) => f.app === app));
  const cat = all.flows.find((f) => f.category)!.category!;
  const byCat = (await method(bus, 'flows')({ category: cat })) as typeof all;
  assert.ok(byCat.total > 0 && byCat.flows.every((f) => f.category === cat));
  const addr = all.flows[0]!.other_ip;
  const byAddr = (await method(bus, 'flows')({ address: addr })) as typeof all;
  assert.ok(byAddr.total > 0 && byAddr.flows.every((f) => f.other_ip === addr || f.local_ip === addr));
  // a match shows up on its flow
  const f0 = all.flows[0]! as unknown as FlowRecord;
  const top = records.find((r) => ['ip_protocol', 'local_ip', 'local_port', 'other_ip', 'other_port'].every((k) => r[k] === f0[k]))!;
  fire(state, 'games', top);
  const again = (await method(bus, 'flows')({ limit: 1 })) as typeof all;
  assert.equal(again.flows[0]!.actions, ['games']);
});

test('apps: top applications and categories by bytes over a window; flows outside it are left out', () => {
  const rows = records.map((r) => flowRow(r, []));
  const all = usage(rows, lastSeen, 10 ** 12, 100);
  assert.is(all.flows, rows.length);
  assert.is(all.apps.reduce((n, a) => n + a.flows, 0), rows.length);
  assert.is(all.apps.reduce((n, a) => n + a.bytes, 0), all.bytes);
  for (let i = 1; i < all.apps.length; i++) assert.ok(all.apps[i - 1]!.bytes >= all.apps[i]!.bytes);
  const recent = usage(rows, lastSeen, 1, 100);
  assert.is(recent.flows, rows.filter((r) => r.last_seen >= lastSeen - 1).length);
  assert.ok(recent.flows < all.flows);
  assert.is(selectFlows(rows, { address: '192.168.' }, 5).flows.length, 5);
});

test('actions, reload and check answer from the daemon', async () => {
  const state = daemonState(() => lastSeen);
  fire(state, 'games', records[0]!);
  fire(state, 'games', records[1]!);
  const bus = new FlowsieveBus(state, new UbusClient(), { version: '1', clock: () => lastSeen });
  assert.equal(await method(bus, 'actions')({}), { actions: [{ name: 'games', matches: 2, last_match: lastSeen }] });
  assert.equal(await method(bus, 'reload')({}), { ok: true, errors: [], warnings: ['w'], reprocessed: 0 });
  assert.equal(await method(bus, 'check')({ config: "config globals\n\toption bogus '1'\n" }), { ok: false, errors: ["<check>:2: unknown option 'bogus'"], warnings: [] });
  assert.is(state.counters.reloads, 1);
});

test('rate limit: a burst passes, then one a tick; the next event says how many were held back', () => {
  let now = 0;
  const r = new RateLimit(10, 3, () => now);
  assert.equal([r.take(), r.take(), r.take(), r.take(), r.take()], [0, 0, 0, null, null]);
  now += 100;
  assert.is(r.take(), 2);
  assert.is(r.take(), null);
  now += 10_000;
  assert.equal([r.take(), r.take(), r.take(), r.take()], [1, 0, 0, null]);
});

// ---------------------------------------------------------------- a real ubusd

const PREFIX = process.env.OPENWRT_TOOLS ?? '/tmp/openwrt-tools/prefix';
const haveUbusd = existsSync(join(PREFIX, 'sbin/ubusd')) && existsSync(join(PREFIX, 'bin/ubus'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilTrue(what: string, f: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

if (haveUbusd) {
  test('real ubusd: list -v shows the signatures, call answers, listen hears events, the object comes back after ubusd restarts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fs-ubusd-'));
    const sock = join(dir, 'ubus.sock');
    // Not spawnSync: the CLI waits on our own answers, which need this event loop running.
    const ubus = (...args: string[]) =>
      new Promise<{ stdout: string; stderr: string }>((resolve) => {
        const p = spawn(join(PREFIX, 'bin/ubus'), ['-s', sock, '-t', '5', ...args]);
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('close', () => resolve({ stdout, stderr }));
      });
    const startUbusd = async (): Promise<ChildProcess> => {
      const p = spawn(join(PREFIX, 'sbin/ubusd'), ['-s', sock], { stdio: 'ignore' });
      await untilTrue('ubusd socket', () => existsSync(sock));
      return p;
    };
    let ubusd = await startUbusd();
    const state = daemonState(() => lastSeen);
    const client = new UbusClient({ socketPath: sock, reconnectMs: 100 });
    const bus = new FlowsieveBus(state, client, { version: '1', clock: () => Date.now() });
    let listener: ChildProcess | null = null;
    try {
      await bus.start();
      client.start();
      await untilTrue('registration', async () => client.connected && (await ubus('list')).stdout.includes('flowsieve'));
      const list = (await ubus('list', '-v', 'flowsieve')).stdout;
      assert.match(list, /"flows":\{"app":"String","category":"String","address":"String","limit":"Integer"\}/);
      assert.match(list, /"check":\{"config":"String"\}/);
      const status = JSON.parse((await ubus('call', 'flowsieve', 'status')).stdout);
      assert.is(status.flows, records.length);
      const flows = JSON.parse((await ubus('call', 'flowsieve', 'flows', '{"limit":2}')).stdout);
      assert.is(flows.flows.length, 2);
      const bad = await ubus('call', 'flowsieve', 'check', '{}');
      assert.match(bad.stderr, /Invalid argument/);

      let heard = '';
      listener = spawn(join(PREFIX, 'bin/ubus'), ['-s', sock, 'listen', 'flowsieve.*']);
      listener.stdout!.on('data', (d: Buffer) => (heard += d.toString()));
      await sleep(300);
      fire(state, 'games', records[0]!);
      await untilTrue('the event', () => heard.includes('"flowsieve.action"'));
      assert.match(heard, /"action":"games"/);

      ubusd.kill();
      await sleep(200);
      ubusd = await startUbusd();
      await untilTrue('re-registration', async () => (await ubus('list')).stdout.includes('flowsieve'), 5000);
      assert.is(JSON.parse((await ubus('call', 'flowsieve', 'status')).stdout).flows, records.length);
    } finally {
      listener?.kill();
      bus.stop();
      client.close();
      ubusd.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
} else {
  console.log(`ubus-flowsieve: no ubusd under ${PREFIX}; the real-ubusd test is left out`);
}

test.run();
