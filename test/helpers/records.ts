/** Flow records built by hand, for policy specifications. */
import type { FlowRecord } from '../../src/record/flow-record.js';

export function record(over: Partial<FlowRecord> = {}): FlowRecord {
  return {
    ip_version: 4,
    ip_protocol: 6,
    vlan_id: 0,
    local_ip: '192.168.1.10',
    local_port: 50000,
    local_mac: '02:00:00:00:00:10',
    other_ip: '203.0.113.5',
    other_port: 443,
    other_mac: '02:00:00:00:00:01',
    interface: 'br-lan',
    other_type: 'remote',
    ip_nat: false,
    fwmark: 0,
    first_seen_at: 0,
    last_seen_at: 0,
    detected_protocol_name: 'TLS',
    detected_application_name: 'youtube',
    detection_guessed: false,
    detection_complete: true,
    detection_packets: 4,
    host_server_name: 'www.youtube.com',
    dns_host_name: null,
    category: { application: 'streaming-media', protocol: 'web' },
    local_packets: 1,
    other_packets: 1,
    local_bytes: 100,
    other_bytes: 100,
    ...over,
  };
}
