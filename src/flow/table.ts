/**
 * The flow table: bidirectional 5-tuple (+VLAN) flows with per-direction counters,
 * idle expiry on packet time (TCP kept longer than UDP), FIN/RST ends a TCP flow, and a
 * hard cap with oldest-idle eviction. Memory is bounded by `maxFlows` and the fragment
 * map's own cap. The table knows nothing about classification: it calls `hooks.create`
 * for each new flow (to attach the caller's per-flow state) and `hooks.end` when a flow
 * ends, with the reason.
 */
import { IPPROTO_TCP, IPPROTO_UDP, type DecodedPacket, type FragmentInfo } from '../decode/packet.js';
import { flowKeyOf, fragmentKeyOf } from './key.js';
import { IdleQueue } from './idle-queue.js';
import type { Direction, FlowKey, FlowView } from './types.js';
import { BOTH_FINS, CLASS_BITS, classOf, FIN_FROM_INITIATOR, FlowEntry, PROTO_SHIFT, RST_SEEN, TimeoutClass, TOUCHED, VLAN_SHIFT, type Flow, type MacPair } from './entry.js';

export type { Flow };

export interface FlowTableOptions {
  /** Most flows tracked at once; a new flow beyond it evicts the oldest idle one. */
  readonly maxFlows: number;
  readonly tcpIdleMs: number;
  readonly udpIdleMs: number;
  readonly otherIdleMs: number;
  /** How long a closed TCP flow lingers to collect its last ACKs before it is reported. */
  readonly closedLingerMs: number;
  /** Fragment-id → flow attributions kept at most, and for how long. */
  readonly maxFragments: number;
  readonly fragmentTtlMs: number;
}

export const DEFAULT_FLOW_TABLE_OPTIONS: FlowTableOptions = {
  maxFlows: 65536,
  tcpIdleMs: 300_000,
  udpIdleMs: 60_000,
  otherIdleMs: 30_000,
  closedLingerMs: 5_000,
  maxFragments: 4096,
  fragmentTtlMs: 30_000,
};

/** 'conntrack': the kernel's connection tracking destroyed the connection (live only). */
export type FlowEndReason = 'idle' | 'closed' | 'evicted' | 'reused' | 'flush' | 'conntrack';

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;


export interface FlowTableHooks<T> {
  create(flow: FlowView): T;
  end(flow: Flow<T>, reason: FlowEndReason): void;
}

export interface FlowTableCounters {
  flowsCreated: number;
  flowsEnded: number;
  evicted: number;
  /** Later fragments whose first fragment was never seen (not attributable). */
  fragmentsUnattributed: number;
  fragmentsAttributed: number;
}


interface FragmentAttribution {
  key: FlowKey;
  dir: Direction;
  expiresAt: number;
}

export class FlowTable<T> {
  private readonly flows = new Map<FlowKey, FlowEntry<T>>();
  /** Per timeout class, its flows by when they were queued (see TOUCHED). */
  private readonly byClass: IdleQueue<FlowEntry<T>>[] = [new IdleQueue(), new IdleQueue(), new IdleQueue(), new IdleQueue()];
  private readonly fragments = new Map<string, FragmentAttribution>();
  private readonly opts: FlowTableOptions;
  /** The flow of the previous packet (cleared when it ends). */
  private lastFlow: FlowEntry<T> | null = null;
  /**
   * Recently looked-up flows by a hash of the packet's tuple (direct-mapped, so bounded;
   * a slot is cleared when its flow ends). Interleaved flows mostly hit here.
   */
  private recent: (FlowEntry<T> | null)[] = new Array<FlowEntry<T> | null>(1 << RECENT_MIN_BITS).fill(null);
  private recentBits = RECENT_MIN_BITS;
  /** -Infinity until the first packet or tick: then the first one sweeps, as every later one that moves it past nextSweep. */
  private clock = -Infinity;
  private nextSweep = 0;
  /** Recently made MAC pairs, shared by the flows they fit (replaced round-robin). */
  private readonly macPairs: MacPair[] = [];
  private nextMacPair = 0;
  private lastMacPair: MacPair = { initiator: null, responder: null };
  /** The last tracked packet's direction in its flow, and whether it had a transport header. */
  trackedDir: Direction = 0;
  trackedTransport = true;
  readonly counters: FlowTableCounters = {
    flowsCreated: 0,
    flowsEnded: 0,
    evicted: 0,
    fragmentsUnattributed: 0,
    fragmentsAttributed: 0,
  };

  constructor(
    private readonly hooks: FlowTableHooks<T>,
    opts: Partial<FlowTableOptions> = {},
  ) {
    this.opts = { ...DEFAULT_FLOW_TABLE_OPTIONS, ...opts };
  }

