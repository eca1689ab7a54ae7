/**
 * The ipfix target: flows that reach it are exported as IPFIX data records to a
 * collector over UDP or TCP (encoding in ipfix-encode.ts). Templates and the application
 * table go out first, again every `template_interval` over UDP (a collector that starts
 * later learns them), and once per connection over TCP. A new application's name is sent
 * before the first record that uses it. Over TCP, messages wait in a bounded buffer while
 * the collector is slow or away (drops counted); over UDP a send never waits. A flow is
 * exported at its match and again when it ends ('expired'), with delta counts: the octets
 * and packets since its last export.
 */
import type { IpfixTarget as IpfixTargetConfig } from '../config/policy-config.js';
import type { FlowRecord } from '../record/flow-record.js';
import { openDatagram, connectStream, type DatagramOut } from '../runtime/net-socket.js';
import { errorText } from '../runtime/types.js';
import { TargetErrors } from './errors.js';
import { appRecord, dataSet, flowRecord, message, packSets, templateSets, TEMPLATE_APPS, type AppEntry, type IpfixFlow } from './ipfix-encode.js';
import { BoundedMap } from '../util/bounded-map.js';
import { OutBuffer } from './out-buffer.js';
import { parseHostPort } from './sink-frame.js';
import type { Target, TargetDeps, TargetEvent, TargetStatus } from './types.js';

/** A UDP message fits a 1500-byte path with room for IP/UDP headers and tunnels. */
const UDP_MAX = 1400;
const TCP_MAX = 65535;
/** Applications remembered for template refreshes, at most. */
const MAX_APPS = 4096;
/** Flows whose exported counts are remembered (for delta counts), at most. */
const MAX_FLOWS = 65536;

const flowKey = (r: FlowRecord): string => `${r.ip_protocol} ${r.local_ip} ${r.local_port} ${r.other_ip} ${r.other_port} ${r.first_seen_at}`;

/** The export view of a flow record; `sent` holds the counts already exported for it. */
export function ipfixFlow(r: FlowRecord, sent: { readonly octets: number; readonly packets: number } = { octets: 0, packets: 0 }): IpfixFlow {
  return {
    ipVersion: r.ip_version,
    source: r.local_ip,
    destination: r.other_ip,
    sourcePort: r.local_port,
    destinationPort: r.other_port,
    protocol: r.ip_protocol,
    octets: Math.max(0, r.local_bytes + r.other_bytes - sent.octets),
    packets: Math.max(0, r.local_packets + r.other_packets - sent.packets),
    startMs: r.first_seen_at,
    endMs: r.last_seen_at,
    application: r.detected_application_name ?? r.detected_protocol_name,
    hostName: r.host_server_name ?? r.dns_host_name ?? '',
  };
}

function appEntry(r: FlowRecord): AppEntry {
  const name = r.detected_application_name ?? r.detected_protocol_name;
  const category = r.category.application ?? r.category.protocol ?? '';
  return { name, description: [r.detected_protocol_name, category].filter((s) => s && s !== name).join(' ') };
}

export class IpfixTarget implements Target {
  readonly type = 'ipfix';
  readonly name: string;
  private readonly errors: TargetErrors;
  private readonly apps = new Map<string, AppEntry>();
  /** Octets and packets already exported per flow: a flow exported at its match and at its end counts once. */
  private readonly sent = new BoundedMap<string, { octets: number; packets: number }>(MAX_FLOWS);
  private readonly collector: { host: string; port: number } | null;
  private udp: DatagramOut | null = null;
  private tcp: OutBuffer | null = null;
  private sequence = 0;
  private lastTemplates = -Infinity;
  private exported = 0;
  private udpDropped = 0;

  constructor(
    private readonly cfg: IpfixTargetConfig,
    private readonly deps: TargetDeps,
  ) {
    this.name = cfg.name;
    this.errors = new TargetErrors(`target '${cfg.name}' (ipfix ${cfg.transport} ${cfg.collector})`, deps.log);
    this.collector = parseHostPort(cfg.collector);
    if (!this.collector) this.errors.add(`collector '${cfg.collector}' is not <host>:<port>`);
  }

