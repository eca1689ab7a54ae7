/**
 * `flowsieve replay <capture>`: a capture through the whole pipeline, flow records out.
 * The capture is read as a stream: each flow's record goes out when the flow ends and is
 * not kept, so memory follows the flows alive at once, not the file size or the flow count.
 */
import { CaptureStream } from '../capture/reader.js';
import { FlowPipeline, type PipelineEvents, type PipelineOptions } from '../pipeline/pipeline.js';
import type { FlowRecord } from '../record/flow-record.js';
import type { Catalogue } from '../catalogue/types.js';
import { errorText, type Runtime } from '../runtime/types.js';
import { UsageError } from './args.js';

export interface ReplayResult {
  readonly records: FlowRecord[];
  readonly pipeline: FlowPipeline;
  /** Set when the file is damaged: frames before the damage were still replayed. */
  readonly captureError: string | null;
}

export interface ReplayOptions extends Omit<PipelineOptions, 'catalogue'> {
  readonly catalogue: Catalogue | null;
  /** Called with each record as its flow ends (in end order). */
  readonly onRecord?: (record: FlowRecord) => void;
  /** Called with each record's JSON text as its flow ends, for output (cheaper than JSON.stringify of onRecord's). */
  readonly onRecordJson?: (line: string) => void;
  readonly events?: PipelineEvents;
}

/** Bytes read from a capture file at a time. */
export const REPLAY_CHUNK = 1 << 18;

/** A capture replayed from chunks of its bytes: `push` each chunk in order, then `end`. */
export class CaptureReplay {
  readonly pipeline: FlowPipeline;
  private readonly stream = new CaptureStream();

  constructor(opts: ReplayOptions) {
    const onRecord = opts.onRecord;
    const onRecordJson = opts.onRecordJson;
    const pipeline = new FlowPipeline(opts, {
      ...opts.events,
      ended: (flow, reason) => {
        opts.events?.ended?.(flow, reason);
        if (onRecord) onRecord(pipeline.record(flow));
        if (onRecordJson) onRecordJson(pipeline.recordJson(flow));
      },
    });
    this.pipeline = pipeline;
  }

  /** Replay the frames these bytes complete. Throws when the file is no capture at all. */
  push(chunk: Uint8Array): void {
    const s = this.stream;
    const p = this.pipeline;
    s.push(chunk);
    s.drain(p);
    if (s.refused !== null) throw new Error(s.refused);
  }

  /** The file ended: its last frames, then every flow still open ends. */
  end(): void {
    this.stream.end();
    this.push(new Uint8Array(0));
    this.pipeline.flush();
  }

  /** Damage that stopped the frames, or null. */
  get captureError(): string | null {
    return this.stream.damage;
  }
}

/** Replay capture bytes held in memory, keeping every record; pure apart from the callbacks. */
export function replayCapture(bytes: Uint8Array, opts: ReplayOptions): ReplayResult {
  const records: FlowRecord[] = [];
  const replay = new CaptureReplay({
    ...opts,
    onRecord: (r) => {
      records.push(r);
      opts.onRecord?.(r);
    },
  });
  replay.push(bytes);
  replay.end();
  return { records, pipeline: replay.pipeline, captureError: replay.captureError };
}

/**
 * Replay the capture file at `path`, read in chunks; records go to `opts.onRecord` only.
 * A file that cannot be read or is no capture is a UsageError naming it.
 */
export async function replayFile(rt: Runtime, path: string, opts: ReplayOptions): Promise<CaptureReplay> {
  const replay = new CaptureReplay(opts);
  const chunks = rt.readChunks(path, REPLAY_CHUNK)[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await chunks.next();
    } catch (e) {
      throw new UsageError(`cannot read '${path}': ${errorText(e)}`);
    }
    try {
      if (next.done) {
        replay.end();
        return replay;
      }
      replay.push(next.value);
    } catch (e) {
      await chunks.return?.();
      throw new UsageError(`'${path}': ${errorText(e)}`);
    }
  }
}
