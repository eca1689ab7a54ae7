/** Turn a tracked, classified flow into the Netify-style record flowsieve prints and evaluates. */
import type { Catalogue } from '../catalogue/types.js';
import type { FlowClassification } from '../classify/engine.js';
import type { Flow } from '../flow/table.js';
import type { FlowRecord } from './flow-record.js';
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
  // Sub-objects never shadow a core field.
  for (const section of Object.keys(d.meta)) if (!(section in record)) record[section] = d.meta[section];
  return record;
}
