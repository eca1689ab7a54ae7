/**
 * The daemon's pure parts: firings reach the targets only after a batch is done, in
 * order, with a bounded backlog; the state surface counts matches per action and tells
 * listeners; /proc queue statistics and conntrack event records are read as the kernel
 * and native/ctev write them; the log honours its level.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Firing } from '../src/policy/runner.js';
import { FiringDispatcher, type TargetRunner } from '../src/live/target-runner.js';
import { DaemonState, parseQueueStats, type DaemonControls, type MatchEvent } from '../src/live/daemon-state.js';
import { readConntrackEnd } from '../src/live/conntrack-events.js';
import { Logger } from '../src/live/logger.js';
import { fw4OffloadWarning } from '../src/live/fw4-offload.js';

const firing = (action: string): Firing =>
  ({ action: { spec: { name: action, targets: ['t'] } }, reason: 'classified', record: { host_server_name: action }, flow: {} }) as unknown as Firing;

test('firings of a batch reach the runner after batchDone, batches in order, never during the batch', async () => {
  const runs: string[][] = [];
  const runner: TargetRunner = {
    run: async (fs) => {
      runs.push(fs.map((f) => f.action.spec.name));
      await new Promise((r) => setTimeout(r, 5));
    },
  };
  const d = new FiringDispatcher(runner, () => {});
  d.collect(firing('a'));
  d.collect(firing('b'));
  assert.equal(runs, [], 'nothing runs while the batch is open');
  d.batchDone();
  assert.equal(runs, [], 'the runner starts on a later turn, after the verdicts went out');
  d.collect(firing('c'));
  d.batchDone();
  await d.idle();
  assert.equal(runs, [['a', 'b'], ['c']]);
  assert.is(d.counters.dispatched, 3);
});

test('a runner that falls behind: the oldest waiting batches are dropped and counted; a failing run is counted', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const seen: string[] = [];
  const errors: unknown[] = [];
  const d = new FiringDispatcher(
    {
      run: async (fs) => {
        seen.push(...fs.map((f) => f.action.spec.name));
        if (fs[0]!.action.spec.name === 'first') await gate;
        if (fs[0]!.action.spec.name === 'bad') throw new Error('set missing');
      },
    },
    (e) => errors.push(e),
    2,
  );
  d.collect(firing('first'));
  d.batchDone();
  await new Promise((r) => setTimeout(r, 1));
  for (const n of ['x1', 'x2', 'bad']) {
    d.collect(firing(n));
    d.batchDone();
  }
  release();
  await d.idle();
  assert.equal(seen, ['first', 'x2', 'bad']);
  assert.is(d.counters.dropped, 1);
  assert.is(d.counters.failures, 1);
  assert.match(String(errors[0]), 'set missing');
});

const controls = (over: Partial<DaemonControls> = {}): DaemonControls => ({
  runtime: 'node',
  queueDescription: () => 'NFQUEUE 0 (fail-open)',
  activeFlows: () => 3,
  flowRecords: (limit) => [{ n: 1 }, { n: 2 }, { n: 3 }].slice(0, limit) as never,
  queueStats: () => [],
  reload: async () => ({ ok: false, errors: ['x.uci:3:1: error: bad'], warnings: [], reprocessed: 0 }),
  check: async (text) => ({ ok: text.includes('ok'), errors: [], warnings: [] }),
  ...over,
});

test('the state surface: status, per-action matches with the last match time, match events, reload and check', async () => {
  let now = 1_000_000;
  const s = new DaemonState(controls(), () => now);
  const events: MatchEvent[] = [];
  const stop = s.onMatch((e) => events.push(e));
  now += 5000;
  s.matched(firing('web'));
  s.matched(firing('web'));
  now += 1000;
  s.matched(firing('video'));
  stop();
  s.matched(firing('video'));
  assert.equal(s.actions(), [
    { name: 'web', matches: 2, lastMatch: 1_005_000 },
    { name: 'video', matches: 2, lastMatch: 1_006_000 },
  ]);
  assert.equal(events.map((e) => e.action), ['web', 'web', 'video']);
  const st = s.status();
  assert.is(st.uptimeSeconds, 6);
  assert.is(st.activeFlows, 3);
  assert.is(st.counters.firings, 4);
  assert.is(s.flows(2).length, 2);
  const r = await s.reload();
  assert.is(r.ok, false);
  assert.is(s.counters.failedReloads, 1);
  assert.is((await s.check('ok')).ok, true);
  assert.is((await s.check('bad')).ok, false);
});

test('a listener that throws does not stop matching', () => {
  const s = new DaemonState(controls(), () => 0);
  s.onMatch(() => {
    throw new Error('listener bug');
  });
  s.matched(firing('a'));
  assert.is(s.counters.firings, 1);
});

test('/proc/net/netfilter/nfnetlink_queue lines become per-queue statistics', () => {
  const text = '    0  31989     7 2  4096     0     0  9337053  1\n    1  -4267    66 2 65531    12     3 12303961  1\n';
  assert.equal(parseQueueStats(text), [
    { queue: 0, portId: 31989, waiting: 7, copyMode: 2, copyRange: 4096, queueDropped: 0, userDropped: 0, lastId: 9337053 },
    { queue: 1, portId: -4267, waiting: 66, copyMode: 2, copyRange: 65531, queueDropped: 12, userDropped: 3, lastId: 12303961 },
  ]);
  assert.equal(parseQueueStats(''), []);
});

test('a conntrack destroy record (native/ctev layout) reads back as the connection and its counters', () => {
  const b = new Uint8Array(80);
  const v = new DataView(b.buffer);
  b[0] = 2;
  b[1] = 6;
  v.setUint16(2, 40000, true);
  v.setUint16(4, 443, true);
  v.setUint16(6, 3, true);
  v.setUint32(8, 77, true);
  b.set([10, 0, 0, 2], 12);
  b.set([93, 184, 216, 34], 28);
  v.setUint32(44, 12, true);
  v.setUint32(52, 5000, true);
  v.setUint32(56, 1, true); // orig bytes high word: 2^32 + 5000
  v.setUint32(60, 30, true);
  v.setUint32(68, 90000, true);
  assert.equal(readConntrackEnd(b, v, 0), {
    id: 77,
    ipProtocol: 6,
    srcPort: 40000,
    dstPort: 443,
    srcIp: '10.0.0.2',
    dstIp: '93.184.216.34',
    nat: true,
    packets: [12, 30],
    bytes: [2 ** 32 + 5000, 90000],
  });
});

test('the log writes lines with their level and skips those below the configured one', () => {
  const lines: string[] = [];
  const log = new Logger((l) => lines.push(l), 'notice');
  log.info('hidden');
  log.warning('queue 0: slow');
  log.setLevel('debug');
  log.debug('shown');
  assert.equal(lines, ['flowsieve: warning: queue 0: slow', 'flowsieve: debug: shown']);
});

test("check's fw4 warning: flow_offloading on in the firewall defaults is named with its line; off or absent says nothing", () => {
  const on = "config defaults\n\toption input 'ACCEPT'\n\toption flow_offloading '1'\n";
  assert.match(fw4OffloadWarning(on, 'firewall') ?? '', /^firewall:3: fw4's flow_offloading is on/);
  assert.is(fw4OffloadWarning(on.replace("'1'", "'0'")), null);
  assert.is(fw4OffloadWarning("config zone\n\toption name 'lan'\n"), null);
});

test.run();
