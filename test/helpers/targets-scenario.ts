/**
 * Kernel scenarios for the target tests: target configurations with the defaults of the
 * reference filled in, events from hand-made flow records, and a runner that plays a
 * scenario through test/helpers/targets-driver.ts inside a namespace — under Node, or
 * under txiki.js when its binary is at hand.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CtlabelTarget, CtmarkTarget, IpsetTarget, NftsetTarget, TargetGlobals } from '../../src/config/policy-config.js';
import type { FlowRecord } from '../../src/record/flow-record.js';
import type { TargetEvent, TargetStatus } from '../../src/targets/types.js';
import { REPO_DIR } from './corpus.js';
import { nsh, sh } from './netns.js';
import type { Scenario } from './targets-driver.js';

const source = { file: 'test', line: 1, column: 1 } as unknown as NftsetTarget['source'];

export function nftsetTarget(over: Partial<NftsetTarget> = {}): NftsetTarget {
  return {
    name: 'nft',
    enabled: true,
    source,
    type: 'nftset',
    setName: 'fs_block',
    tableName: 'flowsieve',
    tableFamily: 'inet',
    setFamily: 'ipv4',
    ttl: 300,
    fields: ['local_addr', 'ip_proto', 'other_port', 'other_addr'],
    managed: true,
    maxElements: 65536,
    flushOnCreate: false,
    flushOnDestroy: false,
    ...over,
  };
}

export function ipsetTarget(over: Partial<IpsetTarget> = {}): IpsetTarget {
  return {
    name: 'ips',
    enabled: true,
    source,
    type: 'ipset',
    setName: 'fs.games',
    ipsetType: 'hash:ip,port,ip',
    setFamily: 'ipv4',
    ttl: 120,
    managed: true,
    maxElements: 65536,
    flushOnCreate: false,
    flushOnDestroy: false,
    skbMark: null,
    skbMask: null,
    skbPrio: null,
    skbQueue: null,
    ...over,
  };
}

export function ctlabelTarget(over: Partial<CtlabelTarget> = {}): CtlabelTarget {
  return { name: 'ctl', enabled: true, source, type: 'ctlabel', labels: [], autoLabel: false, logErrors: false, ...over };
}

export function ctmarkTarget(over: Partial<CtmarkTarget> = {}): CtmarkTarget {
  return { name: 'ctm', enabled: true, source, type: 'ctmark', mark: 1, mask: 0xffffffff, shift: 0, ...over };
}

export function globals(connlabelConf = '/etc/xtables/connlabel.conf'): TargetGlobals {
  return { ctlabel: { maxBits: 127, connlabelConf }, pftable: { device: '/dev/pf' } };
}

export function event(record: FlowRecord, action = 'block'): TargetEvent {
  return { record, action, kind: 'new' };
}

export interface DriverResult {
  readonly runtime: string;
  readonly status: readonly TargetStatus[];
  readonly log: readonly string[];
}

export const TJS = process.env['FLOWSIEVE_TJS'] ?? '/tmp/txiki-build/txiki.js/build/tjs';
export const NATIVE_DIR = join(REPO_DIR, 'native', 'build');

let bundle: string | null = null;

/** The driver bundled for txiki.js (once per test run). */
function driverBundle(): string {
  if (bundle) return bundle;
  const dir = mkdtempSync(join(tmpdir(), 'fs-targets-'));
  bundle = join(dir, 'driver.js');
  sh([
    join(REPO_DIR, 'node_modules', '.bin', 'esbuild'),
    join(REPO_DIR, 'test', 'helpers', 'targets-driver.ts'),
    '--bundle',
    '--format=esm',
    '--platform=neutral',
    '--main-fields=main,module',
    "--external:tjs:*",
    '--log-level=error',
    `--outfile=${bundle}`,
  ]);
  return bundle;
}

export function txikiAvailable(): boolean {
  return existsSync(TJS);
}

/** Plays `scenario` inside `ns` (null: here) and returns the driver's report. */
export function runScenario(ns: string | null, scenario: Scenario, runtime: 'node' | 'txiki' = 'node'): DriverResult {
  const dir = mkdtempSync(join(tmpdir(), 'fs-scenario-'));
  const file = join(dir, 'scenario.json');
  writeFileSync(file, JSON.stringify(scenario));
  const argv =
    runtime === 'node'
      ? [process.execPath, '--import', 'tsx', join(REPO_DIR, 'test', 'helpers', 'targets-driver.ts'), file]
      : [TJS, 'run', driverBundle(), file];
  const cmd = ['env', `FLOWSIEVE_NATIVE_DIR=${NATIVE_DIR}`, ...argv];
  const out = ns === null ? sh(cmd) : nsh(ns, cmd);
  return JSON.parse(out.trim().split('\n').pop()!) as DriverResult;
}

/** `conntrack -L -o labels` with `conf` as /etc/xtables/connlabel.conf (a private mount). */
export function conntrackLabels(ns: string, conf: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fs-xtables-'));
  writeFileSync(join(dir, 'connlabel.conf'), conf);
  // conntrack reads its label names from a fixed path; an empty mount point is made if
  // the system has none, and the names are mounted over it in a private namespace only.
  if (!existsSync('/etc/xtables')) sh(['mkdir', '-p', '/etc/xtables']);
  const r = spawnSync('ip', ['netns', 'exec', ns, 'unshare', '-m', 'sh', '-c', `mount --bind ${dir} /etc/xtables && conntrack -L -o labels`], { encoding: 'utf8' });
  return r.stdout;
}
