/**
 * The contract between the classification engine and each protocol dissector.
 *
 * A dissector is a small state machine over the packets of one flow. The engine feeds
 * every packet with a payload to every dissector still in the running (matching
 * `ipProtocols`), until one of them claims the flow by setting `out.protocol`. After that
 * only the claiming dissector is fed, for as long as it answers 'more' (it may want the
 * server's reply to fill metadata), and never past the engine's packet budget.
 *
 * Rules a dissector follows:
 *  - It never throws on any input: malformed bytes mean 'no' (or 'more' if a later packet
 *    may still decide). The engine catches a throw anyway, counts it and drops the
 *    dissector for that flow, but a throw is a bug.
 *  - It writes to `out` only when it claims the flow (sets `out.protocol`) or after it has
 *    claimed it. A dissector that answers 'no' leaves `out` untouched.
 *  - It keeps its per-flow state in the object `create()` returns and bounds its size
 *    (reassembly buffers have a cap).
 *  - Its `firstLook`, if any, states only what its own first look at a flow already
 *    requires: the engine skips the flows that fail it, which must change nothing.
 */
import type { Direction, FlowView } from '../flow/types.js';
import type { AppId, ProtocolName } from '../names.js';
import type { SharedHints } from './hints.js';


/** JSON-compatible metadata values for the flow record's protocol sub-objects. */
export type MetaValue = string | number | boolean | null | readonly MetaValue[] | { readonly [k: string]: MetaValue };
export type MetaSection = { [field: string]: MetaValue };

/** One packet as a dissector sees it. */
export interface L4Packet {
  readonly dir: Direction;
  readonly payload: Uint8Array;
  readonly srcPort: number;
  readonly dstPort: number;
  /** TCP flags byte, 0 for UDP. */
  readonly tcpFlags: number;
  /** TCP sequence number (for reassembly), 0 for UDP. */
  readonly tcpSeq: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

/** What the dissectors found; the engine turns it into flow-record fields. */
export interface Detection {
  /** Master/transport protocol, nDPI spelling; null until a dissector claims the flow. */
  protocol: ProtocolName | null;
  /**
   * Application decided by the dissector itself (e.g. STUN attributes that say WhatsApp),
   * or null to let the catalogue decide from hostname or address.
   */
  application: AppId | null;
  /** SNI, HTTP Host, DNS query name, DHCP host name, … (lower case). */
  hostname: string | null;
  /**
   * Netify-style sub-objects: `ssl`, `http`, `dns`, `ssh`, `bt`, `stun`, `dhcp`, `mdns`,
   * `quic`, `ntp`, `smb`, `sip`, … Field names in snake_case.
   */
  meta: { [section: string]: MetaSection };
}

/**
 * 'no': not this protocol, stop feeding me this flow.
 * 'more': undecided, or claimed and wanting more packets for metadata.
 * 'done': claimed and finished with this flow.
 */
export type Step = 'no' | 'more' | 'done';

/**
 * What the first payload packet of a flow must show for a dissector to be interested at
 * all. The engine offers a flow that fails it nothing (no state, no call): under an
 * interpreter most of the per-flow cost of classification is dissectors refusing flows
 * they could never match. A condition here must be one the dissector's `feed` checks
 * itself on the first packet, answering 'no' without touching `out` or the hints.
 */
export interface FirstLook {
  /** One of the flow's two ports is one of these. */
  readonly ports?: readonly number[];
  /** The first payload byte is one of these. */
  readonly firstBytes?: readonly number[];
}

export interface Dissector<S = unknown> {
  /** Module name, e.g. 'tls'. Unique. */
  readonly name: string;
  /** IP protocols this dissector applies to (6 TCP, 17 UDP). */
  readonly ipProtocols: readonly number[];
  /** Prefilter of the flow's first payload packet; absent: every flow is offered. */
  readonly firstLook?: FirstLook;
  /** Fresh per-flow state. Called lazily on the flow's first payload packet. */
  create(flow: FlowView): S;
  feed(state: S, pkt: L4Packet, flow: FlowView, out: Detection, hints: SharedHints): Step;
}

/** Erase the state type so dissectors of different state types share one list. */
export function dissector<S>(d: Dissector<S>): Dissector<unknown> {
  return d as unknown as Dissector<unknown>;
}

export function emptyDetection(): Detection {
  return { protocol: null, application: null, hostname: null, meta: {} };
}
