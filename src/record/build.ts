/** Turn a tracked, classified flow into the Netify-style record flowsieve prints and evaluates. */
import type { Catalogue } from '../catalogue/types.js';
import { FLOW_COMPLETE, type FlowClassification } from '../classify/engine.js';
import type { Detection } from '../classify/dissector.js';
import type { Flow } from '../flow/table.js';
import type { FlowCategory, FlowRecord } from './flow-record.js';
import type { AppId, ProtocolName } from '../names.js';
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
 * `JSON.stringify(buildFlowRecord(flow, ctx))`, the line replay and the logs write, built
 * as text without the record object: under txiki.js making the object (a property
 * definition per field) and stringifying it (every key quoted again, every value looked
 * up by name) was most of a record's cost. The fields go in the record's order; text that
 * comes from the wire or the catalogue is quoted by JSON.stringify, while address text
 * (net/format.ts: digits, hex, '.' and ':') and `other_type` need no escaping, and every
 * number is a finite integer. A complete flow's sections are the text made when its
 * detection was shared (classify/shared-values.ts); others are stringified here.
 */
export function flowRecordJson(flow: Flow<FlowClassification>, ctx: RecordContext): string {
  const c = flow.data;
  const d = c.detection;
  const meta = d.meta;
  // A section named like a core field (dropped) or an array index (put first) changes the
  // order: then the record is built and stringified as it is.
  if (!appendsInOrder(meta)) return JSON.stringify(buildFlowRecord(flow, ctx));
  const sections = sectionsJsonOf(d) ?? JSON.stringify(meta);
  const swap = responderIsLocal(flow, ctx);
  const initiatorIp = flow.initiatorIp;
  const responderIp = flow.responderIp;
  const otherIp = swap ? initiatorIp : responderIp;
  const initiatorMac = flow.initiatorMac;
  const responderMac = flow.responderMac;
  const cat = ctx.catalogue;
  const epoch = ctx.epochOffset ? ctx.epochOffset() : 0;
  const pm = flow.meta; // a getter: read once
  const line =
    `{"ip_version":${flow.ipVersion},"ip_protocol":${flow.ipProtocol},"vlan_id":${flow.vlanId},` +
    `"local_ip":"${swap ? responderIp : initiatorIp}","local_port":${swap ? flow.responderPort : flow.initiatorPort},` +
    `"local_mac":${macJson(swap ? responderMac : initiatorMac)},` +
    `"other_ip":"${otherIp}","other_port":${swap ? flow.initiatorPort : flow.responderPort},` +
    `"other_mac":${macJson(swap ? initiatorMac : responderMac)},` +
    `"interface":${textJson(pm?.inInterface ?? ctx.interfaceName)},"other_type":"${otherTypeOf(otherIp)}",` +
    `"ip_nat":${pm?.nat ?? false},"fwmark":${pm?.mark ?? 0},` +
    `"first_seen_at":${Math.floor(flow.firstSeen + epoch)},"last_seen_at":${Math.floor(flow.lastSeen + epoch)},` +
    `${verdictJson(c, cat)},` +
    `"local_packets":${swap ? flow.packets1 : flow.packets0},"other_packets":${swap ? flow.packets0 : flow.packets1},` +
    `"local_bytes":${swap ? flow.bytes1 : flow.bytes0},"other_bytes":${swap ? flow.bytes0 : flow.bytes1}`;
  return sections === '{}' ? `${line}}` : `${line},${sections.slice(1)}`;
}

/**
 * The verdict's fields as JSON text, kept for a complete flow's state: complete flows with
 * equal verdicts share one frozen state (classify/engine.ts compact), and nothing writes
 * to it. Keyed by the catalogue too (a reload brings another).
 */
const VERDICT_JSON = new WeakMap<FlowClassification, { catalogue: Catalogue | null; json: string }>();

