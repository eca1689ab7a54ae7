/**
 * The live lab: client ns — router ns — server ns, joined by veths, with real servers
 * (lab-servers.ts) in the server ns and the daemon under test in the router ns. Options:
 * NAT (the router masquerades towards the server), or a bridge (the router joins both veths
 * on br0, one subnet, no routing; br_netfilter hands bridged IPv4 to the iptables hooks,
 * which is how the queue sees it on a kernel without the nft queue expression). Everything is named with the run's
 * prefix and removed by close(), also after a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_DIR } from './corpus.js';
import { Namespaces, nsh, sh } from './netns.js';

export const CLIENT_IP = '10.77.1.2';
export const SERVER_IP = '10.77.2.2';
export const TLS_NAMES = ['www.netflix.com', 'www.wikipedia.org', 'github.com'];

export interface LabOptions {
  readonly nat?: boolean;
  readonly bridge?: boolean;
  /** Added to the namespace names, for a second lab at the same time. */
  readonly suffix?: string;
}

export interface Daemon {
  readonly child: ChildProcess;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

export class Lab {
  readonly nss = new Namespaces();
  readonly client: string;
  readonly router: string;
  readonly server: string;
  readonly dir = mkdtempSync(join(tmpdir(), 'fs-lab-'));
  private readonly children: ChildProcess[] = [];

  constructor(opts: LabOptions = {}) {
    try {
      const x = opts.suffix ?? '';
      this.client = this.nss.add(`c${x}`);
      this.router = this.nss.add(`r${x}`);
      this.server = this.nss.add(`s${x}`);
      if (opts.bridge) {
        // One /16 for both ends, so the client reaches SERVER_IP without a router hop.
        this.nss.link(this.client, 'c0', `${CLIENT_IP}/16`, this.router, 'r0', null);
        this.nss.link(this.router, 'r1', null, this.server, 's0', `${SERVER_IP}/16`);
        nsh(this.router, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
        for (const port of ['r0', 'r1']) nsh(this.router, ['ip', 'link', 'set', port, 'master', 'br0']);
        nsh(this.router, ['ip', 'link', 'set', 'br0', 'up']);
        // Per namespace on this kernel (br_netfilter loaded): bridged IPv4 through iptables' FORWARD.
        if (!existsSync('/proc/sys/net/bridge')) spawnSync('modprobe', ['br_netfilter']);
        if (!existsSync('/proc/sys/net/bridge')) throw new Error('bridge lab: br_netfilter is not loaded and modprobe br_netfilter failed');
        nsh(this.router, ['sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1']);
      } else {
        this.nss.link(this.client, 'c0', `${CLIENT_IP}/24`, this.router, 'r0', '10.77.1.1/24');
        this.nss.link(this.router, 'r1', '10.77.2.1/24', this.server, 's0', `${SERVER_IP}/24`);
        nsh(this.client, ['ip', 'route', 'add', 'default', 'via', '10.77.1.1']);
        if (!opts.nat) nsh(this.server, ['ip', 'route', 'add', 'default', 'via', '10.77.2.1']);
        nsh(this.router, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
      }
      // Conntrack counters, so flows ended by conntrack carry the kernel's counts.
      nsh(this.router, ['sysctl', '-qw', 'net.netfilter.nf_conntrack_acct=1']);
      if (opts.nat) {
        nsh(this.router, ['nft', '-f', '-'], 'table ip labnat {\n chain post {\n  type nat hook postrouting priority srcnat;\n  oifname "r1" masquerade\n }\n}\n');
      }
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** Self-signed certificates for the TLS names; starts the servers. */
  async startServers(): Promise<void> {
    for (const n of TLS_NAMES) {
      sh(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
        '-subj', `/CN=${n}`, '-keyout', join(this.dir, `${n}.key`), '-out', join(this.dir, `${n}.crt`)]);
    }
    const child = this.spawnIn(this.server, [process.execPath, '--import', 'tsx', join(REPO_DIR, 'test/helpers/lab-servers.ts'), this.dir, TLS_NAMES.join(','), SERVER_IP]);
    await waitFor(child, (out) => out.includes('ready'), 20_000, 'lab servers');
  }

  /** Run the client with the given steps; returns the outcomes. */
  clientRun(steps: readonly string[]): { step: string; ok: boolean; error?: string }[] {
    const out = nsh(this.client, [process.execPath, '--import', 'tsx', join(REPO_DIR, 'test/helpers/lab-client.ts'), SERVER_IP, ...steps]);
    return JSON.parse(out.trim().split('\n').pop()!);
  }

  /** The same, in the background. */
  clientStart(steps: readonly string[]): { done: Promise<{ step: string; ok: boolean; error?: string }[]> } {
    const child = this.spawnIn(this.client, [process.execPath, '--import', 'tsx', join(REPO_DIR, 'test/helpers/lab-client.ts'), SERVER_IP, ...steps]);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    return {
      done: new Promise((resolve, reject) =>
        child.on('close', () => {
          try {
            resolve(JSON.parse(out.trim().split('\n').pop()!));
          } catch {
            reject(new Error(`client printed no result: ${out}`));
          }
        }),
      ),
    };
  }

  writeConfig(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  /** `flowsieve run` (the built bundle) in the router ns; resolves once the queue is bound. */
  async startDaemon(config: string, extra: readonly string[] = [], runtime: readonly string[] = [process.execPath]): Promise<Daemon> {
    const child = this.spawnIn(this.router, [...runtime, join(REPO_DIR, 'dist/flowsieve.js'), 'run', '--config', config, ...extra]);
    const d: Daemon = {
      child,
      stdout: '',
      stderr: '',
      exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1))),
    };
    child.stdout!.on('data', (b) => (d.stdout += b));
    child.stderr!.on('data', (b) => (d.stderr += b));
    const start = Date.now();
    while (!/NFQUEUE \d/.test(d.stderr)) {
      if (child.exitCode !== null || Date.now() - start > 20_000) throw new Error(`daemon did not start: ${d.stderr}`);
      await sleep(50);
    }
    return d;
  }

  /** dumpcap on a router interface; stop() ends it and returns the file. */
  async capture(iface: string): Promise<{ stop(): Promise<string> }> {
    const file = join(this.dir, `${iface}-${Date.now()}.pcapng`);
    const child = this.spawnIn(this.router, ['dumpcap', '-q', '-i', iface, '-w', file]);
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const start = Date.now();
    // dumpcap says "Capturing on" once it listens (even with -q, on stderr).
    while (!err.includes('Capturing on')) {
      if (child.exitCode !== null || Date.now() - start > 10_000) throw new Error(`dumpcap: ${err}`);
      await sleep(50);
    }
    return {
      stop: async () => {
        await sleep(300);
        child.kill('SIGTERM');
        await new Promise((r) => child.on('close', r));
        return file;
      },
    };
  }

  spawnIn(ns: string, argv: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    return child;
  }

  close(): void {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    // Processes still inside a namespace keep it alive: kill what is left there.
    for (const ns of [this.client, this.router, this.server]) {
      if (!ns) continue;
      const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.trim().split('\n').filter(Boolean);
      for (const p of pids) spawnSync('kill', ['-9', p]);
    }
    this.nss.cleanup();
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor(child: ChildProcess, ok: (out: string) => boolean, ms: number, what: string): Promise<void> {
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const start = Date.now();
  while (!ok(out)) {
    if (child.exitCode !== null || Date.now() - start > ms) throw new Error(`${what} did not start: ${err}`);
    await sleep(50);
  }
}
