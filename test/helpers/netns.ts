/**
 * Network namespaces for the live tests: every name carries a per-run prefix (other
 * test runs on the same machine make their own), and everything is removed at the end,
 * also when a test fails. Tests using these need root and a kernel with netfilter.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

export const RUN_PREFIX = `fs${process.pid % 100000}`;

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Run a command; throw with its stderr when it fails. */
export function sh(argv: readonly string[], input?: string): string {
  const r: SpawnSyncReturns<string> = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', input, timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr || r.error?.message || ''}`.trim());
  return r.stdout;
}

/** Run a command inside a namespace. */
export function nsh(ns: string, argv: readonly string[], input?: string): string {
  return sh(['ip', 'netns', 'exec', ns, ...argv], input);
}

let vethCount = 0;

export class Namespaces {
  private readonly created: string[] = [];
  private readonly links: string[] = [];

  /** A new namespace named `${RUN_PREFIX}${suffix}`, with loopback up. */
  add(suffix: string): string {
    const name = `${RUN_PREFIX}${suffix}`;
    spawnSync('ip', ['netns', 'del', name]);
    sh(['ip', 'netns', 'add', name]);
    this.created.push(name);
    nsh(name, ['ip', 'link', 'set', 'lo', 'up']);
    return name;
  }

  /** A veth pair between two namespaces, addressed (CIDR strings) and up. */
  link(a: string, aName: string, aAddr: string | null, b: string, bName: string, bAddr: string | null): void {
    // Temporary names in the root namespace, unique per run and per pair.
    const n = ++vethCount;
    const tmpA = `${RUN_PREFIX}v${n}a`.slice(0, 15);
    const tmpB = `${RUN_PREFIX}v${n}b`.slice(0, 15);
    sh(['ip', 'link', 'add', tmpA, 'type', 'veth', 'peer', 'name', tmpB]);
    this.links.push(tmpA);
    sh(['ip', 'link', 'set', tmpA, 'netns', a]);
    sh(['ip', 'link', 'set', tmpB, 'netns', b]);
    nsh(a, ['ip', 'link', 'set', tmpA, 'name', aName]);
    nsh(b, ['ip', 'link', 'set', tmpB, 'name', bName]);
    if (aAddr) nsh(a, ['ip', 'addr', 'add', aAddr, 'dev', aName]);
    if (bAddr) nsh(b, ['ip', 'addr', 'add', bAddr, 'dev', bName]);
    nsh(a, ['ip', 'link', 'set', aName, 'up']);
    nsh(b, ['ip', 'link', 'set', bName, 'up']);
  }

  /** Remove every namespace made here (their veths and rules go with them). */
  cleanup(): void {
    for (const l of this.links.splice(0)) spawnSync('ip', ['link', 'del', l]);
    for (const ns of this.created.splice(0).reverse()) spawnSync('ip', ['netns', 'del', ns]);
  }
}