  get size(): number {
    return this.flows.size;
  }

  /** Packet time as the table last saw it (ms); -Infinity before any. */
  get now(): number {
    return this.clock;
  }

  /**
   * Account one packet to its flow (creating it if new); null when it cannot be
   * attributed. No result object (the packet path would make one per packet): the
   * packet's direction and whether it carries its transport header are left in
   * `trackedDir` and `trackedTransport` until the next packet. A datagram
   * reassembled from fragments counts as the `frames` packets it came in (its wireLength
   * their sum).
   */
  track(pkt: DecodedPacket, frames: number): Flow<T> | null {
    // advance(), inlined: it runs for every packet. A sweep leaves the clock short of
    // nextSweep, so one can be due only when the clock moves.
    const ts = pkt.timestamp;
    if (ts > this.clock) {
      this.clock = ts;
      if (ts >= this.nextSweep) this.sweep();
    }
    let flow: FlowEntry<T> | null;
    let dir: Direction | -1;
    if (pkt.laterFragment) {
      this.trackedTransport = false;
      flow = this.fragmentFlow(pkt, frames);
      if (flow === null) return null;
      dir = this.trackedDir;
    } else {
      this.trackedTransport = true;
      // Packets come in bursts per flow: the previous packet's flow is checked first, then
      // the flow last seen with this packet's ports and addresses; either spares building
      // the key string and the map lookup.
      flow = this.lastFlow;
      dir = flow === null ? -1 : directionIn(flow, pkt);
      if (dir === -1) {
        const slot = recentSlot(pkt.ipProtocol, pkt.vlanId, pkt.srcIp, pkt.srcPort, pkt.dstIp, pkt.dstPort, this.recentBits);
        flow = this.recent[slot]!;
        dir = flow === null ? -1 : directionIn(flow, pkt);
        if (dir === -1) {
          flow = this.lookUp(pkt);
          dir = pkt.srcIp === flow.initiatorIp && pkt.srcPort === flow.ports >>> 16 ? 0 : 1;
        }
        this.lastFlow = flow;
      }
    }
    // The packet counted to its flow, here rather than in a method: it runs for every packet.
    const f = flow!;
    if (dir === 0) {
      f.packets0 += frames;
      f.bytes0 += pkt.wireLength;
    } else {
      f.packets1 += frames;
      f.bytes1 += pkt.wireLength;
    }
    if (ts > f.lastSeen) {
      f.lastSeen = ts;
      f.state |= TOUCHED;
    }
    if ((pkt.tcpFlags & (TCP_FIN | TCP_RST)) !== 0) this.tcpEnding(f, dir as Direction, pkt);
    // (A later fragment has a non-zero offset: only a first one is remembered.)
    const frag = pkt.fragment;
    if (frag !== null && frag.more && frag.offset === 0) this.rememberFragment(pkt, frag, f.key, dir as Direction);
    this.trackedDir = dir as Direction;
    return f;
  }

  /** The packet's flow through the map, created when new (or when a fresh SYN reuses a closed one's tuple). */
  private lookUp(pkt: DecodedPacket): FlowEntry<T> {
    const key = flowKeyOf(pkt.ipProtocol, pkt.vlanId, pkt.srcIp, pkt.srcPort, pkt.dstIp, pkt.dstPort);
    let flow = this.flows.get(key);
    if (flow !== undefined && classOf(flow) === TimeoutClass.Closed && isFreshSyn(pkt)) {
      // A new connection on a closed tuple is a new flow.
      this.end(flow, 'reused');
      flow = undefined;
    }
    if (flow === undefined) flow = this.create(key, pkt);
    // (create() may have resized the slots: the slot is computed after it.)
    this.recent[recentSlot(pkt.ipProtocol, pkt.vlanId, pkt.srcIp, pkt.srcPort, pkt.dstIp, pkt.dstPort, this.recentBits)] = flow;
    return flow;
  }

  /** Move packet time forward and end every flow whose idle time ran out. */
  advance(now: number): void {
    if (now > this.clock) this.clock = now;
    if (this.clock >= this.nextSweep) this.sweep();
  }

  private sweep(): void {
    this.nextSweep = this.clock + 1000;
    this.expireClass(TimeoutClass.Closed, this.opts.closedLingerMs);
    this.expireClass(TimeoutClass.Tcp, this.opts.tcpIdleMs);
    this.expireClass(TimeoutClass.Udp, this.opts.udpIdleMs);
    this.expireClass(TimeoutClass.Other, this.opts.otherIdleMs);
    for (const [id, f] of this.fragments) if (f.expiresAt < this.clock) this.fragments.delete(id);
  }

