/**
 * decode → flow → classify, for one packet at a time. Used by `replay` over a capture
 * and by the daemon over NFQUEUE. Side effects stay with the caller: the pipeline
 * reports through `events` when a flow's verdict is settled, when its metadata changes
 * and when it ends. IP fragments are held until their datagram is whole (or given up
 * on), which then goes through as one packet counting all its fragment frames.
 *
 * A packet's bytes are only lent for the call that takes it: replay reads them where they
 * lie in a chunk that is later reused, so every stage that keeps bytes past the packet
 * copies them (the TCP streams, fragment reassembly, the dissectors' states). The
 * recycled-chunks test replays the corpus over poisoned, reused chunks to hold this.
 */
import type { Catalogue } from '../catalogue/types.js';
import { Classifier, FLOW_COMPLETE, type ClassifierOptions, type FlowClassification } from '../classify/engine.js';
import type { Dissector, L4Packet } from '../classify/dissector.js';
import { HintCache, type SharedHints } from '../classify/hints.js';
import { DISSECTORS_BY_PRECEDENCE } from '../classify/precedence.js';
import { decodeDatagram, decodeFailed, decodeFrame, type DecodeOutcome } from '../decode/decode.js';
import { PacketView, type DecodedPacket, type ReassembledDatagram } from '../decode/packet.js';
import { Reassembler, type ReassemblyOptions } from '../flow/reassembly.js';
import { FlowTable, type Flow, type FlowEndReason, type FlowTableOptions } from '../flow/table.js';
import type { PacketMeta } from '../flow/packet-meta.js';
import type { Direction } from '../flow/types.js';
import { buildFlowRecord, flowRecordJson, type RecordContext } from '../record/build.js';
import type { FlowRecord } from '../record/flow-record.js';

export type TrackedFlow = Flow<FlowClassification>;

export interface PipelineEvents {
  /** The flow's verdict (protocol/app/hostname) was just settled. */
  classified?(flow: TrackedFlow): void;
  /** A claimed flow's metadata grew after the verdict (e.g. the TLS ServerHello). */
  updated?(flow: TrackedFlow): void;
  ended?(flow: TrackedFlow, reason: FlowEndReason): void;
}

export interface PipelineOptions {
  readonly catalogue: Catalogue | null;
  readonly dissectors?: readonly Dissector<unknown>[];
  readonly hints?: SharedHints;
  readonly flowTable?: Partial<FlowTableOptions>;
  /**
   * Fragment reassembly bounds, or false to pass fragments on one by one (the flow table
   * then attributes later fragments to the flow of the first, which alone is classified).
   */
  readonly reassembly?: Partial<ReassemblyOptions> | false;
  readonly classifier?: Partial<ClassifierOptions>;
  readonly record?: Omit<RecordContext, 'catalogue'>;
}

export interface PipelineCounters {
  frames: number;
  packets: number;
  nonIp: number;
  malformed: number;
  unsupportedLink: number;
  /** First few malformed-frame reasons, for diagnostics. */
  malformedSamples: string[];
}

export class FlowPipeline {
  readonly counters: PipelineCounters = {
    frames: 0,
    packets: 0,
    nonIp: 0,
    malformed: 0,
    unsupportedLink: 0,
    malformedSamples: [],
  };
  readonly classifier: Classifier;
  readonly table: FlowTable<FlowClassification>;
  /** Null when reassembly is off. */
  readonly reassembly: Reassembler | null;
  private readonly recordCtx: RecordContext;
  /** Every frame is decoded into this one object; nothing after `packet` keeps it. */
  private readonly view = new PacketView();
  /** Every classified packet is handed to the classifier in this one object (no dissector keeps it). */
  private readonly l4 = new L4Slot();

