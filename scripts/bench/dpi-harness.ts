/**
 * The engine side of `npm run bench:dpi`, bundled on its own (scripts/bench-dpi.mjs builds
 * it) so the same code runs under Node, inside QuickJS-ng as WebAssembly, and under tjs:
 *
 *  - `StageProfile`: the pipeline over a capture pushed in chunks, with every stage timed
 *    (decode, flow table, classifier, each dissector family, catalogue lookups, record
 *    building, JSON text). Time is exclusive: a stage's figure leaves out the stages it
 *    calls. The instruments' own cost (`timerPairUs` per entry, measured in the same run)
 *    is taken off each stage; what remains is approximate, the totals are not the
 *    uninstrumented speed (the whole-process runs are).
 *  - `JsonReplay`: what `flowsieve replay` does (records as JSON text), for an engine
 *    without the command line (QuickJS-ng as WebAssembly).
 *  - `FlowMemory`: flows kept alive (no idle expiry) while the engine's memory is read
 *    at checkpoints, for bytes per live flow.
 *
 * It drives the same modules replay uses (decodeFrame, FlowPipeline, buildFlowRecord),
 * with the dissectors and the catalogue wrapped, not changed.
 */
import { CaptureStream } from '../../src/capture/reader.js';
import { defaultCatalogue, loadDefaultCatalogue } from '../../src/catalogue/catalogue.js';
import type { Catalogue } from '../../src/catalogue/types.js';
import type { Dissector } from '../../src/classify/dissector.js';
import { DISSECTORS_BY_PRECEDENCE } from '../../src/classify/precedence.js';
import { decodeFailed, decodeFrame } from '../../src/decode/decode.js';
import { PacketView } from '../../src/decode/packet.js';
import { FlowPipeline } from '../../src/pipeline/pipeline.js';
import { CaptureReplay } from '../../src/cli/replay.js';
import { createRuntime } from '../../src/runtime/index.js';

export { makeBigCapture } from './big-capture.js';

/**
 * What `flowsieve` does on start on this engine (the runtime adapter installs the engine's
 * native digests, util/digest.ts), so the profile measures what replay runs.
 */
export async function setUpEngine(): Promise<string | null> {
  const rt = await createRuntime();
  return rt ? rt.kind : null;
}

const STAGES = [
  'capture',
  'decode',
  'flow table',
  'classifier',
  'dissect: secure-transport',
  'dissect: naming',
  'dissect: mail-transfer',
  'dissect: peer-tunnel-voice',
  'catalogue',
  'record',
  'json',
  // The harness's own digest of the records (not replay's work: left out of the total).
  'bench: records digest',
] as const;
const [CAPTURE, DECODE, TABLE, CLASSIFIER, , , , , CATALOGUE, RECORD, JSON_TEXT, DIGEST] = STAGES.map((_, i) => i);
/** Dissector families as src/classify/precedence.ts groups them; any other is peer-tunnel-voice. */
const FAMILIES: readonly (readonly string[])[] = [
  ['tls', 'quic', 'dtls'],
  ['dns', 'mdns', 'llmnr', 'http', 'ssdp', 'dhcp', 'dhcpv6', 'netbios', 'ntp', 'nat-pmp', 'dropbox', 'spotify'],
  ['smtp', 'imap', 'pop3', 'ftp_control'],
];

export interface StageReport {
  readonly frames: number;
  readonly flows: number;
  /** Most flows alive at once. */
  readonly peakLiveFlows: number;
  /** µs per frame, by stage (exclusive). */
  readonly stages: { readonly [stage: string]: number };
  /** Per dissector: flows it was started on and µs spent per such flow. */
  readonly dissectors: { readonly name: string; readonly flows: number; readonly usPerFlow: number }[];
  readonly totalUs: number;
  /** What one enter/leave pair of the instruments costs, µs (taken off each stage per entry). */
  readonly timerPairUs: number;
  /** FNV-1a of all JSON records, to check engines agree. */
  readonly digest: string;
  /** The catalogue's compile on first use, ms (once per process; not in the stages). */
  readonly catalogueCompileMs: number;
}

/** The pipeline with every stage timed; push the capture's bytes, then `end()`. */
export class StageProfile {
  private readonly acc = new Float64Array(STAGES.length);
  /** Times each stage was entered: its share of the instruments' own cost is taken off. */
  private readonly entries = new Float64Array(STAGES.length);
  private readonly stack: number[] = [];
  private cur = CAPTURE;
  private t0: number;
  private readonly stream = new CaptureStream();
  private readonly pipeline: FlowPipeline;
  /** Reused for every frame, as FlowPipeline.frameIn does. */
  private readonly view = new PacketView();
  private frames = 0;
  private flows = 0;
  private peakLive = 0;
  private hash = 0x811c9dc5;
  private readonly byDissector = new Map<string, { flows: number; us: number; calls: number }>();

