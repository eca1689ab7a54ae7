/** Flow identity and direction, shared by the flow table, classifier and policy. */

/** 0: sent by the initiator (Netify "local" side when no roles are known); 1: by the responder. */
export type Direction = 0 | 1;

/**
 * Direction-free identity of a flow: VLAN, IP protocol and the unordered endpoint pair.
 * Its string form is used as a map key, so two packets of one flow in either direction
 * produce the same FlowKey.
 */
export type FlowKey = string & { readonly __brand: 'FlowKey' };

/** One end of a flow. A flow table entry makes a new one each time it is asked (it keeps the fields flat). */
export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

/** What a dissector may know about the flow it is looking at (read-only). */
export interface FlowView {
  readonly ipVersion: 4 | 6;
  readonly ipProtocol: number;
  readonly vlanId: number;
  /** Each end's address and port as plain values: no Endpoint object per read on the packet path. */
  readonly initiatorIp: string;
  readonly initiatorPort: number;
  readonly responderIp: string;
  readonly responderPort: number;
  /** Packets seen in the flow so far, the current one included. */
  readonly packets: number;
  /** Packets seen per direction so far, the current one included. */
  readonly packetsByDir: readonly [number, number];
}
