import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAhead } from '../src/runtime/read-ahead.js';
import { createNodeRuntime } from '../src/runtime/node.js';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A file of `parts` read `size` bytes at a time, each read finishing after the given delay (so out of order). */
function reader(parts: number[][], delays: number[]) {
  let i = 0;
  let closed = 0;
  let under = 0;
  let most = 0;
  return {
    read: async () => {
      const k = i++;
      under++;
      most = Math.max(most, under);
      await delay(delays[k % delays.length]!);
      under--;
      return new Uint8Array(parts[k] ?? []);
    },
    close: async () => {
      closed++;
    },
    stats: () => ({ closed, most, reads: i, under }),
  };
}

async function all(it: AsyncIterable<Uint8Array>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const c of it) out.push([...c]);
  return out;
}

test('several reads under way: chunks come in file order, however the reads finish', async () => {
  const parts = [[1, 2], [3, 4], [5, 6], [7, 8], [9]];
  const r = reader(parts, [15, 1, 8, 2]);
  assert.equal(await all(readAhead(r.read, r.close, 3)), parts);
  assert.equal(r.stats().most, 3);
  assert.equal(r.stats().closed, 1);
  assert.equal(r.stats().under, 0, 'no read left running past close');
});

test('a chunk shorter than the first ends the file when several reads are under way', async () => {
  const r = reader([[1, 2], [3], [4, 5]], [1]);
  assert.equal(await all(readAhead(r.read, r.close, 3)), [[1, 2], [3]]);
  const one = reader([[1, 2], [3], [4, 5]], [1]);
  assert.equal(await all(readAhead(one.read, one.close)), [[1, 2], [3], [4, 5]], 'one at a time: read until empty');
});

test('a caller that stops early: the file closes once, after the reads under way', async () => {
  const r = reader([[1], [2], [3], [4], [5]], [5, 1]);
  for await (const c of readAhead(r.read, r.close, 4)) if (c[0] === 2) break;
  assert.equal(r.stats().closed, 1);
  assert.equal(r.stats().under, 0);
});

test("Node runtime's readChunks: a file in order, its last chunk short", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flowsieve-read-'));
  const path = join(dir, 'f.bin');
  const bytes = new Uint8Array(10_000).map((_, i) => (i * 7) & 0xff);
  writeFileSync(path, bytes);
  const rt = await createNodeRuntime();
  const chunks = await all(rt.readChunks(path, 1024));
  assert.equal(chunks.length, 10);
  assert.equal(chunks.flat(), [...bytes]);
});

test.run();
