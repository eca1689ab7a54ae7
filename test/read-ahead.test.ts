import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { readAhead } from '../src/runtime/read-ahead.js';
import { createNodeRuntime } from '../src/runtime/node.js';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A file of `parts` (each at most 2 bytes) read one part per call, each read finishing after the given delay. */
function reader(parts: number[][], delays: number[]) {
  let i = 0;
  let closed = 0;
  let under = 0;
  let most = 0;
  return {
    read: async (buf: Uint8Array) => {
      const k = i++;
      under++;
      most = Math.max(most, under);
      await delay(delays[k % delays.length]!);
      under--;
      const part = parts[k] ?? [];
      buf.set(part);
      return part.length;
    },
    close: async () => {
      closed++;
    },
    stats: () => ({ closed, most, reads: i, under }),
  };
}

/** A new file of `size` bytes, each `byteAt(its index)`, in a directory of its own. */
function fileOf(size: number, byteAt: (i: number) => number): { dir: string; path: string; bytes: Uint8Array } {
  const dir = mkdtempSync(join(tmpdir(), 'flowsieve-read-'));
  const path = join(dir, 'f.bin');
  const bytes = new Uint8Array(size).map((_, i) => byteAt(i) & 0xff);
  writeFileSync(path, bytes);
  return { dir, path, bytes };
}

async function all(it: AsyncIterable<Uint8Array>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const c of it) out.push([...c]);
  return out;
}

test('one read under way while the caller works: chunks in file order, to the first empty one', async () => {
  const parts = [[1, 2], [3], [4, 5], [], [6]];
  const r = reader(parts, [15, 1, 8, 2]);
  const seen: number[][] = [];
  for await (const c of readAhead(2, (n) => new Uint8Array(n), r.read, r.close)) {
    seen.push([...c]);
    assert.is(r.stats().under, 1, 'the next read is under way');
  }
  assert.equal(seen, [[1, 2], [3], [4, 5]]);
  assert.equal(r.stats().most, 1);
  assert.equal(r.stats().closed, 1);
});

test('a caller that stops early: the file closes once, after the read under way', async () => {
  const r = reader([[1], [2], [3], [4], [5]], [5, 1]);
  for await (const c of readAhead(2, (n) => new Uint8Array(n), r.read, r.close)) if (c[0] === 2) break;
  assert.equal(r.stats().closed, 1);
  assert.equal(r.stats().under, 0);
  assert.equal(r.stats().reads, 3);
});

test("Node runtime's readChunks: a file in order, its last chunk short", async () => {
  const { path, bytes } = fileOf(10_000, (i) => i * 7);
  const rt = await createNodeRuntime();
  const chunks = await all(rt.readChunks(path, 1024));
  assert.equal(chunks.length, 10);
  assert.equal(chunks.flat(), [...bytes]);
});

test("Node runtime's readChunks: a regular file's chunks take turns in two buffers, the last one intact while the next is read", async () => {
  const { path, bytes } = fileOf(10_000, (i) => i * 13);
  const rt = await createNodeRuntime();
  const buffers = new Set<ArrayBufferLike>();
  let last: { chunk: Uint8Array; copy: number[] } | null = null;
  const seen: number[] = [];
  for await (const chunk of rt.readChunks(path, 1024)) {
    if (last !== null) assert.equal([...last.chunk], last.copy, 'the chunk before is as it was read');
    buffers.add(chunk.buffer);
    seen.push(...chunk);
    last = { chunk, copy: [...chunk] };
  }
  assert.equal(seen, [...bytes]);
  assert.is(buffers.size, 2);
});

test("Node runtime's readChunks: the event loop gets turns while a regular file is read (a closed stdout is seen)", async () => {
  const { path } = fileOf(64 * 1024, () => 0);
  const rt = await createNodeRuntime();
  let ranAt = -1;
  let chunks = 0;
  for await (const _ of rt.readChunks(path, 1024)) {
    // Set once the file is open (opening it took a turn already).
    if (++chunks === 1) setImmediate(() => (ranAt = chunks));
  }
  assert.is(chunks, 64);
  assert.ok(ranAt >= 0 && ranAt < 32, `an immediate ran after ${ranAt} of ${chunks} chunks`);
});

test("Node runtime's readChunks: a pipe is read in order to its end", async () => {
  const { dir, path, bytes } = fileOf(50_000, (i) => i * 7 + 3);
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const writer = spawn('sh', ['-c', `cat '${path}' > '${fifo}'`]);
  const written = new Promise((r) => writer.on('close', r));
  const rt = await createNodeRuntime();
  const chunks = await all(rt.readChunks(fifo, 4096));
  await written;
  assert.equal(chunks.flat(), [...bytes]);
});

test.run();
