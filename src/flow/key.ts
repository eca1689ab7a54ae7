/** Direction-free flow keys: the same string for both directions of a flow. */
import type { FlowKey } from './types.js';

/**
 * `L4|ipA|portA|ipB|portB|vlan=N` with the endpoints ordered by (ip text, port): the same
 * form the corpus truth files use, so records and truth compare without translation.
 */
export function flowKeyOf(
  ipProtocol: number,
  vlanId: number,
  srcIp: string,
  srcPort: number,
  dstIp: string,
  dstPort: number,
): FlowKey {
  const srcFirst = srcIp < dstIp || (srcIp === dstIp && srcPort <= dstPort);
  const l4 = l4Name(ipProtocol);
  return (
    srcFirst
      ? `${l4}|${srcIp}|${srcPort}|${dstIp}|${dstPort}|vlan=${vlanId}`
      : `${l4}|${dstIp}|${dstPort}|${srcIp}|${srcPort}|vlan=${vlanId}`
  ) as FlowKey;
}

const L4_NAMES: { [proto: number]: string } = {
  1: 'ICMP',
  2: 'IGMP',
  6: 'TCP',
  17: 'UDP',
  47: 'GRE',
  50: 'ESP',
  51: 'AH',
  58: 'ICMPV6',
  89: 'OSPF',
  103: 'PIM',
  112: 'VRRP',
  132: 'SCTP',
};

/** The transport's name as nDPI prints it (`TCP`, `UDP`, `ICMPV6`), or its number. */
export function l4Name(ipProtocol: number): string {
  return L4_NAMES[ipProtocol] ?? String(ipProtocol);
}
