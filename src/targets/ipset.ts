/**
 * The ipset target: flows that reach it become elements of a kernel ip set (see
 * element.ts for which flow fields fill each ipset datatype), with the ttl as element
 * timeout and the skb_* options as the element's skb info. Adding an element that exists
 * refreshes its timeout. A managed target creates its set(s); one batch is one sendto().
 */
import type { IpsetTarget } from '../config/policy-config.js';
import { cString, IPSET_ABI } from './abi.js';
import { IPSET_RECORD, ipsetLayout, recordFamily, setNameFor, writeIpsetRecord, type IpFamily, type IpsetLayout } from './element.js';
import { kernelReason, TargetErrors } from './errors.js';
import { NativeModule } from './native.js';
import { matchesOnly, type Target, type TargetDeps, type TargetEvent, type TargetStatus } from './types.js';

const SKB = { mark: 1, prio: 2, queue: 4 } as const;

interface SetPlace {
  readonly family: IpFamily;
  readonly name: string;
  readonly cName: Uint8Array;
}

/** `MAJOR:MINOR` (hexadecimal, as tc writes it) → the 32-bit priority. */
export function tcClass(text: string): number | null {
  const m = /^([0-9a-fA-F]{1,4}):([0-9a-fA-F]{1,4})$/.exec(text.trim());
  return m ? ((parseInt(m[1]!, 16) << 16) | parseInt(m[2]!, 16)) >>> 0 : null;
}

export class IpsetSetTarget implements Target {
  readonly type = 'ipset';
  readonly name: string;
  private readonly errors: TargetErrors;
  private readonly native = new NativeModule('ipset', IPSET_ABI);
  private readonly layout: IpsetLayout | null = null;
  private readonly places = new Map<IpFamily, SetPlace>();
  private readonly skbFlags: number;
  private readonly skbPrio: number;
  private done = 0;
  readonly refreshMs: number | undefined;

  constructor(
    private readonly cfg: IpsetTarget,
    private readonly deps: TargetDeps,
  ) {
    this.name = cfg.name;
    this.refreshMs = cfg.ttl > 0 ? Math.max(1000, cfg.ttl * 500) : undefined;
    this.errors = new TargetErrors(`target '${cfg.name}' (ipset ${cfg.setName})`, deps.log);
    try {
      this.layout = ipsetLayout(cfg.ipsetType);
    } catch (e) {
      this.errors.add(e instanceof Error ? e.message : String(e));
    }
    for (const family of [4, 6] as const) {
      // hash:mac has no family: one set takes every flow.
      const name = this.layout?.familyless ? (family === 4 ? cfg.setName : null) : setNameFor(cfg.setName, cfg.setFamily, family);
      if (name) this.places.set(family, { family, name, cName: cString(name) });
    }
    this.skbPrio = cfg.skbPrio ? (tcClass(cfg.skbPrio) ?? 0) : 0;
    this.skbFlags = (cfg.skbMark !== null ? SKB.mark : 0) | (cfg.skbPrio ? SKB.prio : 0) | (cfg.skbQueue !== null ? SKB.queue : 0);
  }

  async start(): Promise<void> {
    const fn = await this.native.get(this.deps);
    if (!fn) return this.errors.add(this.native.failure!);
    if (!this.cfg.managed || !this.layout) return;
    for (const p of this.places.values()) {
      const family = this.layout.familyless ? 0 : p.family === 6 ? 10 : 2;
      const r = fn.fs_ipset_create(p.cName, cString(this.layout.typeName), family, this.cfg.ttl, this.cfg.maxElements, this.skbFlags ? 1 : 0, this.cfg.flushOnCreate ? 1 : 0);
      if (r < 0) this.errors.add(`cannot create set ${p.name}: ${kernelReason(r)}`);
    }
  }

  async handle(all: readonly TargetEvent[]): Promise<void> {
    const events = matchesOnly(all);
    if (events.length === 0) return;
    if (!this.layout) return this.errors.add(`type '${this.cfg.ipsetType}' cannot be used`, events.length);
    const fn = await this.native.get(this.deps);
    if (!fn) return this.errors.add(this.native.failure!, events.length);
    for (const p of this.places.values()) {
      const mine = this.layout.familyless ? events : events.filter((e) => recordFamily(e.record) === p.family);
      if (mine.length === 0) continue;
      const records = new Uint8Array(mine.length * IPSET_RECORD);
      let n = 0;
      for (const e of mine) {
        const missing = writeIpsetRecord(records, n * IPSET_RECORD, this.layout, e.record, this.cfg.ttl);
        if (missing) this.errors.add(`flow has no ${missing} for the element`);
        else n++;
      }
      if (n === 0) continue;
      const status = new Int32Array(n);
      const r = fn.fs_ipset_add(p.cName, records.subarray(0, n * IPSET_RECORD), n, this.layout.fields, (this.cfg.skbMark ?? 0) | 0, (this.cfg.skbMask ?? 0xffffffff) | 0, this.skbPrio | 0, this.cfg.skbQueue ?? 0, this.skbFlags, new Uint8Array(status.buffer));
      if (r < 0) {
        this.errors.add(`cannot add to set ${p.name}: ${kernelReason(r)}`, n);
        continue;
      }
      for (const s of status) {
        if (s === 0) this.done++;
        else this.errors.add(`cannot add to set ${p.name}: ${kernelReason(s)}`);
      }
    }
  }

  async stop(final = true): Promise<void> {
    if (final && this.cfg.flushOnDestroy) {
      const fn = await this.native.get(this.deps);
      for (const p of fn ? this.places.values() : []) {
        const r = fn!.fs_ipset_flush(p.cName);
        if (r < 0) this.errors.add(`cannot flush set ${p.name}: ${kernelReason(r)}`);
      }
    }
    this.native.close();
  }

  status(): TargetStatus {
    return { name: this.name, type: this.type, done: this.done, failed: this.errors.failed, errors: this.errors.byReason(), dropped: 0 };
  }
}
