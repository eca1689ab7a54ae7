/**
 * The built bundle (dist/flowsieve.js, not the sources) inside QuickJS-ng, the engine of
 * txiki.js: replaying a capture there gives the same flow records as under Node. This is
 * what keeps the bundle free of Node-only APIs and of syntax QuickJS-ng lacks.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-ng-wasmfile-release-sync';
import { REPO_DIR } from './helpers/corpus.js';

const BUNDLE = join(REPO_DIR, 'dist', 'flowsieve.js');
const SAMPLE = join(REPO_DIR, 'samples', 'home-lan.pcapng');

interface BundleApi {
  replayCapture(bytes: Uint8Array, opts: { catalogue: unknown }): { records: unknown[] };
  defaultCatalogue: unknown;
}

async function replayInQuickJs(bundle: string, capture: Uint8Array): Promise<string> {
  const qjs = await newQuickJSWASMModuleFromVariant(variant);
  const runtime = qjs.newRuntime();
  runtime.setMemoryLimit(256 * 1024 * 1024);
  const ctx = runtime.newContext();
  try {
    const modResult = ctx.evalCode(bundle, 'flowsieve.js', { type: 'module' });
    let exportsHandle = ctx.unwrapResult(modResult);
    // A module with top-level await evaluates to a promise of its namespace.
    const state = ctx.getPromiseState(exportsHandle);
    if (state.type !== 'fulfilled' || state.notAPromise !== true) {
      runtime.executePendingJobs();
      const settled = ctx.getPromiseState(exportsHandle);
      if (settled.type === 'rejected') throw new Error(`bundle failed: ${JSON.stringify(ctx.dump(settled.error))}`);
      if (settled.type !== 'fulfilled') throw new Error('bundle did not finish evaluating');
      if (!settled.notAPromise) {
        exportsHandle.dispose();
        exportsHandle = settled.value;
      }
    }
    ctx.setProp(ctx.global, '__flowsieve', exportsHandle);
    exportsHandle.dispose();
    const buf = ctx.newArrayBuffer(capture.slice().buffer);
    ctx.setProp(ctx.global, '__capture', buf);
    buf.dispose();
    const out = ctx.evalCode(
      `JSON.stringify(__flowsieve.replayCapture(new Uint8Array(__capture), { catalogue: __flowsieve.defaultCatalogue }).records)`,
    );
    const h = ctx.unwrapResult(out);
    const text = ctx.getString(h);
    h.dispose();
    return text;
  } finally {
    ctx.dispose();
    runtime.dispose();
  }
}

test('the bundle replays a capture inside QuickJS-ng exactly as under Node', async () => {
  assert.ok(existsSync(BUNDLE), 'dist/flowsieve.js is missing: run npm run build');
  const bundle = readFileSync(BUNDLE, 'utf8');
  const capture = new Uint8Array(readFileSync(SAMPLE));
  const node = (await import(pathToFileURL(BUNDLE).href)) as BundleApi;
  const expected = JSON.stringify(node.replayCapture(capture, { catalogue: node.defaultCatalogue }).records);
  const got = await replayInQuickJs(bundle, capture);
  assert.ok(JSON.parse(expected).length >= 5, 'the sample has flows');
  assert.is(got, expected);
});

test.run();
