/**
 * `npm run bench:targets` (root): kernel operations per second through flowsieve's targets
 * — nft set elements (nftset), ipset entries (ipset), conntrack labels (ctlabel) — in
 * batches of 1, 64 and 1024, beside the same operation through the nft, ipset and
 * conntrack command-line tools, one invocation per batch (nft and ipset take a whole
 * batch in one command; conntrack -U takes a filter that matches the batch). Runs in a
 * network namespace of its own, made and removed here.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRuntime } from '../src/runtime/index.js';
import { CtLabelTarget } from '../src/targets/conntrack.js';
import { IpsetSetTarget } from '../src/targets/ipset.js';
import { NftSetTarget } from '../src/targets/nftset.js';
import type { Target, TargetDeps, TargetEvent } from '../src/targets/types.js';
import { record } from '../test/helpers/records.js';

const BATCHES = [1, 64, 1024];
/** Elements per measurement: flowsieve, and the slower command-line tools. */
const OURS = { 1: 3000, 64: 8192, 1024: 16384 } as Record<number, number>;
const CLI = { 1: 200, 64: 2048, 1024: 8192 } as Record<number, number>;
const CONNS = 2048;
const source = null as never;

function sh(argv: string[], input?: string, tries = 1): void {
  for (let i = 1; ; i++) {
    const r = spawnSync(argv[0]!, argv.slice(1), { input, encoding: 'utf8' });
    if (r.status === 0) return;
    if (i >= tries) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  }
}

