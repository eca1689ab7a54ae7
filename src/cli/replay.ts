/** `flowsieve replay <capture>`: a capture file through the whole pipeline, flow records out. */
import type { Catalogue } from '../catalogue/types.js';
import { readCapture } from '../capture/reader.js';
import { FlowPipeline, type PipelineEvents, type PipelineOptions } from '../pipeline/pipeline.js';
import type { FlowRecord } from '../record/flow-record.js';

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
  readonly events?: PipelineEvents;
}

/** Replay capture bytes; pure apart from the callbacks. Throws only for a file that is no capture at all. */
export function replayCapture(bytes: Uint8Array, opts: ReplayOptions): ReplayResult {
  const records: FlowRecord[] = [];
  const capture = readCapture(bytes);
  if (!capture.ok) throw new Error(capture.error);
  const pipeline = new FlowPipeline(opts, {
    ...opts.events,
    ended: (flow, reason) => {
      opts.events?.ended?.(flow, reason);
      const r = pipeline.record(flow);
      records.push(r);
      opts.onRecord?.(r);
    },
  });
  for (const f of capture.frames) pipeline.frame(f.linkType, f.data, f.timestamp, f.wireLength);
  pipeline.flush();
  return { records, pipeline, captureError: capture.error() };
}
