/**
 * What the kernel says about a queued packet beyond its bytes. Travels with the packet
 * into its flow, where records read the interface, mark and NAT state from it.
 */
export interface PacketMeta {
  /** Interface the packet came in on / goes out of (names resolved by the daemon), or null. */
  readonly inInterface: string | null;
  readonly outInterface: string | null;
  /** Packet mark (skb->mark) as queued. */
  readonly mark: number;
  /** Conntrack id and state when the kernel gave them (NFQA_CFG_F_CONNTRACK), else null. */
  readonly ctId: number | null;
  readonly ctState: number | null;
  /** The connection is NATed (its reply tuple differs from the original). */
  readonly nat: boolean;
}
