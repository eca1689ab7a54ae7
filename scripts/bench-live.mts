#!/usr/bin/env node
/**
 * `npm run bench:live` (as root): the daemon on the kernel path, in network namespaces
 * (client — router — server, as the live tests build them). Prints:
 *  - packets/s through one NFQUEUE under a saturating 64-byte UDP flood: the daemon
 *    (`flowsieve run`, the built bundle) against the minimal C accept-all loop
 *    (scripts/bench/nfq-accept.c) on the same queue, and their ratio;
 *  - the latency the daemon adds to a UDP round trip (request and reply both queued,
 *    a new flow per exchange): p50/p99 with the daemon minus the same without a queue;
 *  - the daemon's RSS with 10 000 and 100 000 active flows.
 * Usage: npm run bench:live [-- --runtime node|tjs] [--seconds N]
 * (--runtime tjs runs the daemon under txiki.js: $TJS or /tmp/txiki-build/txiki.js/build/tjs)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab, CLIENT_IP, SERVER_IP, sleep } from '../test/helpers/lab.ts';
import { nsh } from '../test/helpers/netns.ts';

const REPO = join(import.meta.dirname, '..');
const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : def;
};
const runtime = arg('--runtime', 'node');
const seconds = Number(arg('--seconds', '3'));
const tjs = process.env.TJS ?? '/tmp/txiki-build/txiki.js/build/tjs';
const daemonRuntime = runtime === 'tjs' ? [tjs, 'run'] : [process.execPath];

if (process.getuid?.() !== 0) {
  console.error('bench:live needs root (network namespaces)');
  process.exit(1);
}

// The generator and the baseline consumer, built from scripts/bench/ into the lab's directory.
const lab = new Lab({ suffix: 'b' });
const bin = (name: string) => join(lab.dir, name);
const cc = process.env.CC ?? 'cc';
const compile = (argv: string[]) => {
  const r = spawnSync(cc, argv, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cc} ${argv.join(' ')}: ${r.stderr}`);
};

const CONFIG = `
config globals 'globals'
	option queue '0'
	option max_flows '200000'
	option timezone 'UTC'
	list lan 'r0'
	list wan 'r1'
`;

function queueRules(spec: string[]): void {
  nsh(lab.router, ['iptables-nft', '-t', 'mangle', '-F', 'FORWARD']);
  for (const m of spec) nsh(lab.router, ['sh', '-c', `iptables-nft -t mangle -A FORWARD -p udp ${m} -j NFQUEUE --queue-num 0 --queue-bypass`]);
}

function flood(sport: number, nsrc: number, dport: number, ndst: number, count: number, pps: number): { sent: number; secs: number } {
  const r = spawnSync('ip', ['netns', 'exec', lab.client, bin('udp-flood'), CLIENT_IP, SERVER_IP, `${sport}`, `${nsrc}`, `${dport}`, `${ndst}`, `${count}`, `${pps}`], {
    encoding: 'utf8',
    timeout: 300_000,
  });
  const [sent, secs] = r.stdout.trim().split(/\s+/).map(Number);
  return { sent: sent!, secs: secs! };
}

/** A flood for `seconds` over `flows` flows, as fast as the generator goes. */
function timedFlood(flows: number): { sent: number; secs: number } {
  const out = spawnSync('ip', ['netns', 'exec', lab.client, 'timeout', '-s', 'INT', `${seconds}`, bin('udp-flood'), CLIENT_IP, SERVER_IP, '20000', `${flows}`, '5001', '1', '0', '0'], {
    encoding: 'utf8',
  });
  const [sent, secs] = out.stdout.trim().split(/\s+/).map(Number);
  return { sent: sent!, secs: secs! };
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0);
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

function rtts(n: number): number[] {
  const out = nsh(lab.client, [process.execPath, join(REPO, 'scripts/bench/udp-rtt.mjs'), SERVER_IP, '5000', `${n}`]);
  return JSON.parse(out) as number[];
}

