/**
 * Last-resort verdicts. Flows that carry no ports are named by their IP protocol (not a
 * guess: the protocol number says what they are). A TCP/UDP flow that no dissector claimed
 * is guessed from a well-known server port, and the record says it was guessed.
 */
import type { ProtocolName } from '../names.js';

const BY_IP_PROTOCOL: { [proto: number]: ProtocolName } = {
  1: 'ICMP',
  2: 'IGMP',
  4: 'IP_in_IP',
  41: 'IPv6',
  47: 'GRE',
  50: 'IPSec',
  51: 'IPSec',
  58: 'ICMPV6',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  132: 'SCTP',
};

export function protocolOfIpProtocol(ipProtocol: number): ProtocolName {
  return BY_IP_PROTOCOL[ipProtocol] ?? 'Unknown';
}

/** Well-known server ports, nDPI's names. Only ports whose protocol is near-certain. */
const TCP_PORTS: { [port: number]: ProtocolName } = {
  21: 'FTP_CONTROL',
  22: 'SSH',
  23: 'Telnet',
  25: 'SMTP',
  53: 'DNS',
  80: 'HTTP',
  110: 'POP3',
  139: 'NetBIOS',
  143: 'IMAP',
  443: 'TLS',
  445: 'SMBv23',
  465: 'SMTPS',
  587: 'SMTP',
  853: 'DoH_DoT',
  993: 'IMAPS',
  995: 'POPS',
  1194: 'OpenVPN',
  1883: 'MQTT',
  3389: 'RDP',
  5222: 'Jabber',
  5228: 'GoogleServices',
  8080: 'HTTP_Proxy',
};

const UDP_PORTS: { [port: number]: ProtocolName } = {
  53: 'DNS',
  67: 'DHCP',
  68: 'DHCP',
  123: 'NTP',
  137: 'NetBIOS',
  138: 'NetBIOS',
  443: 'QUIC',
  500: 'IPSec',
  853: 'DoH_DoT',
  1194: 'OpenVPN',
  1900: 'SSDP',
  3478: 'STUN',
  4500: 'IPSec',
  5351: 'NAT-PMP',
  5353: 'MDNS',
  5355: 'LLMNR',
  51820: 'WireGuard',
};

export function guessByPort(ipProtocol: number, initiatorPort: number, responderPort: number): ProtocolName | null {
  const table = ipProtocol === 6 ? TCP_PORTS : ipProtocol === 17 ? UDP_PORTS : null;
  if (!table) return null;
  return table[responderPort] ?? table[initiatorPort] ?? null;
}
