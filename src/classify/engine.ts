/**
 * The classification engine: runs the dissectors over a flow's first packets and settles
 * protocol, hostname and application.
 *
 * Per flow it keeps the dissectors still in the running: those of its transport whose
 * first look (candidates.ts) the first payload passes. Every payload packet goes to all
 * of them until one claims the flow; from then on only the claimant is fed, while it
 * wants more packets for metadata. The verdict (protocol + hostname + application) is
 * final at the claim: `detectionPackets` counts the packets up to it, which is what the
 * firewall has to queue before policy can act. Metadata completes later (`complete`).
 * A flow nobody claims within `maxPackets` is guessed from its ports.
 */
import type { AppId, ProtocolName } from '../names.js';
import { BoundedMap } from '../util/bounded-map.js';
import type { AppMatch, Catalogue } from '../catalogue/types.js';
import type { FlowView } from '../flow/types.js';
import { emptyDetection, type Detection, type Dissector, type L4Packet, type Step } from './dissector.js';
import type { SharedHints } from './hints.js';
import { CandidateLists } from './candidates.js';
import { SharedValues } from './shared-values.js';
import { guessByPort, protocolOfIpProtocol } from './port-guess.js';

// Locals in this file's per-packet functions are `var`, not `let`/`const`: QuickJS-ng (txiki.js)
// checks a lexical local for initialisation at every read and write, ~15-20 instructions
// each (measured: decodeFrame in src/decode/decode.ts).

export interface ClassifierOptions {
  /** Packets per flow the engine looks at before giving up (nDPI and Netify use 32). */
  readonly maxPackets: number;
}

export const DEFAULT_CLASSIFIER_OPTIONS: ClassifierOptions = { maxPackets: 32 };

interface Candidate {
  readonly dissector: Dissector<unknown>;
  readonly state: unknown;
}

/**
 * The dissector that claimed a flow and still reads it. While the flow has no app, each
 * packet would ask again; the catalogue's answer only changes with the protocol or
 * hostname, and the endpoint hints' only when one is learned, so the inputs of the last
 * answer that named none are kept and the question is asked again only when one changed.
 */
class Claimant implements Candidate {
  missProtocol: ProtocolName | null = null;
  missHostname: string | null = null;
  /** `endpointsLearned` at that answer; -1: no answer yet. */
  missLearned = -1;

  constructor(
    readonly dissector: Dissector<unknown>,
    readonly state: unknown,
  ) {}
}

/** Per-flow classification state; lives in the flow table's `data` slot. */
export interface FlowClassification {
  /** Written by the engine only: swapped for a shared equal one when complete (shared-values.ts). */
  detection: Detection;
  /** Dissectors still undecided; null before the first payload packet. */
  candidates: Candidate[] | null;
  /** The dissector that claimed the flow, while it still wants packets. */
  claimant: Claimant | null;
  /** Packets examined so far (all packets of the flow until classification stops). */
  examined: number;
  /** Packets up to and including the one that settled the verdict; 0 until then. */
  detectionPackets: number;
  /** Verdict settled (claimed, or given up and guessed). */
  decided: boolean;
  /** Nothing more to learn: the engine stops looking at this flow's packets. */
  complete: boolean;
  guessed: boolean;
  application: AppId | null;
  /** Name an earlier DNS answer gave the responder address. */
  dnsHostName: string | null;
  /** Dissectors that threw on this flow (a bug, counted). */
  faults: number;
  /**
   * `decided`, `complete` and `guessed` as bits (FLOW_DECIDED…): read on the per-packet
   * path instead of the getters, each a function call under txiki.js.
   */
  readonly flags: number;
}

export const FLOW_DECIDED = 1;
export const FLOW_COMPLETE = 2;
const GUESSED = 4;

/**
 * A FlowClassification as the engine makes it: the three flags share one field, since
 * every live flow keeps one of these and QuickJS grows an object's property array in
 * steps (…, 6, 9, 13, …, 16 bytes a slot): nine fields fit the 9-slot step, eleven would
 * take 13.
 */
class FlowState implements FlowClassification {
  detection: Detection = emptyDetection();
  candidates: Candidate[] | null = null;
  claimant: Claimant | null = null;
  examined = 0;
  detectionPackets = 0;
  application: AppId | null = null;
  faults = 0;
  flags = 0;