  async start(): Promise<void> {
    const c = this.collector;
    if (!c) return;
    if (this.cfg.transport === 'tcp') {
      this.tcp = new OutBuffer({
        maxBytes: this.cfg.bufferSize,
        connect: () => connectStream({ kind: 'tcp', host: c.host, port: c.port }),
        // Each connection is a new transport session: templates and names first.
        onConnect: async (conn) => {
          for (const m of this.templateMessages(TCP_MAX)) await conn.write(m);
        },
        onError: (reason) => this.errors.add(reason),
      });
      return;
    }
    try {
      this.udp = await openDatagram(c.host, c.port);
    } catch (e) {
      this.errors.add(`cannot open UDP socket: ${errorText(e)}`);
      return;
    }
    await this.sendTemplates();
  }

  /** Templates and the application table, as messages. */
  private templateMessages(max: number): Uint8Array[] {
    const sets = [...templateSets(this.cfg.enterpriseNumber), ...[...this.apps.values()].map((a) => dataSet(TEMPLATE_APPS, [appRecord(a)]))];
    return this.messages(sets, max, this.apps.size);
  }

  /** Wraps sets into messages; `records` data records are counted into the sequence. */
  private messages(sets: readonly Uint8Array[], max: number, records: number): Uint8Array[] {
    const now = Math.floor(this.deps.now() / 1000);
    const out = packSets(sets, max).map((g) => message(g, now, this.sequence, this.cfg.observationDomain));
    this.sequence = (this.sequence + records) >>> 0;
    return out;
  }

  private async sendTemplates(): Promise<void> {
    this.lastTemplates = this.deps.now();
    for (const m of this.templateMessages(UDP_MAX)) await this.sendUdp(m);
  }

  private async sendUdp(m: Uint8Array): Promise<boolean> {
    try {
      await this.udp!.send(m);
      return true;
    } catch (e) {
      this.errors.add(`send failed: ${errorText(e)}`);
      return false;
    }
  }

  async handle(events: readonly TargetEvent[]): Promise<void> {
    if (!this.udp && !this.tcp) return this.errors.add('no collector', events.length);
    const sets: Uint8Array[] = [];
    let records = 0;
    for (const e of events) {
      const app = appEntry(e.record);
      if (!this.apps.has(app.name)) {
        // Each name in its own set: nfdump 1.7 reads one application record per set.
        if (this.apps.size >= MAX_APPS) this.apps.delete(this.apps.keys().next().value!);
        this.apps.set(app.name, app);
        sets.push(dataSet(TEMPLATE_APPS, [appRecord(app)]));
        records++;
      }
      const key = flowKey(e.record);
      const r = flowRecord(ipfixFlow(e.record, this.sent.get(key)));
      if (e.kind === 'expired') this.sent.delete(key);
      else this.sent.touch(key, { octets: e.record.local_bytes + e.record.other_bytes, packets: e.record.local_packets + e.record.other_packets });
      sets.push(dataSet(r.template, [r.bytes]));
      records++;
    }
    const msgs = this.messages(sets, this.tcp ? TCP_MAX : UDP_MAX, records);
    if (this.tcp) {
      for (const m of msgs) this.tcp.push(m);
    } else {
      for (const m of msgs) if (!(await this.sendUdp(m))) this.udpDropped++;
    }
    this.exported += events.length;
  }

  async tick(now: number): Promise<void> {
    if (this.udp && now - this.lastTemplates >= this.cfg.templateInterval * 1000) await this.sendTemplates();
  }

  /** Resolves when every queued TCP message was written. */
  drained(): Promise<void> {
    return this.tcp?.drained() ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.udp?.close();
    this.udp = null;
    await this.tcp?.closeAfter(1000);
  }

  status(): TargetStatus {
    return {
      name: this.name,
      type: this.type,
      done: this.exported,
      failed: this.errors.failed,
      errors: this.errors.byReason(),
      dropped: (this.tcp?.dropped ?? 0) + this.udpDropped,
    };
  }
}