function verdictJson(c: FlowClassification, cat: Catalogue | null): string {
  const frozen = (c.flags & FLOW_COMPLETE) !== 0 && Object.isFrozen(c);
  if (frozen) {
    const known = VERDICT_JSON.get(c);
    if (known !== undefined && known.catalogue === cat) return known.json;
  }
  const d = c.detection;
  const protocol = d.protocol ?? 'Unknown';
  const app = c.application;
  const category = categoryOf(app, protocol, cat);
  const json =
    `"detected_protocol_name":${JSON.stringify(protocol)},"detected_application_name":${textJson(app)},` +
    `"detection_guessed":${c.guessed},"detection_complete":${c.complete},"detection_packets":${c.detectionPackets},` +
    `"host_server_name":${textJson(d.hostname)},"dns_host_name":${textJson(c.dnsHostName)},` +
    `"category":{"application":${textJson(category.application)},"protocol":${textJson(category.protocol)}}`;
  if (frozen) VERDICT_JSON.set(c, { catalogue: cat, json });
  return json;
}

/** Which end is "local": the initiator, unless roles say the responder is the LAN side. */
function responderIsLocal(flow: Flow<FlowClassification>, ctx: RecordContext): boolean {
  return ctx.isLocal ? !ctx.isLocal(flow.initiatorIp) && ctx.isLocal(flow.responderIp) : false;
}

/** The record's categories: the app's and the protocol's, from the catalogue. */
function categoryOf(app: AppId | null, protocol: ProtocolName, cat: Catalogue | null): FlowCategory {
  return {
    application: app && cat ? cat.categoryOfApp(app) : null,
    protocol: cat ? cat.protocolCategory(protocol) : null,
  };
}

/** A MAC address's JSON: its text (hex and ':', nothing to escape) quoted, or null. */
function macJson(mac: string | null): string {
  return mac === null ? 'null' : `"${mac}"`;
}

/** Text from the wire or the catalogue as JSON, or null. */
function textJson(text: string | null): string {
  return text === null ? 'null' : JSON.stringify(text);
}

/** Sub-objects never shadow a core field. */
function addSections(record: FlowRecord, meta: Detection['meta']): void {
  for (const section of Object.keys(meta)) if (!(section in record)) record[section] = meta[section];
}

/**
 * Whether the record's text is its core fields' text followed by the sections' own: no
 * section is dropped for a core field's name (CORE_FIELDS has the record's fields, and an
 * object's inherited names as the record has them), and none is named like an array
 * index (those would come first in the record's key order).
 */
function appendsInOrder(meta: Detection['meta']): boolean {
  for (const section in meta) {
    const first = section.charCodeAt(0);
    if (section in CORE_FIELDS || (first >= 0x30 && first <= 0x39)) return false;
  }
  return true;
}

/**
 * The core record's field names, in a plain object as the record is one (see
 * appendsInOrder). Kept in step with coreRecord and flowRecordJson: test/record-json.test.ts
 * compares every corpus flow's line with JSON.stringify of its record.
 */
const CORE_FIELDS: { readonly [field in keyof FlowRecord & string]?: true } = {
  ip_version: true,
  ip_protocol: true,
  vlan_id: true,
  local_ip: true,
  local_port: true,
  local_mac: true,
  other_ip: true,
  other_port: true,
  other_mac: true,
  interface: true,
  other_type: true,
  ip_nat: true,
  fwmark: true,
  first_seen_at: true,
  last_seen_at: true,
  detected_protocol_name: true,
  detected_application_name: true,
  detection_guessed: true,
  detection_complete: true,
  detection_packets: true,
  host_server_name: true,
  dns_host_name: true,
  category: true,
  local_packets: true,
  other_packets: true,
  local_bytes: true,
  other_bytes: true,
};

/** The record without its sections. */
function coreRecord(flow: Flow<FlowClassification>, ctx: RecordContext): FlowRecord {
  const c = flow.data;
  const d = c.detection;
  const swap = responderIsLocal(flow, ctx);
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
    local_mac: swap ? flow.responderMac : flow.initiatorMac,
    other_ip: otherIp,
    other_port: swap ? flow.initiatorPort : flow.responderPort,
    other_mac: swap ? flow.initiatorMac : flow.responderMac,
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
    category: categoryOf(c.application, protocol, cat),
    local_packets: swap ? flow.packets1 : flow.packets0,
    other_packets: swap ? flow.packets0 : flow.packets1,
    local_bytes: swap ? flow.bytes1 : flow.bytes0,
    other_bytes: swap ? flow.bytes0 : flow.bytes1,
  };
  return record;
}