  constructor(
    opts: PipelineOptions,
    private readonly events: PipelineEvents = {},
  ) {
    this.classifier = new Classifier(
      opts.dissectors ?? DISSECTORS_BY_PRECEDENCE,
      opts.catalogue,
      opts.hints ?? new HintCache(),
      opts.classifier,
    );
    this.recordCtx = { interfaceName: null, ...opts.record, catalogue: opts.catalogue };
    this.table = new FlowTable<FlowClassification>(
      {
        create: (view) => this.classifier.start(view, this.table.now),
        end: (flow, reason) => {
          this.classifier.finish(flow.data, flow, flow.lastSeen);
          this.events.ended?.(flow, reason);
        },
      },
      opts.flowTable,
    );
    this.reassembly = opts.reassembly === false ? null : new Reassembler((dg) => void this.datagram(dg), opts.reassembly);
  }

  /**
   * One captured frame of the given link type, with what the kernel said about it when
   * it came from a queue; returns its flow (null: not attributable, or a fragment held).
   */
  frame(linkType: number, data: Uint8Array, timestamp: number, wireLength: number, meta?: PacketMeta | null): TrackedFlow | null {
    return this.frameIn(linkType, data, 0, data.length, timestamp, wireLength, meta);
  }

  /** As `frame`, for the frame `bytes[start, end)` (a capture chunk holding it). */
  frameIn(
    linkType: number,
    bytes: Uint8Array,
    start: number,
    end: number,
    timestamp: number,
    wireLength: number,
    // Absent when a capture hands the frame over (capture/reader.ts FrameSink). No default
    // value: under txiki.js a function with one costs ~230 instructions more per call,
    // whether the argument is passed or not (frame, packet and track likewise).
    meta?: PacketMeta | null,
  ): TrackedFlow | null {
    const counters = this.counters;
    counters.frames++;
    const view = this.view;
    const r = decodeFrame(view, linkType, bytes, start, end, timestamp, wireLength);
    // A packet is the view itself; anything else says why there is none.
    if (r !== view) {
      this.skipped(r as Exclude<DecodeOutcome, DecodedPacket>, `frame ${counters.frames}`);
      return null;
    }
    // packet() and track(), written out: two calls fewer per frame on txiki.js.
    counters.packets++;
    const reassembly = this.reassembly;
    if (reassembly !== null) {
      if (view.timestamp >= reassembly.deadline) reassembly.expire(view.timestamp);
      if (view.fragment !== null) {
        const whole = reassembly.add(view);
        return whole === null ? null : this.datagram(whole);
      }
    }
    const table = this.table;
    const flow = table.track(view, 1);
    if (!flow) return null;
    if ((flow.data.flags & FLOW_COMPLETE) === 0 && table.trackedTransport) this.classify(flow, table.trackedDir, view);
    // The first queued packet's metadata stays with the flow (its interface, mark, NAT).
    if (meta !== undefined && meta !== null && flow.meta === null) flow.meta = meta;
    return flow;
  }

  /**
   * One decoded packet; returns its flow, or null when it cannot be attributed or is a
   * fragment whose datagram is not complete yet. (frameIn has its own copy of this.)
   */
  packet(pkt: DecodedPacket, meta?: PacketMeta | null): TrackedFlow | null {
    this.counters.packets++;
    const reassembly = this.reassembly;
    if (reassembly !== null) {
      if (pkt.timestamp >= reassembly.deadline) reassembly.expire(pkt.timestamp);
      if (pkt.fragment !== null) {
        const whole = reassembly.add(pkt);
        return whole === null ? null : this.datagram(whole);
      }
    }
    const flow = this.track(pkt, 1);
    // The first queued packet's metadata stays with the flow (its interface, mark, NAT).
    if (flow !== null && meta !== undefined && meta !== null && flow.meta === null) flow.meta = meta;
    return flow;
  }

  /**
   * Time passes without packets (the daemon's timer): expire idle flows and fragments
   * as of `now`, on the same clock as the packets' timestamps.
   */
  tick(now: number): void {
    this.reassembly?.expire(now);
    this.table.advance(now);
  }