  constructor(private readonly clock: () => number) {
    const catalogue = this.wrapCatalogue(defaultCatalogue);
    const dissectors = DISSECTORS_BY_PRECEDENCE.map((d) => {
      const family = FAMILIES.findIndex((f) => f.includes(d.name));
      return this.wrapDissector(d, 4 + (family < 0 ? 3 : family));
    });
    const pipeline = new FlowPipeline(
      { catalogue, dissectors },
      {
        ended: (flow) => {
          this.enter(RECORD);
          const r = pipeline.record(flow);
          this.leave();
          this.enter(JSON_TEXT);
          const text = JSON.stringify(r);
          this.leave();
          this.flows++;
          this.enter(DIGEST);
          this.hash = fnv(this.hash, text);
          this.leave();
        },
      },
    );
    // The classifier's entry points, wrapped with their own arity: rest arguments and a
    // spread call would cost an array per packet, charged to the stages around them.
    const classifier = pipeline.classifier;
    const start = classifier.start.bind(classifier);
    const inspect = classifier.inspect.bind(classifier);
    const finish = classifier.finish.bind(classifier);
    classifier.start = (flow, now) => {
      this.enter(CLASSIFIER);
      try {
        return start(flow, now);
      } finally {
        this.leave();
      }
    };
    classifier.inspect = (c, flow, pkt) => {
      this.enter(CLASSIFIER);
      try {
        return inspect(c, flow, pkt);
      } finally {
        this.leave();
      }
    };
    classifier.finish = (c, flow, now) => {
      this.enter(CLASSIFIER);
      try {
        finish(c, flow, now);
      } finally {
        this.leave();
      }
    };
    this.pipeline = pipeline;
    // The catalogue compiles on its first lookup, once per process: timed apart, not spread
    // over the packets of the profile as a per-packet cost.
    const t = clock();
    loadDefaultCatalogue();
    this.catalogueCompileMs = clock() - t;
    this.t0 = clock();
  }

  /** The catalogue's one-time compile, ms. */
  private readonly catalogueCompileMs: number;

  push(chunk: Uint8Array): void {
    const s = this.stream;
    const p = this.pipeline;
    s.push(chunk);
    while (s.next()) {
      this.frames++;
      this.enter(DECODE);
      const pkt = decodeFrame(this.view, s.linkType, s.bytes, s.frameStart, s.frameEnd, s.timestamp, s.wireLength);
      this.leave();
      if (decodeFailed(pkt)) continue;
      this.enter(TABLE);
      p.packet(pkt);
      this.leave();
      if (p.table.size > this.peakLive) this.peakLive = p.table.size;
    }
  }

  end(): StageReport {
    this.stream.end();
    this.push(new Uint8Array(0));
    this.enter(TABLE);
    this.pipeline.flush();
    this.leave();
    this.acc[this.cur]! += this.clock() - this.t0;
    const acc = Float64Array.from(this.acc);
    const pair = this.pairCost();
    const per = (us: number) => Math.round((us / Math.max(1, this.frames)) * 1000) / 1000;
    const stages: { [k: string]: number } = {};
    let total = 0;
    STAGES.forEach((name, i) => {
      const us = Math.max(0, acc[i]! - this.entries[i]! * pair) * 1000;
      stages[name] = per(us);
      if (i !== DIGEST) total += us;
    });
    const dissectors = [...this.byDissector]
      .map(([name, v]) => ({ name, flows: v.flows, usPerFlow: Math.round((Math.max(0, v.us - v.calls * pair) * 1000 / Math.max(1, v.flows)) * 10) / 10 }))
      .sort((a, b) => b.flows * b.usPerFlow - a.flows * a.usPerFlow);
    return {
      frames: this.frames,
      flows: this.flows,
      peakLiveFlows: this.peakLive,
      stages,
      dissectors,
      totalUs: Math.round(total),
      timerPairUs: Math.round(pair * 1e6) / 1000,
      digest: (this.hash >>> 0).toString(16).padStart(8, '0'),
      catalogueCompileMs: Math.round(this.catalogueCompileMs * 10) / 10,
    };
  }

  /** ms one enter/leave pair costs here (measured on a stage nothing else uses any more). */
  private pairCost(): number {
    const n = 20000;
    const t = this.clock();
    for (let i = 0; i < n; i++) {
      this.enter(CAPTURE);
      this.leave();
    }
    return (this.clock() - t) / n;
  }

  private enter(stage: number): void {
    this.entries[stage]!++;
    const now = this.clock();
    this.acc[this.cur]! += now - this.t0;
    this.stack.push(this.cur);
    this.cur = stage;
    this.t0 = now;
  }

  private leave(): void {
    const now = this.clock();
    this.acc[this.cur]! += now - this.t0;
    this.cur = this.stack.pop()!;
    this.t0 = now;
  }

  private timed<A extends unknown[], R>(stage: number, f: (...a: A) => R): (...a: A) => R {
    return (...a: A): R => {
      this.enter(stage);
      try {
        return f(...a);
      } finally {
        this.leave();
      }
    };
  }

