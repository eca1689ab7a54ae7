/**
 * The nftset target: flows that reach it become elements of an nft set, keyed by the
 * flow fields its `type` lists, with the target's ttl as per-element timeout. Adding an
 * element that exists refreshes its timeout, so a flow that keeps firing (new connections
 * of the application, metadata updates) keeps its element. A managed target creates its
 * table and set; one batch of events is one netlink transaction.
 */
import type { NftsetTarget } from '../config/policy-config.js';
import { cString, NFTSET_ABI } from './abi.js';
import { nftKeyLayout, recordFamily, setNameFor, writeNftKey, type IpFamily, type NftKeyLayout } from './element.js';
import { kernelReason, TargetErrors } from './errors.js';
import { NativeModule } from './native.js';
import { matchesOnly, type Target, type TargetDeps, type TargetEvent, type TargetStatus } from './types.js';

/** nfproto numbers of nft table families. */
const NFPROTO: Readonly<Record<string, number>> = { inet: 1, ip: 2, arp: 3, netdev: 5, bridge: 7, ip6: 10 };

interface SetPlace {
  readonly family: IpFamily;
  readonly name: string;
  readonly layout: NftKeyLayout;
  readonly cName: Uint8Array;
}

export class NftSetTarget implements Target {
  readonly type = 'nftset';
  readonly name: string;
  private readonly errors: TargetErrors;
  private readonly native = new NativeModule('nftset', NFTSET_ABI);
  private readonly places = new Map<IpFamily, SetPlace>();
  private readonly nfproto: number;
  private readonly cTable: Uint8Array;
  private done = 0;
  readonly refreshMs: number | undefined;

  constructor(
    private readonly cfg: NftsetTarget,
    private readonly deps: TargetDeps,
  ) {
    this.name = cfg.name;
    this.refreshMs = cfg.ttl > 0 ? Math.max(1000, cfg.ttl * 500) : undefined;
    this.errors = new TargetErrors(`target '${cfg.name}' (nftset ${cfg.tableFamily} ${cfg.tableName} ${cfg.setName})`, deps.log);
    this.nfproto = NFPROTO[cfg.tableFamily] ?? 1;
    this.cTable = cString(cfg.tableName);
    for (const family of [4, 6] as const) {
      const name = setNameFor(cfg.setName, cfg.setFamily, family);
      if (!name) continue;
      try {
        this.places.set(family, { family, name, layout: nftKeyLayout(cfg.fields, family), cName: cString(name) });
      } catch (e) {
        this.errors.add(e instanceof Error ? e.message : String(e));
      }
    }
  }

  async start(): Promise<void> {
    const fn = await this.native.get(this.deps);
    if (!fn) return this.errors.add(this.native.failure!);
    if (!this.cfg.managed) return;
    for (const p of this.places.values()) {
      const r = fn.fs_nftset_ensure(this.nfproto, this.cTable, p.cName, p.layout.keyType, p.layout.keyLen, this.cfg.maxElements, this.cfg.flushOnCreate ? 1 : 0);
      if (r < 0) this.errors.add(`cannot create set ${p.name}: ${kernelReason(r)}`);
    }
  }

  async handle(all: readonly TargetEvent[]): Promise<void> {
    const events = matchesOnly(all);
    if (events.length === 0) return;
    const fn = await this.native.get(this.deps);
    if (!fn) return this.errors.add(this.native.failure!, events.length);
    const timeout = Math.max(0, Math.round(this.cfg.ttl * 1000));
    for (const p of this.places.values()) {
      const mine = events.filter((e) => recordFamily(e.record) === p.family);
      if (mine.length === 0) continue;
      const keys = new Uint8Array(mine.length * p.layout.keyLen);
      const seen = new Set<string>();
      let n = 0;
      for (const e of mine) {
        const missing = writeNftKey(keys, n * p.layout.keyLen, p.layout, e.record);
        if (missing) {
          this.errors.add(`flow has no ${missing} for the element`);
          continue;
        }
        // One element once per transaction.
        const id = keys.subarray(n * p.layout.keyLen, (n + 1) * p.layout.keyLen).join(',');
        if (seen.has(id)) continue;
        seen.add(id);
        n++;
      }
      if (n === 0) continue;
      const timeouts = new Uint8Array(new Uint32Array(n).fill(timeout).buffer);
      const r = fn.fs_nftset_add(this.nfproto, this.cTable, p.cName, keys.subarray(0, n * p.layout.keyLen), p.layout.keyLen, n, timeouts);
      if (r < 0) this.errors.add(`cannot add to set ${p.name}: ${kernelReason(r)}`, n);
      else this.done += n;
    }
    // Events of a family the set does not take are not failures: the target does not apply.
  }

  async stop(final = true): Promise<void> {
    if (final && this.cfg.flushOnDestroy) {
      const fn = await this.native.get(this.deps);
      for (const p of fn ? this.places.values() : []) {
        const r = fn!.fs_nftset_flush(this.nfproto, this.cTable, p.cName);
        if (r < 0) this.errors.add(`cannot flush set ${p.name}: ${kernelReason(r)}`);
      }
    }
    this.native.close();
  }

  status(): TargetStatus {
    return { name: this.name, type: this.type, done: this.done, failed: this.errors.failed, errors: this.errors.byReason(), dropped: 0 };
  }
}