  constructor(readonly dnsHostName: string | null) {}

  get decided(): boolean {
    return (this.flags & FLOW_DECIDED) !== 0;
  }

  set decided(on: boolean) {
    this.flags = on ? this.flags | FLOW_DECIDED : this.flags & ~FLOW_DECIDED;
  }

  get complete(): boolean {
    return (this.flags & FLOW_COMPLETE) !== 0;
  }

  set complete(on: boolean) {
    this.flags = on ? this.flags | FLOW_COMPLETE : this.flags & ~FLOW_COMPLETE;
  }

  get guessed(): boolean {
    return (this.flags & GUESSED) !== 0;
  }

  set guessed(on: boolean) {
    this.flags = on ? this.flags | GUESSED : this.flags & ~GUESSED;
  }
}

/**
 * The candidates of a decided flow: one shared empty list rather than one per flow (every
 * live flow keeps it; never added to, the candidate loops do not run on it).
 */
const NONE_LEFT: Candidate[] = [];

export interface ClassifierCounters {
  packetsInspected: number;
  dissectorFaults: number;
}

/** Catalogue answers remembered per classifier (names and addresses each). */
const REMEMBERED_MAX = 4096;
/** Complete flow states remembered for sharing (keyed by their JSON-sized text: fewer). */
const REMEMBERED_STATES = 1024;

export class Classifier {
  readonly counters: ClassifierCounters = { packetsInspected: 0, dissectorFaults: 0 };
  private readonly candidates: CandidateLists;
  private readonly opts: ClassifierOptions;
  /**
   * Catalogue answers, remembered: many flows go to the same names and addresses, and a
   * lookup walks every label suffix (or searches the address ranges). The catalogue never
   * changes under a classifier, so a remembered answer stays right. Bounded: the oldest answers go
   * first.
   */
  private readonly hostApps = new BoundedMap<string, AppId | null>(REMEMBERED_MAX);
  private readonly addressApps = new BoundedMap<string, AppMatch | null>(REMEMBERED_MAX);
  /** Metadata values complete flows share (shared-values.ts). */
  private readonly shared = new SharedValues();
  /** Complete flows' states, shared by equal ones (compact). */
  private readonly completeStates = new BoundedMap<string, FlowClassification>(REMEMBERED_STATES);
  /** The same for protocols (a short fixed list: the dissectors' and port guesses' names). */
  private readonly protocolApps = new Map<ProtocolName, AppId | null>();

  constructor(
    dissectors: readonly Dissector<unknown>[],
    private readonly catalogue: Catalogue | null,
    readonly hints: SharedHints,
    opts: Partial<ClassifierOptions> = {},
  ) {
    this.opts = { ...DEFAULT_CLASSIFIER_OPTIONS, ...opts };
    this.candidates = new CandidateLists(dissectors);
  }

  /** State for a new flow; flows without ports are decided by their IP protocol at once. */
  start(flow: FlowView, now: number): FlowClassification {
    const c = new FlowState(this.hints.nameFor(flow.responderIp, now) ?? this.hints.nameFor(flow.initiatorIp, now));
    if (!this.candidates.handles(flow.ipProtocol)) {
      c.detection.protocol = protocolOfIpProtocol(flow.ipProtocol);
      c.decided = c.complete = true;
      c.detectionPackets = 1;
      c.examined = 1;
      this.done(c);
      return this.compact(c);
    }
    return c;
  }

  /** Feed one packet of the flow (payload or not). Returns true when the verdict was just settled. */
  inspect(c: FlowClassification, flow: FlowView, pkt: L4Packet): boolean {
    // The flags are getters over one field (FlowState): its bits are read instead.
    var flags = c.flags;
    if ((flags & FLOW_COMPLETE) !== 0) return false;
    c.examined++;
    this.counters.packetsInspected++;
    var wasDecided = (flags & FLOW_DECIDED) !== 0;
    var decided = wasDecided;
    // A first byte, not `length > 0`: a typed array's length is a native call under txiki.js.
    if (pkt.payload[0] !== undefined) {
      if (c.claimant) this.feedClaimant(c, flow, pkt);
      else if (!decided) {
        this.feedCandidates(c, flow, pkt);
        decided = (c.flags & FLOW_DECIDED) !== 0;
      }
    }
    var max = this.opts.maxPackets;
    if (!decided && (c.examined >= max || (c.candidates !== null && c.candidates.length === 0))) {
      this.giveUp(c, flow, pkt.timestamp);
      decided = true;
    }
    if ((decided && !c.claimant) || c.examined >= max) {
      c.complete = true;
      this.done(c);
    }
    return decided && !wasDecided;
  }

