/**
 * One tracked flow as the flow table (table.ts) keeps it: the fields every live flow
 * carries, laid out for QuickJS's memory (see FlowEntry), and how its timeout class,
 * TCP ending and VLAN share one field.
 */
import type { DecodedPacket } from '../decode/packet.js';
import type { Queued } from './idle-queue.js';
import type { PacketMeta } from './packet-meta.js';
import type { Endpoint, FlowKey, FlowView } from './types.js';

/** Which idle timeout applies; Closed: FIN both ways or RST, lingering for its last ACKs. */
export const enum TimeoutClass {
  Tcp,
  Udp,
  Other,
  Closed,
}

export interface Flow<T> extends FlowView {
  readonly key: FlowKey;
  /** Each end as an Endpoint, a new object on each read (records, tests). */
  readonly initiator: Endpoint;
  readonly responder: Endpoint;
  readonly initiatorMac: string | null;
  readonly responderMac: string | null;
  readonly firstSeen: number;
  lastSeen: number;
  /** Per direction, as new pairs (the counts are plain fields: see FlowEntry). */
  readonly packetsByDir: readonly [number, number];
  readonly bytesByDir: readonly [number, number];
  /** Packets, and bytes, sent by the initiator (0) and by the responder (1): plain fields, read without a call. */
  readonly packets0: number;
  readonly packets1: number;
  readonly bytes0: number;
  readonly bytes1: number;
  readonly packets: number;
  /** TCP: FIN seen from the initiator (bit 0) and the responder (bit 1). */
  readonly finBits: number;
  /** TCP: RST seen. */
  readonly reset: boolean;
  readonly timeoutClass: TimeoutClass;
  /** Caller's per-flow state (classification). */
  readonly data: T;
  /** What the kernel said about the flow's first queued packet (live only; null in replay). */
  meta: PacketMeta | null;
  /** The daemon's own per-flow state (verdict state, actions applied); null until it sets one. */
  slot: unknown;
}

/**
 * `FlowEntry.state`: the timeout class (low bits), the TCP ending seen, whether lastSeen
 * moved since the flow was queued, then the IP protocol (8 bits) and the VLAN (12 bits):
 * 26 bits, so it stays a small integer.
 */
export const CLASS_BITS = 3;
export const FIN_FROM_INITIATOR = 4;
export const BOTH_FINS = 12;
export const RST_SEEN = 16;
/**
 * Seen since it last took its place in its class's idle queue: packets only move lastSeen
 * and set this; expiry re-queues a flow that has it (lazy LRU: no queue update per packet).
 */
export const TOUCHED = 32;
export const PROTO_SHIFT = 6;
export const VLAN_SHIFT = 14;

export function classOf<T>(flow: Flow<T>): TimeoutClass {
  return ((flow as FlowEntry<T>).state & CLASS_BITS) as TimeoutClass;
}

/** Both ends' MAC addresses; one object serves every flow between the same two (table.ts). */
export interface MacPair {
  readonly initiator: string | null;
  readonly responder: string | null;
}

/**
 * A flow's MAC pair with what only the live daemon sets: made per flow on the daemon's
 * first write, so replay's flows keep sharing their MacPair and carry no field for these.
 */
class LiveExtras implements MacPair {
  constructor(
    readonly initiator: string | null,
    readonly responder: string | null,
    public meta: PacketMeta | null,
    public slot: unknown,
  ) {}
}

/**
 * One tracked flow, laid out for QuickJS's memory. Each object costs about 0.12 KB under
 * txiki.js and each property slot 16 bytes, in steps: an object's property array grows 2,
 * 3, 4, 6, 9, 13, 19 as fields are added (measured per object: 9 fields 252 bytes, 10-13
 * 313, 14-17 435; this class with 14 fields 467). So the endpoints are plain fields (both
 * ports in one) with the Endpoint objects made when asked for, the MAC pair is shared (and
 * becomes a per-flow LiveExtras holding meta and slot once the daemon sets them), the
 * per-direction counts are plain fields with pairs built on demand (records, tests), the
 * IP protocol and VLAN share `state` with the timeout class, TCP ending and idle-queue
 * mark, the idle queue needs one index (idle-queue.ts), and there is no id (the table's
 * map keeps creation order): 14 fields. The key is one of them, the very string the
 * table's map holds: built again for each flow's end, it was hashed again too, under
 * Node ~1.5% of a replay's instructions (txiki.js 0.6%), for ~90 bytes more per flow
 * (npm run bench:dpi). What can be derived (total packets, IP version) is a getter. Every
 * flow gets the same fields in the same order.
 */