try {
  compile(['-O2', '-o', bin('udp-flood'), join(REPO, 'scripts/bench/udp-flood.c')]);
  compile(['-O2', '-o', bin('nfq-accept'), join(REPO, 'scripts/bench/nfq-accept.c'), '-lnetfilter_queue', '-lmnl']);
  await lab.startServers();
  // The flood's target port has no listener: no ICMP errors flowing back.
  nsh(lab.server, ['iptables-nft', '-A', 'INPUT', '-p', 'udp', '--dport', '5001:5999', '-j', 'DROP']);
  const config = lab.writeConfig('bench.uci', CONFIG);
  console.log(`bench:live — daemon under ${runtime}, ${seconds} s floods of 64-byte UDP, one queue`);

  // 1. Throughput: C accept-all, then the daemon, on the same queue and flood. Two
  // floods: 1024 flows (every packet of a flow still in classification) and 16 flows
  // (most packets past it: the queue path and flow tracking).
  queueRules(['--dport 5001']);
  const throughput = async (flows: number) => {
    const c = lab.spawnIn(lab.router, [bin('nfq-accept'), '0']);
    let cOut = '';
    c.stdout!.on('data', (d) => (cOut += d));
    await sleep(300);
    const cFlood = timedFlood(flows);
    await sleep(300);
    c.kill('SIGTERM');
    await new Promise((r) => c.on('close', r));
    const cPps = Number(cOut.trim()) / cFlood.secs;
    const d = await lab.startDaemon(config, ['--no-rules'], daemonRuntime);
    const dFlood = timedFlood(flows);
    await sleep(300);
    d.child.kill('SIGTERM');
    await d.exited;
    const dPps = Number(/counters: packets (\d+)/.exec(d.stderr)?.[1] ?? 0) / dFlood.secs;
    const offered = (f: { sent: number; secs: number }) => Math.round(f.sent / f.secs);
    console.log(
      `throughput  ${String(flows).padStart(4)} flows: C accept-all ${Math.round(cPps)} packets/s, daemon ${Math.round(dPps)} packets/s, ` +
        `ratio ${(dPps / cPps).toFixed(2)} (offered ${offered(cFlood)}/s and ${offered(dFlood)}/s)`,
    );
    return dPps;
  };
  const manyFlowsPps = await throughput(1024);
  await throughput(16);

  // 2. Latency: UDP echo round trips, each a new flow, both directions queued.
  queueRules([]);
  const base = rtts(2000);
  queueRules(['--dport 5000', '--sport 5000']);
  const d2 = await lab.startDaemon(config, ['--no-rules'], daemonRuntime);
  const withDaemon = rtts(2000);
  d2.child.kill('SIGTERM');
  await d2.exited;
  const f = (x: number) => `${x.toFixed(0)} µs`;
  console.log(`latency     round trip without queue: p50 ${f(pct(base, 50))}, p99 ${f(pct(base, 99))}`);
  console.log(`latency     round trip with daemon:   p50 ${f(pct(withDaemon, 50))}, p99 ${f(pct(withDaemon, 99))}`);
  console.log(`latency     added per round trip (2 queued packets): p50 ${f(pct(withDaemon, 50) - pct(base, 50))}, p99 ${f(pct(withDaemon, 99) - pct(base, 99))}`);

  // 3. Memory: RSS with 10 000 and then 100 000 active flows (one packet each).
  queueRules(['--dport 6000:6001']);
  const d3 = await lab.startDaemon(config, ['--no-rules'], daemonRuntime);
  const pid = d3.child.pid!;
  await sleep(500);
  const idle = rssKb(pid);
  // New flows at a quarter of the rate the daemon took them above, so the queue keeps up.
  const rate = Math.max(1000, Math.min(20000, Math.round(manyFlowsPps / 4)));
  flood(10000, 10000, 6000, 1, 10000, rate);
  await sleep(1500);
  const at10k = rssKb(pid);
  flood(20000, 45000, 6000, 2, 90000, rate);
  await sleep(2500);
  const at100k = rssKb(pid);
  d3.child.kill('SIGTERM');
  await d3.exited;
  const flows = Number(/flows (\d+)/.exec(d3.stderr)?.[1] ?? 0);
  const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
  console.log(`memory      daemon RSS: idle ${mb(idle)}, 10 000 flows ${mb(at10k)}, 100 000 flows ${mb(at100k)} (flows created: ${flows}, sent at ${rate}/s)`);
} finally {
  lab.close();
}