  /** End every flow (capture end, shutdown), after the datagrams still in reassembly. */
  flush(): void {
    this.reassembly?.flush();
    this.table.flush();
  }

  private track(pkt: DecodedPacket, frames: number): TrackedFlow | null {
    const table = this.table;
    const flow = table.track(pkt, frames);
    if (!flow) return null;
    if ((flow.data.flags & FLOW_COMPLETE) === 0 && table.trackedTransport) this.classify(flow, table.trackedDir, pkt);
    return flow;
  }

  /**
   * A datagram from reassembly, whole or given up on: one packet of its flow that counts
   * all its fragment frames. Without its first fragment there are no ports to find the
   * flow by: its frames are counted as unattributed fragments.
   */
  private datagram(dg: ReassembledDatagram): TrackedFlow | null {
    if (dg.data.length === 0) {
      this.table.countUnattributedFragments(dg.frames);
      return null;
    }
    // A fragment inside it (a tunnelled packet fragmented too) goes to the flow table as
    // without reassembly: one level is put together.
    const r = decodeDatagram(dg);
    if (decodeFailed(r)) {
      this.skipped(r, `datagram of ${dg.frames} fragments`);
      return null;
    }
    return this.track(r, dg.frames);
  }

  private skipped(r: Exclude<DecodeOutcome, DecodedPacket>, what: string): void {
    if (r.skip === 'non-ip') this.counters.nonIp++;
    else if (r.skip === 'unsupported-link') this.counters.unsupportedLink++;
    else {
      this.counters.malformed++;
      if (this.counters.malformedSamples.length < 5) this.counters.malformedSamples.push(`${what}: ${r.reason}`);
    }
  }

  record(flow: TrackedFlow): FlowRecord {
    return buildFlowRecord(flow, this.recordCtx);
  }

  /** `JSON.stringify(this.record(flow))`, made with less work (record/build.ts). */
  recordJson(flow: TrackedFlow): string {
    return flowRecordJson(flow, this.recordCtx);
  }

  private classify(flow: TrackedFlow, dir: Direction, pkt: DecodedPacket): void {
    const c = flow.data;
    // Only worth a digest when someone listens for metadata updates (the daemon, not replay).
    const watching = this.events.updated !== undefined && c.decided && c.claimant !== null;
    const before = watching ? digest(c) : '';
    const l4 = this.l4;
    l4.dir = dir;
    l4.payload = pkt.payload;
    l4.srcPort = pkt.srcPort;
    l4.dstPort = pkt.dstPort;
    l4.tcpFlags = pkt.tcpFlags;
    l4.tcpSeq = pkt.tcpSeq;
    l4.timestamp = pkt.timestamp;
    const settled = this.classifier.inspect(c, flow, l4);
    l4.payload = NO_BYTES; // the frame's bytes are not kept past its turn
    // A complete flow keeps an equal earlier flow's frozen state where there is one (engine.ts).
    const complete = (c.flags & FLOW_COMPLETE) !== 0;
    if (complete) (flow as { data: FlowClassification }).data = this.classifier.compact(c);
    if (settled) this.events.classified?.(flow);
    // Metadata grew, or the classifier just finished with the flow (detection_complete).
    else if (watching && (complete || digest(c) !== before)) this.events.updated?.(flow);
  }
}

const NO_BYTES = new Uint8Array(0);

/** The classifier's packet, refilled for each classified packet (pipeline.classify). */
class L4Slot implements L4Packet {
  dir: Direction = 0;
  payload: Uint8Array = NO_BYTES;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  tcpSeq = 0;
  timestamp = 0;
}

/** What policy can see of a claimed flow; only computed while its dissector still adds metadata. */
function digest(c: FlowClassification): string {
  return `${c.application}|${c.detection.hostname}|${JSON.stringify(c.detection.meta)}`;
}