export class FlowEntry<T> implements Flow<T>, Queued {
  readonly initiatorIp: string;
  readonly responderIp: string;
  /** The initiator's port << 16 | the responder's (int32): the table tests a packet's two ports at once. */
  readonly ports: number;
  /** The shared MacPair, or this flow's LiveExtras once meta or slot is set. */
  macs: MacPair;
  readonly firstSeen: number;
  lastSeen: number;
  packets0 = 0;
  packets1 = 0;
  bytes0 = 0;
  bytes1 = 0;
  /** Timeout class | FIN from the initiator, from the responder | RST | touched | IP protocol | VLAN (see CLASS_BITS). */
  state: number;
  readonly data: T = undefined as unknown as T;
  /** Its place in the idle queue of its timeout class (idle-queue.ts); -1 in none. */
  queued = -1;

  constructor(
    pkt: DecodedPacket,
    timeoutClass: TimeoutClass,
    macs: MacPair,
    /** The table's key for it, the string the table's map holds (its hash already worked out). */
    readonly key: FlowKey,
  ) {
    this.state = timeoutClass | (pkt.ipProtocol << PROTO_SHIFT) | (pkt.vlanId << VLAN_SHIFT);
    this.initiatorIp = pkt.srcIp;
    this.responderIp = pkt.dstIp;
    this.ports = (pkt.srcPort << 16) | pkt.dstPort;
    this.macs = macs;
    this.firstSeen = pkt.timestamp;
    this.lastSeen = pkt.timestamp;
  }

  get initiatorPort(): number {
    return this.ports >>> 16;
  }

  get responderPort(): number {
    return this.ports & 0xffff;
  }

  get ipProtocol(): number {
    return (this.state >>> PROTO_SHIFT) & 0xff;
  }

  get initiator(): Endpoint {
    return { ip: this.initiatorIp, port: this.initiatorPort };
  }

  get responder(): Endpoint {
    return { ip: this.responderIp, port: this.responderPort };
  }

  get initiatorMac(): string | null {
    return this.macs.initiator;
  }

  get responderMac(): string | null {
    return this.macs.responder;
  }

  get meta(): PacketMeta | null {
    const m = this.macs;
    return m instanceof LiveExtras ? m.meta : null;
  }

  set meta(meta: PacketMeta | null) {
    this.extras().meta = meta;
  }

  get slot(): unknown {
    const m = this.macs;
    return m instanceof LiveExtras ? m.slot : null;
  }

  set slot(slot: unknown) {
    this.extras().slot = slot;
  }

  private extras(): LiveExtras {
    const m = this.macs;
    return m instanceof LiveExtras ? m : (this.macs = new LiveExtras(m.initiator, m.responder, null, null));
  }

  get vlanId(): number {
    return this.state >>> VLAN_SHIFT;
  }

  get ipVersion(): 4 | 6 {
    // IPv6 text always has a colon, IPv4 text never (decode/address-cache.ts).
    return this.initiatorIp.includes(':') ? 6 : 4;
  }

  get packets(): number {
    return this.packets0 + this.packets1;
  }

  get timeoutClass(): TimeoutClass {
    return (this.state & CLASS_BITS) as TimeoutClass;
  }

  get finBits(): number {
    return (this.state & BOTH_FINS) >> 2;
  }

  get reset(): boolean {
    return (this.state & RST_SEEN) !== 0;
  }

  get packetsByDir(): readonly [number, number] {
    return [this.packets0, this.packets1];
  }

  get bytesByDir(): readonly [number, number] {
    return [this.bytes0, this.bytes1];
  }
}
