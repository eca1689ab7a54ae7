/** Which addresses and ports a packet travels between, from the flow's point of view. */
import type { FlowView } from '../../flow/types.js';
import type { L4Packet } from '../dissector.js';

/** Address the packet was sent from. */
export function sourceIp(flow: FlowView, pkt: L4Packet): string {
  return pkt.dir === 0 ? flow.initiatorIp : flow.responderIp;
}

/** Address the packet was sent to. */
export function destinationIp(flow: FlowView, pkt: L4Packet): string {
  return pkt.dir === 0 ? flow.responderIp : flow.initiatorIp;
}

/** Either end of the flow uses `port` (source or destination of this packet). */
export function usesPort(pkt: L4Packet, port: number): boolean {
  return pkt.srcPort === port || pkt.dstPort === port;
}
