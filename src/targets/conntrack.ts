/**
 * The ctlabel and ctmark targets: the connection of a flow that reaches them gets label
 * bits (ctlabel) or a mark under a mask (ctmark), changed in place over ctnetlink. The
 * connection is found by its tuple (either direction), so a flow's record is enough.
 * Labels need label space: the kernel gives a connection labels only when it was created
 * while some loaded rule used `ct label` (see the ruleset), else the change fails with
 * ENOSPC — reported once, counted, never fatal.
 */
import type { CtlabelTarget, CtmarkTarget, TargetGlobals } from '../config/policy-config.js';
import type { FlowRecord } from '../record/flow-record.js';
import { errorText } from '../runtime/types.js';
import { CONNTRACK_ABI } from './abi.js';
import { autoLabelNames, labelBit, parseConnlabelConf, type LabelMap } from './connlabel.js';
import { recordFamily, writeAddress } from './element.js';
import { kernelReason, TargetErrors } from './errors.js';
import { NativeModule } from './native.js';
import { matchesOnly, type Target, type TargetDeps, type TargetEvent, type TargetStatus } from './types.js';

/** native/conntrack/conntrack.c FS_CT_* and its 64-byte record. */
const CT = { mark: 1, labelsSet: 2, labelsClear: 4 } as const;
export const CT_RECORD = 64;
const LABEL_BYTES = 16;

/** Fills the tuple of `r` (local → other) at `at`; false when an address does not parse. */
export function writeCtTuple(out: Uint8Array, at: number, r: FlowRecord): boolean {
  const family = recordFamily(r);
  out.fill(0, at, at + CT_RECORD);
  out[at] = family === 6 ? 10 : 2;
  out[at + 1] = r.ip_protocol;
  out[at + 2] = r.local_port >> 8;
  out[at + 3] = r.local_port & 0xff;
  out[at + 4] = r.other_port >> 8;
  out[at + 5] = r.other_port & 0xff;
  return writeAddress(out, at + 8, r.local_ip, family) && writeAddress(out, at + 24, r.other_ip, family);
}

/** Shared by both targets: one ctnetlink batch, per-connection results counted. */
abstract class ConntrackTarget implements Target {
  abstract readonly type: 'ctlabel' | 'ctmark';
  protected readonly errors: TargetErrors;
  protected readonly native = new NativeModule('conntrack', CONNTRACK_ABI);
  protected done = 0;

  constructor(
    readonly name: string,
    protected readonly deps: TargetDeps,
    what: string,
  ) {
    this.errors = new TargetErrors(`target '${name}' (${what})`, deps.log);
  }

  async start(): Promise<void> {
    if (!(await this.native.get(this.deps))) this.errors.add(this.native.failure!);
  }

  /** Writes label bits for the record at `at + 48`; false when there is nothing to set. */
  protected abstract fill(out: Uint8Array, at: number, r: FlowRecord): boolean;
  protected abstract flags(): { readonly flags: number; readonly mark: number; readonly mask: number };

  async handle(all: readonly TargetEvent[]): Promise<void> {
    const events = matchesOnly(all);
    if (events.length === 0) return;
    const fn = await this.native.get(this.deps);
    if (!fn) return this.errors.add(this.native.failure!, events.length);
    const records = new Uint8Array(events.length * CT_RECORD);
    let n = 0;
    for (const e of events) {
      if (!writeCtTuple(records, n * CT_RECORD, e.record)) {
        this.errors.add('flow address does not parse');
        continue;
      }
      if (this.fill(records, n * CT_RECORD, e.record)) n++;
    }
    if (n === 0) return;
    const { flags, mark, mask } = this.flags();
    const status = new Int32Array(n);
    const r = fn.fs_ct_update(records.subarray(0, n * CT_RECORD), n, mark | 0, mask | 0, flags, new Uint8Array(status.buffer));
    if (r < 0) return this.errors.add(`conntrack update failed: ${kernelReason(r)}`, n);
    for (const s of status) {
      if (s === 0) this.done++;
      else this.errors.add(s === 2 ? 'connection not in conntrack (gone, or not tracked)' : kernelReason(s));
    }
  }

  async stop(): Promise<void> {
    this.native.close();
  }

  status(): TargetStatus {
    return { name: this.name, type: this.type, done: this.done, failed: this.errors.failed, errors: this.errors.byReason(), dropped: 0 };
  }
}

export class CtLabelTarget extends ConntrackTarget {
  readonly type = 'ctlabel';
  private map: LabelMap = { bits: new Map(), bad: [] };
  /** Bits of the configured labels (resolved at start). */
  private fixed: number[] = [];
  /** auto_label name → bit, for the names connlabel.conf defines. */
  private readonly autoBits = new Map<string, number>();

  constructor(
    private readonly cfg: CtlabelTarget,
    private readonly globals: TargetGlobals['ctlabel'],
    deps: TargetDeps,
  ) {
    super(cfg.name, deps, 'ctlabel');
  }

  override async start(): Promise<void> {
    await super.start();
    const needsMap = this.cfg.autoLabel || this.cfg.labels.some((l) => !/^\s*\d+\s*$/.test(l));
    if (needsMap) {
      try {
        this.map = parseConnlabelConf(await this.deps.readTextFile(this.globals.connlabelConf));
        if (this.map.bad.length) this.errors.add(`${this.globals.connlabelConf}: lines ${this.map.bad.join(', ')} are not 'bit name'`);
      } catch (e) {
        this.errors.add(`cannot read ${this.globals.connlabelConf}: ${errorText(e)}`);
      }
    }
    this.fixed = [];
    for (const l of this.cfg.labels) {
      const bit = labelBit(l, this.map);
      if (bit === null) this.errors.add(`label '${l}' is not in ${this.globals.connlabelConf}`);
      else if (!this.usable(bit)) this.errors.add(`label '${l}' is bit ${bit}, above max_bits ${this.maxBit()}`);
      else this.fixed.push(bit);
    }
    this.autoBits.clear();
    for (const [name, bit] of this.map.bits) {
      if (/^[ap]-/.test(name) && this.usable(bit)) this.autoBits.set(name, bit);
    }
  }

  private maxBit(): number {
    return Math.min(this.globals.maxBits, LABEL_BYTES * 8 - 1);
  }

  private usable(bit: number): boolean {
    return bit >= 0 && bit <= this.maxBit();
  }

  protected fill(out: Uint8Array, at: number, r: FlowRecord): boolean {
    const bits = at + 48;
    let any = false;
    const set = (b: number): void => {
      out[bits + (b >> 3)]! |= 1 << (b & 7);
      any = true;
    };
    for (const b of this.fixed) set(b);
    if (this.cfg.autoLabel) {
      for (const name of autoLabelNames(r)) {
        const b = this.autoBits.get(name);
        if (b !== undefined) set(b);
      }
    }
    return any;
  }

  protected flags() {
    return { flags: CT.labelsSet, mark: 0, mask: 0 };
  }
}

export class CtMarkTarget extends ConntrackTarget {
  readonly type = 'ctmark';

  constructor(
    private readonly cfg: CtmarkTarget,
    deps: TargetDeps,
  ) {
    super(cfg.name, deps, `ctmark ${cfg.mark.toString(16)}`);
  }

  protected fill(): boolean {
    return true;
  }

  /** The mark shifted into place; only the mask's bits of the connection's mark change. */
  protected flags() {
    const mask = this.cfg.mask >>> 0;
    return { flags: CT.mark, mark: ((this.cfg.mark << this.cfg.shift) >>> 0) & mask, mask };
  }
}
