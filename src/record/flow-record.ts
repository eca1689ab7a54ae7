/**
 * The flow record flowsieve prints and hands to policy: Netify Agent field names wherever
 * Netify has one, so tools written against Netify's JSON read ours.
 */
import type { MetaSection } from '../classify/dissector.js';
import type { AppId, CategoryTag, ProtocolName } from '../names.js';

export interface FlowCategory {
  application: CategoryTag | null;
  protocol: CategoryTag | null;
}

/** Netify's `other_type` values (`other_local`, `other_remote`, … in expressions). */
export type OtherType = 'local' | 'remote' | 'multicast' | 'broadcast' | 'unknown';

export interface FlowRecord {
  ip_version: 4 | 6;
  ip_protocol: number;
  /** Innermost VLAN id, 0 when untagged. */
  vlan_id: number;
  local_ip: string;
  local_port: number;
  local_mac: string | null;
  other_ip: string;
  other_port: number;
  other_mac: string | null;
  /** Interface the flow was seen on, when known (live capture); null in replay. */
  interface: string | null;
  /** Netify's classification of the other address. */
  other_type: OtherType;
  /** The flow crossed NAT (known from conntrack in live mode; false in replay). */
  ip_nat: boolean;
  /** Packet/conntrack mark seen with the flow (live mode), 0 otherwise. */
  fwmark: number;
  /** Whole milliseconds since the epoch. */
  first_seen_at: number;
  last_seen_at: number;
  /** nDPI spelling; 'Unknown' when nothing recognised the flow. */
  detected_protocol_name: ProtocolName;
  /** Catalogue app tag (`youtube`), null when none. */
  detected_application_name: AppId | null;
  /** The verdict rests on a port or address guess, not on the payload. */
  detection_guessed: boolean;
  /** Classification finished (no more packets wanted). */
  detection_complete: boolean;
  /** Packets the classifier examined before it stopped. */
  detection_packets: number;
  host_server_name: string | null;
  /** Name an earlier DNS answer gave the other address. */
  dns_host_name: string | null;
  category: FlowCategory;
  local_packets: number;
  other_packets: number;
  local_bytes: number;
  other_bytes: number;
  /** Protocol sub-objects (`ssl`, `http`, `dns`, …) as the dissector filled them. */
  [section: string]: unknown;
}

/** The sub-objects carried by a record, by name. */
export type RecordSections = { [section: string]: MetaSection };
