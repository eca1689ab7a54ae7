/** Turn a tracked, classified flow into the Netify-style record flowsieve prints and evaluates. */
import type { Catalogue } from '../catalogue/types.js';
import type { FlowClassification } from '../classify/engine.js';
import type { Detection } from '../classify/dissector.js';
import type { Flow } from '../flow/table.js';
import type { FlowRecord } from './flow-record.js';
import { sectionsJsonOf } from '../classify/shared-values.js';
import { otherTypeOf } from './other-type.js';

export interface RecordContext {
  readonly catalogue: Catalogue | null;
  /** Interface name the flow was seen on (live capture), null in replay. */
  readonly interfaceName: string | null;
  /**
   * Which side is "local". Without interface roles the initiator is local; a live capture
   * with LAN/WAN roles passes a function that knows the LAN addresses.
   */
  readonly isLocal?: (ip: string) => boolean;
  /**
   * Live flows keep monotonic times (so expiry ignores wall-clock jumps); this gives the
   * milliseconds to add for epoch time in the record. Absent: flow times are epoch already.
   */
  readonly epochOffset?: () => number;
}

export function buildFlowRecord(flow: Flow<FlowClassification>, ctx: RecordContext): FlowRecord {
  const record = coreRecord(flow, ctx);
  addSections(record, flow.data.detection.meta);
  return record;
}

/**
 * `JSON.stringify(buildFlowRecord(flow, ctx))`, the line replay and the logs write. A
 * complete flow's sections are the text made when its detection was shared
 * (classify/shared-values.ts), put after the core fields' text as the record puts them
 * after its core fields: under txiki.js, quoting them again was a third of the line's cost.
 */
export function flowRecordJson(flow: Flow<FlowClassification>, ctx: RecordContext): string {
  const record = coreRecord(flow, ctx);
  const meta = flow.data.detection.meta;
  const sections = sectionsJsonOf(flow.data.detection);
  if (sections === undefined || !appendsInOrder(meta, record)) {
    addSections(record, meta);
    return JSON.stringify(record);
  }
  const core = JSON.stringify(record);
  return sections === '{}' ? core : `${core.slice(0, -1)},${sections.slice(1)}`;
}

/** Sub-objects never shadow a core field. */
function addSections(record: FlowRecord, meta: Detection['meta']): void {
  for (const section of Object.keys(meta)) if (!(section in record)) record[section] = meta[section];
}

/**
 * Whether the record's text is its core fields' text followed by the sections' own: no
 * section is dropped for a core field's name, and none is named like an array index
 * (those would come first in the record's key order).
 */
function appendsInOrder(meta: Detection['meta'], record: FlowRecord): boolean {
  for (const section in meta) {
    const first = section.charCodeAt(0);
    if (section in record || (first >= 0x30 && first <= 0x39)) return false;
  }
  return true;
}

/** The record without its sections. */
function coreRecord(flow: Flow<FlowClassification>, ctx: RecordContext): FlowRecord {
  const c = flow.data;
  const d = c.detection;
  // Local = initiator unless roles say the responder is the LAN side.
  const swap = ctx.isLocal ? !ctx.isLocal(flow.initiatorIp) && ctx.isLocal(flow.responderIp) : false;
  const L = swap ? 1 : 0;
  const O = swap ? 0 : 1;
  // The ends' plain fields: no Endpoint object made.
  const otherIp = swap ? flow.initiatorIp : flow.responderIp;
  const protocol = d.protocol ?? 'Unknown';
  const cat = ctx.catalogue;
  const epoch = ctx.epochOffset ? ctx.epochOffset() : 0;
  const meta = flow.meta; // a getter: read once
  const record: FlowRecord = {
    ip_version: flow.ipVersion,
    ip_protocol: flow.ipProtocol,
    vlan_id: flow.vlanId,
    local_ip: swap ? flow.responderIp : flow.initiatorIp,
    local_port: swap ? flow.responderPort : flow.initiatorPort,
    local_mac: L === 0 ? flow.initiatorMac : flow.responderMac,
    other_ip: otherIp,
    other_port: swap ? flow.initiatorPort : flow.responderPort,
    other_mac: L === 0 ? flow.responderMac : flow.initiatorMac,
    interface: meta?.inInterface ?? ctx.interfaceName,
    other_type: otherTypeOf(otherIp),
    ip_nat: meta?.nat ?? false,
    fwmark: meta?.mark ?? 0,
    // Whole milliseconds, as Netify writes them (capture timestamps carry micro- or nanoseconds).
    first_seen_at: Math.floor(flow.firstSeen + epoch),
    last_seen_at: Math.floor(flow.lastSeen + epoch),
    detected_protocol_name: protocol,
    detected_application_name: c.application,
    detection_guessed: c.guessed,
    detection_complete: c.complete,
    detection_packets: c.detectionPackets,
    host_server_name: d.hostname,
    dns_host_name: c.dnsHostName,
    category: {
      application: c.application && cat ? cat.categoryOfApp(c.application) : null,
      protocol: cat ? cat.protocolCategory(protocol) : null,
    },
    local_packets: flow.packetsFrom(L),
    other_packets: flow.packetsFrom(O),
    local_bytes: flow.bytesFrom(L),
    other_bytes: flow.bytesFrom(O),
  };
  return record;
}
