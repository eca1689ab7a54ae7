/**
 * Replay reads a capture in chunks whose memory is reused (Runtime.readChunks, chunkRing):
 * a chunk's bytes only stay as read while it and the chunk after it are pushed. So no stage
 * of the pipeline may keep a view of a packet's bytes past the packet. Every corpus capture
 * must give the records of a whole-file replay when each frame is lent to the pipeline in
 * one scratch buffer poisoned right after the call, and when it is read in small chunks
 * from the smallest ring the contract allows, each buffer poisoned before it is refilled.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { defaultCatalogue } from '../src/catalogue/catalogue.js';
import { CaptureStream } from '../src/capture/reader.js';
import { CaptureReplay } from '../src/cli/replay.js';
import { FlowPipeline } from '../src/pipeline/pipeline.js';
import { chunkRing } from '../src/runtime/read-ahead.js';
import { corpusAvailable, corpusCaptures, readCorpus } from './helpers/corpus.js';

/** Small enough that most flows span many chunks and frames often straddle two. */
const CHUNK = 4096;

/** The record lines of a replay, the file pushed through `chunksOf`. */
function lines(bytes: Uint8Array, chunksOf: (bytes: Uint8Array) => Iterable<Uint8Array>): string[] {
  const out: string[] = [];
  const replay = new CaptureReplay({ catalogue: defaultCatalogue, onRecordJson: (line) => out.push(line) });
  for (const chunk of chunksOf(bytes)) replay.push(chunk);
  replay.end();
  return out;
}

function* whole(bytes: Uint8Array): Iterable<Uint8Array> {
  yield bytes;
}

/** Chunks in buffers taken from chunkRing with nothing read ahead (a ring of two), each poisoned before it is filled. */
function* recycled(bytes: Uint8Array): Iterable<Uint8Array> {
  const next = chunkRing(0, () => new Uint8Array(CHUNK));
  for (let at = 0; at < bytes.length; at += CHUNK) {
    const buf = next();
    buf.fill(0xee);
    const part = bytes.subarray(at, at + CHUNK);
    buf.set(part);
    yield part.length === CHUNK ? buf : buf.subarray(0, part.length);
  }
}

test('chunkRing hands out depth + 2 buffers in turn, each made once', () => {
  let made = 0;
  const next = chunkRing(4, () => new Uint8Array(++made));
  const taken = Array.from({ length: 13 }, next);
  assert.is(made, 6);
  assert.equal(
    taken.map((b) => b.length),
    [1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 1],
  );
  assert.ok(taken[0] === taken[6] && taken[6] === taken[12], 'the same buffer again');
});

/** The record lines when every frame is copied into one scratch buffer for the call and poisoned after it. */
function linesLentOnce(bytes: Uint8Array): string[] {
  const out: string[] = [];
  const pipeline: FlowPipeline = new FlowPipeline({ catalogue: defaultCatalogue }, { ended: (flow) => out.push(pipeline.recordJson(flow)) });
  const scratch = new Uint8Array(1 << 18);
  const stream = new CaptureStream();
  stream.push(bytes);
  stream.end();
  stream.drain({
    frameIn(linkType, frames, start, end, timestamp, wireLength) {
      scratch.set(frames.subarray(start, end));
      pipeline.frameIn(linkType, scratch, 0, end - start, timestamp, wireLength);
      scratch.fill(0xee, 0, end - start);
    },
  });
  pipeline.flush();
  return out;
}

if (corpusAvailable()) {
  test('corpus: frames lent in one scratch buffer, poisoned after each call, give the records of a plain replay', () => {
    for (const name of corpusCaptures()) {
      const bytes = readCorpus(name);
      assert.equal(linesLentOnce(bytes), lines(bytes, whole), name);
    }
  });

  test('corpus: replay over poisoned, reused chunks gives the records of a whole-file replay', () => {
    let records = 0;
    for (const name of corpusCaptures()) {
      const bytes = readCorpus(name);
      const expected = lines(bytes, whole);
      assert.equal(lines(bytes, recycled), expected, name);
      records += expected.length;
    }
    assert.ok(records > 500, `${records} records compared`);
  });
}

test.run();