  private wrapCatalogue(cat: Catalogue): Catalogue {
    return {
      appForHost: this.timed(CATALOGUE, (h: string) => cat.appForHost(h)),
      appForAddress: this.timed(CATALOGUE, (ip: string) => cat.appForAddress(ip)),
      appForProtocol: this.timed(CATALOGUE, (p: string) => cat.appForProtocol(p)),
      categoryOfApp: this.timed(CATALOGUE, (a: string) => cat.categoryOfApp(a)),
      protocolCategory: this.timed(CATALOGUE, (p: string) => cat.protocolCategory(p)),
    };
  }

  private wrapDissector(d: Dissector<unknown>, stage: number): Dissector<unknown> {
    const mine = { flows: 0, us: 0, calls: 0 };
    this.byDissector.set(d.name, mine);
    // No closure per call: making one would be charged to the caller (the classifier).
    const begin = (): number => {
      mine.calls++;
      const before = this.acc[stage]!;
      this.enter(stage);
      return before;
    };
    const end = (before: number): void => {
      this.leave();
      mine.us += this.acc[stage]! - before;
    };
    return {
      name: d.name,
      ipProtocols: d.ipProtocols,
      ...(d.firstLook ? { firstLook: d.firstLook } : {}),
      create: (flow) => {
        mine.flows++;
        const before = begin();
        try {
          return d.create(flow);
        } finally {
          end(before);
        }
      },
      feed: (state, pkt, flow, out, hints) => {
        const before = begin();
        try {
          return d.feed(state, pkt, flow, out, hints);
        } finally {
          end(before);
        }
      },
    };
  }
}

/** FNV-1a over the UTF-16 code units of `text`, continuing from `hash`. */
function fnv(hash: number, text: string): number {
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/** Replay as the command line does it: every record turned into its JSON line. */
export class JsonReplay {
  private readonly replay: CaptureReplay;
  private flows = 0;
  private hash = 0x811c9dc5;

  constructor() {
    this.replay = new CaptureReplay({
      catalogue: defaultCatalogue,
      onRecord: (r) => {
        this.flows++;
        this.hash = fnv(this.hash, JSON.stringify(r));
      },
    });
  }

  push(chunk: Uint8Array): void {
    this.replay.push(chunk);
  }

  end(): { frames: number; flows: number; digest: string } {
    this.replay.end();
    return { frames: this.replay.pipeline.counters.frames, flows: this.flows, digest: (this.hash >>> 0).toString(16).padStart(8, '0') };
  }
}

export interface MemoryPoint {
  readonly liveFlows: number;
  readonly bytes: number;
}

/**
 * Flows that never expire, for memory per live flow: push the capture, and between
 * pushes, when `due`, `mark` the engine's memory (read after a collection) against
 * `liveFlows`. Records are built and dropped as flows end.
 *
 * Marks start after `warmupFrames` (the bench passes one corpus copy): the first copy
 * fills what grows once, not per flow (the catalogue's lazily built tables, the bounded
 * answer caches for the corpus's names, the engine's own first allocations), and a slope
 * that starts at the first packet charges all of it to the first flows (under txiki.js
 * about 3 KB per flow in the first copy, under 1 KB in the copies after it).
 */
export class FlowMemory {
  private readonly stream = new CaptureStream();
  private readonly pipeline: FlowPipeline;
  readonly points: MemoryPoint[] = [];
  private nextMark = 0;

  constructor(
    private readonly warmupFrames = 0,
    private readonly everyFlows = 250,
  ) {
    const never = 1e15;
    const pipeline = new FlowPipeline(
      {
        catalogue: defaultCatalogue,
        flowTable: { maxFlows: 1 << 22, tcpIdleMs: never, udpIdleMs: never, otherIdleMs: never, closedLingerMs: never },
      },
      { ended: (flow) => void JSON.stringify(pipeline.record(flow)) },
    );
    this.pipeline = pipeline;
  }

  get liveFlows(): number {
    return this.pipeline.table.size;
  }

  /** Past the warm-up, and `everyFlows` more live flows than at the last mark. */
  get due(): boolean {
    return this.pipeline.counters.frames >= this.warmupFrames && this.liveFlows >= this.nextMark;
  }

  push(chunk: Uint8Array): void {
    const s = this.stream;
    const p = this.pipeline;
    s.push(chunk);
    while (s.next()) p.frameIn(s.linkType, s.bytes, s.frameStart, s.frameEnd, s.timestamp, s.wireLength);
  }

  mark(bytes: number): void {
    this.points.push({ liveFlows: this.liveFlows, bytes });
    this.nextMark = this.liveFlows + this.everyFlows;
  }

  /** Bytes per live flow: the least-squares slope over the marks. */
  end(): { points: MemoryPoint[]; bytesPerFlow: number } {
    this.stream.end();
    this.push(new Uint8Array(0));
    const pts = this.points;
    const n = pts.length;
    const mx = pts.reduce((a, p) => a + p.liveFlows, 0) / n;
    const my = pts.reduce((a, p) => a + p.bytes, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (const p of pts) {
      sxy += (p.liveFlows - mx) * (p.bytes - my);
      sxx += (p.liveFlows - mx) ** 2;
    }
    this.pipeline.flush();
    return { points: pts, bytesPerFlow: Math.round(sxx > 0 ? sxy / sxx : 0) };
  }
}