  /** End every flow (end of capture, shutdown). Oldest first. */
  /** The flow with this key, when tracked. */
  get(key: FlowKey): Flow<T> | undefined {
    return this.flows.get(key);
  }

  /**
   * Counts from elsewhere (the kernel's conntrack, for packets that bypassed the daemon)
   * where they exceed what the table saw in that direction.
   */
  raiseCounts(flow: Flow<T>, dir: Direction, packets: number, bytes: number): void {
    const f = flow as FlowEntry<T>;
    if (dir === 0) {
      if (packets > f.packets0) f.packets0 = packets;
      if (bytes > f.bytes0) f.bytes0 = bytes;
    } else {
      if (packets > f.packets1) f.packets1 = packets;
      if (bytes > f.bytes1) f.bytes1 = bytes;
    }
  }

  /** End a tracked flow now (the kernel said it is over). */
  endNow(flow: Flow<T>, reason: FlowEndReason): void {
    if (this.flows.get(flow.key) === flow) this.end(flow as FlowEntry<T>, reason);
  }

  flush(): void {
    // The map holds flows in creation order, so ties in firstSeen keep it (the sort is stable).
    const all = [...this.flows.values()].sort((a, b) => a.firstSeen - b.firstSeen);
    for (const f of all) this.end(f, 'flush');
    this.fragments.clear();
  }

  /** Active flows, for status and re-evaluation. */
  active(): IterableIterator<Flow<T>> {
    return this.flows.values();
  }

  private create(key: FlowKey, pkt: DecodedPacket): FlowEntry<T> {
    if (this.flows.size >= this.opts.maxFlows) this.evictOldest();
    const timeoutClass =
      pkt.ipProtocol === IPPROTO_TCP ? TimeoutClass.Tcp : pkt.ipProtocol === IPPROTO_UDP ? TimeoutClass.Udp : TimeoutClass.Other;
    const flow = new FlowEntry<T>(pkt, timeoutClass, this.macPair(pkt.srcMac, pkt.dstMac), key);
    (flow as { data: T }).data = this.hooks.create(flow);
    this.flows.set(key, flow);
    this.byClass[timeoutClass]!.append(flow);
    // Small tables (a short capture) start with few slots; busy ones get more (emptied).
    if (this.flows.size > 2 << this.recentBits && this.recentBits < RECENT_MAX_BITS) {
      this.recentBits = Math.min(RECENT_MAX_BITS, this.recentBits + 2);
      this.recent = new Array<FlowEntry<T> | null>(1 << this.recentBits).fill(null);
    }
    this.counters.flowsCreated++;
    return flow;
  }

  /** A packet with FIN or RST: only these change the TCP state (the state never holds an ending unacted on). */
  private tcpEnding(f: FlowEntry<T>, dir: Direction, pkt: DecodedPacket): void {
    if (pkt.ipProtocol === IPPROTO_TCP && (f.state & CLASS_BITS) !== TimeoutClass.Closed) {
      if (pkt.tcpFlags & TCP_RST) f.state |= RST_SEEN;
      if (pkt.tcpFlags & TCP_FIN) f.state |= FIN_FROM_INITIATOR << dir;
      if (f.state & RST_SEEN || (f.state & BOTH_FINS) === BOTH_FINS) {
        this.byClass[f.state & CLASS_BITS]!.remove(f);
        f.state = (f.state & ~(CLASS_BITS | TOUCHED)) | TimeoutClass.Closed;
        this.byClass[TimeoutClass.Closed]!.append(f);
      }
    }
  }

  /** Fragment frames that reached no flow (reassembly gave up on a datagram without its first fragment). */
  countUnattributedFragments(frames: number): void {
    this.counters.fragmentsUnattributed += frames;
  }

  /**
   * The flow of a fragment without its transport header, through its first fragment's
   * attribution (its direction left in `trackedDir`); null when there is none.
   */
  private fragmentFlow(pkt: DecodedPacket, frames: number): FlowEntry<T> | null {
    const frag = pkt.fragment;
    const id = frag ? fragmentKeyOf(pkt, frag) : '';
    const attribution = frag ? this.fragments.get(id) : undefined;
    const flow = attribution ? this.flows.get(attribution.key) : undefined;
    if (!flow || !attribution) {
      this.counters.fragmentsUnattributed += frames;
      return null;
    }
    this.counters.fragmentsAttributed += frames;
    if (frag && !frag.more) this.fragments.delete(id);
    this.trackedDir = attribution.dir;
    return flow;
  }