  /**
   * Classification complete while the flow lives on: drop the dissector's state and share
   * the metadata's values with other flows (the flow keeps only what records and policy read).
   */
  private done(c: FlowClassification): void {
    c.claimant = null;
    c.detection = this.shared.share(c.detection);
  }

  /**
   * What a complete flow keeps as its classification: an earlier complete flow's equal one
   * (frozen, shared), else `c` itself, frozen and remembered. Whoever holds the flow swaps
   * its state for this one (pipeline.ts); nothing writes to a complete flow's state.
   */
  compact(c: FlowClassification): FlowClassification {
    var key = `${c.application}|${c.dnsHostName}|${c.examined}|${c.detectionPackets}|${c.faults}|${c.guessed}|${this.shared.keyOf(c.detection)}`;
    var known = this.completeStates.get(key);
    if (known !== undefined) return known;
    Object.freeze(c);
    this.completeStates.touch(key, c);
    return c;
  }

  /** The flow ended before a verdict: settle what can be settled (port guess, hints). */
  finish(c: FlowClassification, flow: FlowView, now: number): void {
    if (c.complete) return; // may be frozen and shared (compact)
    if (!c.decided) this.giveUp(c, flow, now);
    c.complete = true;
    c.claimant = null;
  }

  private feedCandidates(c: FlowClassification, flow: FlowView, pkt: L4Packet): void {
    if (c.candidates === null) {
      this.feedFirst(c, flow, pkt);
      return;
    }
    var out = c.detection;
    var cands = c.candidates;
    var hints = this.hints;
    for (var i = 0; i < cands.length; ) {
      var cand = cands[i]!;
      // Fed here, not through a helper: a call fewer per dissector and packet on txiki.js.
      var step: Step;
      try {
        step = cand.dissector.feed(cand.state, pkt, flow, out, hints);
      } catch {
        step = this.fault(c);
      }
      if (out.protocol !== null) {
        // Claimed: the verdict is settled on this packet.
        c.candidates = NONE_LEFT;
        c.claimant = step === 'more' ? new Claimant(cand.dissector, cand.state) : null;
        this.settle(c, flow, pkt.timestamp);
        return;
      }
      if (step === 'no') cands.splice(i, 1);
      else i++;
    }
  }

  /**
   * The flow's first payload packet goes to every dissector offered it in turn, each
   * one's state created only when its turn comes: once one claims, the rest are never
   * asked, and their state would have been built for nothing.
   */
  private feedFirst(c: FlowClassification, flow: FlowView, pkt: L4Packet): void {
    var out = c.detection;
    var survivors: Candidate[] = [];
    c.candidates = survivors;
    var offered = this.candidates.offer(flow, pkt.payload);
    var hints = this.hints;
    for (var i = 0; i < offered.length; i++) {
      var d = offered[i]!;
      var state = d.create(flow);
      // Fed here, not through a helper: a call fewer per dissector on txiki.js.
      var step: Step;
      try {
        step = d.feed(state, pkt, flow, out, hints);
      } catch {
        step = this.fault(c);
      }
      if (out.protocol !== null) {
        c.candidates = NONE_LEFT;
        c.claimant = step === 'more' ? new Claimant(d, state) : null;
        this.settle(c, flow, pkt.timestamp);
        return;
      }
      if (step !== 'no') survivors.push({ dissector: d, state });
    }
  }

  /** A dissector threw on the flow (a bug): counted, and it is dropped ('no'). */
  private fault(c: FlowClassification): Step {
    c.faults++;
    this.counters.dissectorFaults++;
    return 'no';
  }

  private feedClaimant(c: FlowClassification, flow: FlowView, pkt: L4Packet): void {
    var cand = c.claimant!;
    var step;
    try {
      step = cand.dissector.feed(cand.state, pkt, flow, c.detection, this.hints);
    } catch {
      step = 'done' as const;
      c.faults++;
      this.counters.dissectorFaults++;
    }
    if (step !== 'more') c.claimant = null;
    // Metadata may name the app only now: a dissector's own finding (STUN realm, TURN
    // attributes) overrides a catalogue guess; otherwise a hostname from a later packet.
    if (c.detection.application) c.application = c.detection.application;
    else if (c.application === null && !this.sameMiss(cand, c.detection)) this.lookUpForClaimant(c, cand, flow, pkt.timestamp);
  }

