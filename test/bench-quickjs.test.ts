/**
 * The QuickJS-ng (WebAssembly) part of `npm run bench:dpi` on a small input, as a check
 * that it works, not a timing: the harness built from src/ replays the big-capture
 * generator's output inside QuickJS-ng with the same records as under Node, and its
 * profile and memory parts report sane figures.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildHarness } from '../scripts/bench/build-harness.mjs';
import { runInQuickJs } from '../scripts/bench/quickjs-engine.mjs';
import { REPO_DIR } from './helpers/corpus.js';

const SAMPLE = new Uint8Array(readFileSync(join(REPO_DIR, 'samples', 'home-lan.pcapng')));

interface Harness {
  makeBigCapture(captures: Uint8Array[], copies: number): { chunks: Uint8Array[]; frames: number; bytes: number };
  JsonReplay: new () => { push(c: Uint8Array): void; end(): { frames: number; flows: number; digest: string } };
}

const dir = mkdtempSync(join(tmpdir(), 'fs-bench-test-'));
const harnessPath = await buildHarness(join(dir, 'harness.js'));
const source = readFileSync(harnessPath, 'utf8');
const harness = (await import(pathToFileURL(harnessPath).href)) as Harness;
rmSync(dir, { recursive: true, force: true });

/** The capture's bytes in small pieces, as a file is read. */
function* pieces(chunks: Uint8Array[], size = 4096): Generator<Uint8Array> {
  for (const c of chunks) for (let o = 0; o < c.length; o += size) yield c.subarray(o, o + size);
}

function nodeReplay(chunks: Uint8Array[]): { frames: number; flows: number; digest: string } {
  const r = new harness.JsonReplay();
  for (const c of pieces(chunks)) r.push(c);
  return r.end();
}

test('the big capture: each copy brings the same packets as new flows', () => {
  const one = harness.makeBigCapture([SAMPLE], 1);
  const three = harness.makeBigCapture([SAMPLE], 3);
  assert.is(three.frames, 3 * one.frames);
  const a = nodeReplay(one.chunks);
  const b = nodeReplay(three.chunks);
  assert.ok(a.flows >= 5, 'the sample has flows');
  assert.is(b.frames, 3 * a.frames);
  assert.is(b.flows, 3 * a.flows);
});

test('QuickJS-ng replays the big capture with the records Node writes', async () => {
  const big = harness.makeBigCapture([SAMPLE], 2);
  const node = nodeReplay(big.chunks);
  const qjs = await runInQuickJs(source, 'replay', pieces(big.chunks));
  assert.equal([qjs.frames, qjs.flows, qjs.digest], [node.frames, node.flows, node.digest]);
  assert.ok(qjs.seconds > 0 && qjs.wasmBytes > 0);
});

test('the QuickJS-ng profile times every stage and changes no record', async () => {
  const big = harness.makeBigCapture([SAMPLE], 2);
  const node = nodeReplay(big.chunks);
  const p = await runInQuickJs(source, 'profile', pieces(big.chunks));
  assert.equal([p.frames, p.flows, p.digest], [node.frames, node.flows, node.digest]);
  for (const stage of ['capture', 'decode', 'flow table', 'classifier', 'catalogue', 'record', 'json']) {
    assert.ok(Number.isFinite(p.stages[stage]) && p.stages[stage] >= 0, stage);
  }
  assert.ok(p.totalUs > 0 && p.peakLiveFlows > 0 && p.dissectors.length > 20);
});

test('the QuickJS-ng memory part measures bytes per live flow', async () => {
  const big = harness.makeBigCapture([SAMPLE], 3);
  // Marks from the end of the first copy (the warm-up), one per live flow.
  const m = await runInQuickJs(source, 'memory', pieces(big.chunks, 512), { warmupFrames: big.frames / 3, everyFlows: 1 });
  assert.ok(m.points >= 5, `${m.points} marks`);
  assert.ok(Number.isInteger(m.bytesPerFlow));
});

test.run();