if (!process.argv.includes('--inside')) {
  if (process.getuid?.() !== 0) {
    console.error('bench:targets needs root (network namespaces, netfilter)');
    process.exit(1);
  }
  const ns = `fsb${process.pid % 100000}`;
  const dir = mkdtempSync(join(tmpdir(), 'fs-bench-targets-'));
  writeFileSync(join(dir, 'connlabel.conf'), '1 fs-bench\n');
  if (!existsSync('/etc/xtables')) mkdirSync('/etc/xtables');
  sh(['ip', 'netns', 'add', ns]);
  try {
    // conntrack reads label names from /etc/xtables: mounted privately for this run only.
    const cmd = `mount --bind ${dir} /etc/xtables && exec ${process.execPath} --import tsx ${process.argv[1]} --inside ${join(dir, 'connlabel.conf')}`;
    const r = spawnSync('ip', ['netns', 'exec', ns, 'unshare', '-m', 'sh', '-c', cmd], { stdio: 'inherit' });
    process.exitCode = r.status ?? 1;
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
} else {
  await inside(process.argv[process.argv.indexOf('--inside') + 1]!);
}

function ip(n: number): string {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

async function timed(fn: () => Promise<void> | void): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

async function inside(connlabelConf: string): Promise<void> {
  const rt = (await createRuntime())!;
  const log: string[] = [];
  const deps: TargetDeps = {
    log: (l, m) => log.push(`${l}: ${m}`),
    loadNative: rt.loadNative,
    now: () => Date.now(),
    readTextFile: (p) => rt.readTextFile(p),
    appendFile: (p, d) => rt.appendFile(p, d),
  };
  const rows: string[] = [];
  const report = (what: string, b: number, ours: number, cli: number | string): void => {
    const c = typeof cli === 'number' ? `${Math.round(cli).toString().padStart(12)} ${(ours / cli).toFixed(1).padStart(7)}x` : `  cli failed: ${cli}`;
    rows.push(`${what.padEnd(8)} ${String(b).padStart(5)} ${Math.round(ours).toString().padStart(12)} ${c}`);
  };
  let next = 1 << 16;
  const flows = (n: number): TargetEvent[] => Array.from({ length: n }, () => ({ record: record({ other_ip: ip(next++), other_port: 443 }), action: 'bench', kind: 'new' as const }));
  const run = async (t: Target, b: number, total: number): Promise<number> => {
    const batches = Array.from({ length: total / b }, () => flows(b));
    return total / (await timed(async () => { for (const x of batches) await t.handle(x); }));
  };

  // nftset
  const nft = new NftSetTarget({ name: 'nft', enabled: true, source, type: 'nftset', setName: 'ours', tableName: 'bench', tableFamily: 'inet', setFamily: 'ipv4', ttl: 300, fields: ['other_addr', 'other_port'], managed: true, maxElements: 1 << 22, flushOnCreate: false, flushOnDestroy: false }, deps);
  await nft.start();
  sh(['nft', 'add set inet bench cli { type ipv4_addr . inet_service; flags timeout; size 4194304; }']);
  for (const b of BATCHES) {
    const ours = await run(nft, b, OURS[b]!);
    const cmds = Array.from({ length: CLI[b]! / b }, () => `add element inet bench cli { ${Array.from({ length: b }, () => `${ip(next++)} . 443 timeout 300s`).join(', ')} }`);
    const cli = CLI[b]! / (await timed(() => { for (const c of cmds) sh(['nft', c]); }));
    report('nftset', b, ours, cli);
  }

  // ipset
  const ips = new IpsetSetTarget({ name: 'ips', enabled: true, source, type: 'ipset', setName: 'ours', ipsetType: 'hash:ip,port', setFamily: 'ipv4', ttl: 300, managed: true, maxElements: 1 << 22, flushOnCreate: false, flushOnDestroy: false, skbMark: null, skbMask: null, skbPrio: null, skbQueue: null }, deps);
  await ips.start();
  sh(['ipset', 'create', 'cli', 'hash:ip,port', 'timeout', '300', 'maxelem', String(1 << 22)]);
  for (const b of BATCHES) {
    const ours = await run(ips, b, OURS[b]!);
    const inputs = Array.from({ length: CLI[b]! / b }, () => Array.from({ length: b }, () => `add cli ${ip(next++)},tcp:443 timeout 300\n`).join(''));
    const cli = CLI[b]! / (await timed(() => { for (const input of inputs) sh(['ipset', 'restore', '-exist'], input); }));
    report('ipset', b, ours, cli);
  }

  // ctlabel: label space first, then CONNS connections 10.20.0.0/21 → 10.7.0.1:443.
  sh(['nft', '-f', '-'], 'table inet benchl {\n chain c {\n type filter hook output priority 0;\n ct label 1 counter\n }\n}\n');
  for (let i = 0; i < CONNS; i++) {
    sh(['conntrack', '-I', '-s', `10.20.${i >> 8}.${i & 255}`, '-d', '10.7.0.1', '-p', 'tcp', '--sport', '40000', '--dport', '443', '--state', 'ESTABLISHED', '-t', '600', '-u', 'SEEN_REPLY']);
  }
  const conns = Array.from({ length: CONNS }, (_, i): TargetEvent => ({ record: record({ local_ip: `10.20.${i >> 8}.${i & 255}`, local_port: 40000, other_ip: '10.7.0.1', other_port: 443 }), action: 'bench', kind: 'new' }));
  const ctl = new CtLabelTarget({ name: 'ctl', enabled: true, source, type: 'ctlabel', labels: ['fs-bench'], autoLabel: false, logErrors: false }, { maxBits: 127, connlabelConf }, deps);
  await ctl.start();
  for (const b of BATCHES) {
    const total = OURS[b]!;
    const ours = total / (await timed(async () => { for (let i = 0; i < total; i += b) await ctl.handle(conns.slice(i % CONNS, (i % CONNS) + b)); }));
    // One conntrack -U per batch, its filter the batch's aligned /(32 - log2 b) prefix
    // (its table dump now and then ends in EPROTO while entries change: tried again).
    const prefix = 32 - Math.log2(b);
    const n = Math.min(CLI[b]!, b === 1 ? 200 : CONNS);
    let cli: number | string;
    try {
      cli = n / (await timed(() => { for (let i = 0; i < n; i += b) sh(['conntrack', '-U', '-s', `10.20.${i >> 8}.${i & 255}/${prefix}`, '--label-add', 'fs-bench'], undefined, 3); }));
    } catch (e) {
      cli = String((e as Error).message).split('\n')[0]!.replace(/^.*Operation failed: /, '');
    }
    report('ctlabel', b, ours, cli);
  }
  const failed = [nft, ips, ctl].map((t) => t.status()).filter((s) => s.failed > 0);
  if (failed.length || log.length) {
    console.error(JSON.stringify({ failed, log }, null, 1));
    process.exitCode = 1;
  }
  console.log(`bench:targets — ${rt.kind} ${process.version}, per second (flowsieve target vs command-line tool, one call per batch)`);
  console.log(`${'target'.padEnd(8)} ${'batch'.padStart(5)} ${'flowsieve/s'.padStart(12)} ${'cli/s'.padStart(12)} ${'ratio'.padStart(8)}`);
  for (const r of rows) console.log(r);
  await Promise.all([nft, ips, ctl].map((t) => t.stop()));
}
