/**
 * The daemon's active flows as the ubus methods show them: a compact row per flow,
 * filters by application, category and address, sorting by bytes, and the top
 * applications and categories over a time window. Pure functions over flow records.
 */
import type { FlowRecord } from '../record/flow-record.js';
import type { JsonObject } from './blobmsg.js';

export interface FlowRow extends JsonObject {
  app: string | null;
  protocol: string;
  category: string | null;
  host: string | null;
  ip_protocol: number;
  local_ip: string;
  local_port: number;
  local_mac: string | null;
  other_ip: string;
  other_port: number;
  interface: string | null;
  bytes: number;
  packets: number;
  first_seen: number;
  last_seen: number;
  actions: string[];
}

/** One key per flow (protocol and both ends), to tie action matches to flows. */
export function flowKey(r: Pick<FlowRecord, 'ip_protocol' | 'local_ip' | 'local_port' | 'other_ip' | 'other_port'>): string {
  return `${r.ip_protocol}|${r.local_ip}|${r.local_port}|${r.other_ip}|${r.other_port}`;
}

/** Who talks to whom and what it is: the part of a flow that rows and events both show. */
export function flowSummary(r: FlowRecord) {
  return {
    app: r.detected_application_name,
    protocol: r.detected_protocol_name as string,
    category: r.category.application ?? r.category.protocol,
    host: r.host_server_name ?? r.dns_host_name,
    ip_protocol: r.ip_protocol,
    local_ip: r.local_ip,
    local_port: r.local_port,
    local_mac: r.local_mac,
    other_ip: r.other_ip,
    other_port: r.other_port,
    interface: r.interface,
  };
}

export function flowRow(r: FlowRecord, actions: readonly string[]): FlowRow {
  return {
    ...flowSummary(r),
    bytes: r.local_bytes + r.other_bytes,
    packets: r.local_packets + r.other_packets,
    // Live records carry monotonic-derived fractional ms; whole ms read better on the wire.
    first_seen: Math.round(r.first_seen_at),
    last_seen: Math.round(r.last_seen_at),
    actions: [...actions],
  };
}

export interface FlowFilter {
  readonly app?: string;
  readonly category?: string;
  /** Either end's address, or a prefix of it ending in '.' or ':' (e.g. '192.168.1.'). */
  readonly address?: string;
}

export function matchesFilter(row: FlowRow, f: FlowFilter): boolean {
  if (f.app !== undefined && row.app !== f.app && row.protocol.toLowerCase() !== f.app.toLowerCase()) return false;
  if (f.category !== undefined && row.category !== f.category) return false;
  if (f.address !== undefined) {
    const a = f.address;
    const prefix = a.endsWith('.') || a.endsWith(':');
    const hit = (ip: string): boolean => (prefix ? ip.startsWith(a) : ip === a);
    if (!hit(row.local_ip) && !hit(row.other_ip)) return false;
  }
  return true;
}

/** Filter, sort by bytes (most first), cut to `limit`. */
export function selectFlows(rows: readonly FlowRow[], f: FlowFilter, limit: number): { total: number; flows: FlowRow[] } {
  const hits = rows.filter((r) => matchesFilter(r, f)).sort((a, b) => b.bytes - a.bytes || b.last_seen - a.last_seen);
  return { total: hits.length, flows: hits.slice(0, Math.max(0, limit)) };
}

export interface UsageEntry extends JsonObject {
  name: string;
  flows: number;
  bytes: number;
}

function tally(rows: readonly FlowRow[], key: (r: FlowRow) => string, limit: number): UsageEntry[] {
  const m = new Map<string, UsageEntry>();
  for (const r of rows) {
    const k = key(r);
    const e = m.get(k) ?? { name: k, flows: 0, bytes: 0 };
    e.flows++;
    e.bytes += r.bytes;
    m.set(k, e);
  }
  return [...m.values()].sort((a, b) => b.bytes - a.bytes || b.flows - a.flows || (a.name < b.name ? -1 : 1)).slice(0, limit);
}

/** Top applications (the protocol when no app was named) and categories of flows seen within `windowMs` of `now`. */
export function usage(rows: readonly FlowRow[], now: number, windowMs: number, limit: number): { apps: UsageEntry[]; categories: UsageEntry[]; flows: number; bytes: number } {
  const recent = rows.filter((r) => r.last_seen >= now - windowMs);
  return {
    apps: tally(recent, (r) => r.app ?? r.protocol, limit),
    categories: tally(recent, (r) => r.category ?? 'unknown', limit),
    flows: recent.length,
    bytes: recent.reduce((n, r) => n + r.bytes, 0),
  };
}