  private settle(c: FlowClassification, flow: FlowView, now: number): void {
    c.decided = true;
    c.detectionPackets = c.examined;
    if (c.claimant) this.lookUpForClaimant(c, c.claimant, flow, now);
    else c.application = this.applicationFor(c, flow, now, true);
  }

  /** `applicationFor`, keeping the inputs of an answer that named no app (see Claimant). */
  private lookUpForClaimant(c: FlowClassification, cand: Claimant, flow: FlowView, now: number): void {
    c.application = this.applicationFor(c, flow, now, true);
    if (c.application !== null) return;
    cand.missProtocol = c.detection.protocol;
    cand.missHostname = c.detection.hostname;
    cand.missLearned = this.hints.endpointsLearned;
  }

  /** Whether the claimant's last answer naming no app had these inputs (the dissector named no app itself). */
  private sameMiss(cand: Claimant, d: Detection): boolean {
    return cand.missLearned === this.hints.endpointsLearned && cand.missProtocol === d.protocol && cand.missHostname === d.hostname;
  }

  private giveUp(c: FlowClassification, flow: FlowView, now: number): void {
    c.candidates = NONE_LEFT;
    c.claimant = null;
    c.decided = true;
    c.detectionPackets = c.examined;
    const hint = this.hints.endpointFor(flow.responderIp, flow.responderPort, now);
    if (hint) {
      c.detection.protocol = hint.protocol;
      c.application = hint.application ?? this.applicationFor(c, flow, now, true);
      return;
    }
    const guess = guessByPort(flow.ipProtocol, flow.initiatorPort, flow.responderPort);
    if (guess) {
      c.detection.protocol = guess;
      c.guessed = true;
    }
    c.application = this.applicationFor(c, flow, now, false);
  }

  /**
   * Dissector's own app, else the app a protocol is named after, else hostname, else DNS
   * name, else an earlier flow's endpoint (unless the caller just found none), else address.
   */
  private applicationFor(c: FlowClassification, flow: FlowView, now: number, askHints: boolean): AppId | null {
    const d = c.detection;
    if (d.application) return d.application;
    const cat = this.catalogue;
    const byProtocol = d.protocol && cat ? this.appForProtocol(cat, d.protocol) : null;
    if (byProtocol) return byProtocol;
    const byHost = d.hostname && cat ? this.appForHost(cat, d.hostname) : null;
    if (byHost) return byHost;
    const byDns = c.dnsHostName && cat ? this.appForHost(cat, c.dnsHostName) : null;
    if (byDns) return byDns;
    const hint = askHints ? this.hints.endpointFor(flow.responderIp, flow.responderPort, now) : null;
    if (hint?.application) return hint.application;
    if (!cat) return null;
    const server = this.appForAddress(cat, flow.responderIp);
    if (server) return server.app;
    // The initiator's address names the flow only when the capture caught a server
    // answering first; a client on a hosting platform (a cloud VM, a VPN exit) says nothing.
    const client = this.appForAddress(cat, flow.initiatorIp);
    return client && !client.hosting ? client.app : null;
  }

  /** `appForHost` through the remembered answers. */
  private appForHost(cat: Catalogue, host: string): AppId | null {
    let app = this.hostApps.get(host);
    if (app === undefined) {
      app = cat.appForHost(host)?.app ?? null;
      this.hostApps.touch(host, app);
    }
    return app;
  }

  /** `appForProtocol` through the remembered answers. */
  private appForProtocol(cat: Catalogue, protocol: ProtocolName): AppId | null {
    let app = this.protocolApps.get(protocol);
    if (app === undefined) {
      app = cat.appForProtocol(protocol);
      this.protocolApps.set(protocol, app);
    }
    return app;
  }

  /** `appForAddress` through the remembered answers. */
  private appForAddress(cat: Catalogue, ip: string): AppMatch | null {
    let match = this.addressApps.get(ip);
    if (match === undefined) {
      match = cat.appForAddress(ip);
      this.addressApps.touch(ip, match);
    }
    return match;
  }
}


export type { ProtocolName };