  private rememberFragment(pkt: DecodedPacket, frag: FragmentInfo, key: FlowKey, dir: Direction): void {
    if (this.fragments.size >= this.opts.maxFragments) {
      const oldest = this.fragments.keys().next().value;
      if (oldest !== undefined) this.fragments.delete(oldest);
    }
    this.fragments.set(fragmentKeyOf(pkt, frag), { key, dir, expiresAt: pkt.timestamp + this.opts.fragmentTtlMs });
  }

  private expireClass(cls: TimeoutClass, idleMs: number): void {
    const lru = this.byClass[cls]!;
    for (let f = this.oldestIn(lru); f && this.clock - f.lastSeen > idleMs; f = this.oldestIn(lru)) {
      this.end(f, cls === TimeoutClass.Closed ? 'closed' : 'idle');
    }
  }

  /** The truly least recently seen flow of a queue: flows seen since queued move back first. */
  private oldestIn(queue: IdleQueue<FlowEntry<T>>): FlowEntry<T> | null {
    for (let f = queue.oldest(); f !== null; f = queue.oldest()) {
      if ((f.state & TOUCHED) === 0) return f;
      f.state &= ~TOUCHED;
      queue.requeue(f);
    }
    return null;
  }

  private evictOldest(): void {
    let victim: FlowEntry<T> | null = null;
    for (const lru of this.byClass) {
      const f = this.oldestIn(lru);
      if (f && (!victim || f.lastSeen < victim.lastSeen)) victim = f;
    }
    if (victim) {
      this.counters.evicted++;
      this.end(victim, 'evicted');
    }
  }

  /** The pair object for these MACs: most flows run between a few hosts and their gateway. */
  private macPair(initiator: string | null, responder: string | null): MacPair {
    let p = this.lastMacPair;
    if (p.initiator === initiator && p.responder === responder) return p;
    const pairs = this.macPairs;
    for (let i = 0; i < pairs.length; i++) {
      p = pairs[i]!;
      if (p.initiator === initiator && p.responder === responder) return (this.lastMacPair = p);
    }
    p = { initiator, responder };
    pairs[this.nextMacPair] = p;
    this.nextMacPair = (this.nextMacPair + 1) % MAC_PAIRS;
    return (this.lastMacPair = p);
  }

  private end(flow: FlowEntry<T>, reason: FlowEndReason): void {
    if (this.lastFlow === flow) this.lastFlow = null;
    const slot = recentSlot((flow.state >>> PROTO_SHIFT) & 0xff, flow.state >>> VLAN_SHIFT, flow.initiatorIp, flow.ports >>> 16, flow.responderIp, flow.ports & 0xffff, this.recentBits);
    if (this.recent[slot] === flow) this.recent[slot] = null;
    this.flows.delete(flow.key);
    this.byClass[classOf(flow)]!.remove(flow);
    this.counters.flowsEnded++;
    this.hooks.end(flow, reason);
  }
}


const MAC_PAIRS = 16;
const RECENT_MIN_BITS = 8;
const RECENT_MAX_BITS = 14;

/**
 * The same slot for both directions of a flow: every term is symmetric in the two
 * endpoints. The addresses count only by the length of their text: reading their
 * characters (charCodeAt) and mixing with Math.imul are native calls under txiki.js,
 * five per packet the previous packet's flow does not take, and cost more than the misses
 * the ports alone leave (flows between other hosts on the same two ports share a slot,
 * and a miss is a map lookup). The product stays below 2^53, so it is exact.
 */
function recentSlot(ipProtocol: number, vlanId: number, ipA: string, portA: number, ipB: string, portB: number, bits: number): number {
  const h = (portA ^ portB) + (portA + portB) * 7 + (ipA.length + ipB.length) * 0x3b9 + ipProtocol * 31 + vlanId * 131;
  return (h * 0x9e3779) >>> (32 - bits);
}

/**
 * The packet's direction in `flow` when it belongs to it and the flow is open; -1
 * otherwise (a closed flow goes through the map, where a fresh SYN starts a new one).
 */
function directionIn<T>(flow: FlowEntry<T>, pkt: DecodedPacket): Direction | -1 {
  const state = flow.state;
  if (state >>> PROTO_SHIFT !== ((pkt.vlanId << 8) | pkt.ipProtocol) || (state & CLASS_BITS) === TimeoutClass.Closed) return -1;
  const ports = flow.ports;
  const src = pkt.srcPort;
  const dst = pkt.dstPort;
  if (ports === ((src << 16) | dst) && flow.initiatorIp === pkt.srcIp && flow.responderIp === pkt.dstIp) return 0;
  if (ports === ((dst << 16) | src) && flow.initiatorIp === pkt.dstIp && flow.responderIp === pkt.srcIp) return 1;
  return -1;
}

function isFreshSyn(pkt: DecodedPacket): boolean {
  return pkt.ipProtocol === IPPROTO_TCP && (pkt.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
}
