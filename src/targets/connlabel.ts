/**
 * Conntrack label names — pure. connlabel.conf (xtables' format, also read by conntrack
 * and nft) names label bits: one `bit name` per line, `#` comments. A ctlabel target's
 * labels are bit numbers or such names; with auto_label, the flow's application and
 * protocol become `a-<name>` / `p-<name>` (lower case, '/' written as '-') and are applied
 * when connlabel.conf defines them.
 */
import type { FlowRecord } from '../record/flow-record.js';

export interface LabelMap {
  /** Name → bit. */
  readonly bits: ReadonlyMap<string, number>;
  /** Lines that are not `bit name`, for the log. */
  readonly bad: readonly number[];
}

export function parseConnlabelConf(text: string): LabelMap {
  const bits = new Map<string, number>();
  const bad: number[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const m = /^(\d+)\s+(\S+)$/.exec(line);
    if (!m) return void bad.push(i + 1);
    // The first definition of a name wins, as in libnetfilter_conntrack's labelmap.
    if (!bits.has(m[2]!)) bits.set(m[2]!, Number(m[1]));
  });
  return { bits, bad };
}

/** A configured label (bit number or name) → bit, or null when the map does not name it. */
export function labelBit(label: string, map: LabelMap): number | null {
  const t = label.trim();
  if (/^\d+$/.test(t)) return Number(t);
  return map.bits.get(t) ?? null;
}

/** `Google/Meet/Duo` → `google-meet-duo`. */
export function labelName(name: string): string {
  return name.trim().toLowerCase().replace(/[/\s]+/g, '-');
}

/** The auto_label names of a flow: its application (`a-`) and protocol (`p-`). */
export function autoLabelNames(r: FlowRecord): string[] {
  const out: string[] = [];
  if (r.detected_application_name) out.push(`a-${labelName(r.detected_application_name)}`);
  if (r.detected_protocol_name && r.detected_protocol_name !== 'Unknown') out.push(`p-${labelName(r.detected_protocol_name)}`);
  return out;
}

/** connlabel.conf lines for names, numbered from `firstBit` (to write a starting file). */
export function connlabelLines(names: readonly string[], firstBit: number): string {
  return names.map((n, i) => `${firstBit + i} ${n}\n`).join('');
}
