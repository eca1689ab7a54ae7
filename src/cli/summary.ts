/** `replay --summary`: protocols and applications by flows and bytes, as a plain-text table. */
import type { FlowRecord } from '../record/flow-record.js';

interface Tally {
  flows: number;
  packets: number;
  bytes: number;
}

function tally(records: readonly FlowRecord[], keyOf: (r: FlowRecord) => string): [string, Tally][] {
  const m = new Map<string, Tally>();
  for (const r of records) {
    const k = keyOf(r);
    const t = m.get(k) ?? { flows: 0, packets: 0, bytes: 0 };
    t.flows++;
    t.packets += r.local_packets + r.other_packets;
    t.bytes += r.local_bytes + r.other_bytes;
    m.set(k, t);
  }
  return [...m.entries()].sort((a, b) => b[1].bytes - a[1].bytes || b[1].flows - a[1].flows || (a[0] < b[0] ? -1 : 1));
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function table(title: string, rows: [string, Tally][], totalBytes: number): string {
  const width = Math.max(title.length, ...rows.map(([k]) => k.length));
  const lines = [
    `${title.padEnd(width)}  ${'flows'.padStart(6)}  ${'packets'.padStart(8)}  ${'bytes'.padStart(10)}  ${'share'.padStart(6)}`,
  ];
  for (const [k, t] of rows) {
    const share = totalBytes > 0 ? ((100 * t.bytes) / totalBytes).toFixed(1) + '%' : '-';
    lines.push(
      `${k.padEnd(width)}  ${String(t.flows).padStart(6)}  ${String(t.packets).padStart(8)}  ${formatBytes(t.bytes).padStart(10)}  ${share.padStart(6)}`,
    );
  }
  return lines.join('\n');
}

export function formatSummary(records: readonly FlowRecord[], source: string): string {
  const totalBytes = records.reduce((s, r) => s + r.local_bytes + r.other_bytes, 0);
  const totalPackets = records.reduce((s, r) => s + r.local_packets + r.other_packets, 0);
  const classified = records.filter((r) => r.detected_protocol_name !== 'Unknown').length;
  const head = `${source}: ${records.length} flows, ${totalPackets} packets, ${formatBytes(totalBytes)}; ${classified} flows classified`;
  const protocols = tally(records, (r) => r.detected_protocol_name + (r.detection_guessed ? ' (guessed)' : ''));
  const apps = tally(records, (r) => r.detected_application_name ?? '-');
  return `${head}\n\n${table('protocol', protocols, totalBytes)}\n\n${table('application', apps, totalBytes)}\n`;
}
