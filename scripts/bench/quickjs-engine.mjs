/**
 * The benchmark harness inside QuickJS-ng compiled to WebAssembly (the engine txiki.js
 * embeds, from npm, so it runs wherever Node does, CI included). The capture goes in chunk
 * by chunk, copied into the engine's memory as replay would read it from a file.
 */
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-ng-wasmfile-release-sync';

const CREATE = {
  profile: () => 'new h.StageProfile(() => performance.now())',
  replay: () => 'new h.JsonReplay()',
  memory: ({ warmupFrames = 0, everyFlows = 250 }) => `new h.FlowMemory(${Number(warmupFrames)}, ${Number(everyFlows)})`,
};

/**
 * Run `mode` ('profile' | 'replay' | 'memory') of the harness bundle over the chunks;
 * returns the harness's report, plus `seconds` (wall time of the pushes and the end) and
 * `wasmBytes` (the engine's linear memory, which only grows: its peak). `opts` (memory):
 * `warmupFrames` before the first mark, a mark every `everyFlows` live flows (FlowMemory).
 */
export async function runInQuickJs(harnessSource, mode, chunks, opts = {}) {
  const qjs = await newQuickJSWASMModuleFromVariant(variant);
  const runtime = qjs.newRuntime();
  runtime.setMemoryLimit(1024 * 1024 * 1024);
  const ctx = runtime.newContext();
  try {
    let ns = ctx.unwrapResult(ctx.evalCode(harnessSource, 'harness.js', { type: 'module' }));
    const state = ctx.getPromiseState(ns);
    if (state.type !== 'fulfilled' || state.notAPromise !== true) {
      runtime.executePendingJobs();
      const settled = ctx.getPromiseState(ns);
      if (settled.type !== 'fulfilled') throw new Error(`harness did not load: ${JSON.stringify(settled.type === 'rejected' ? ctx.dump(settled.error) : settled.type)}`);
      if (!settled.notAPromise) {
        ns.dispose();
        ns = settled.value;
      }
    }
    ctx.setProp(ctx.global, '__harness', ns);
    ns.dispose();
    const fns = ctx.unwrapResult(
      ctx.evalCode(`(() => { const h = globalThis.__harness; const w = ${CREATE[mode](opts)};
        return { push: (b) => w.push(new Uint8Array(b)), mark: (n) => w.mark(n), due: () => w.due, end: () => JSON.stringify(w.end()) }; })()`),
    );
    const push = ctx.getProp(fns, 'push');
    const mark = ctx.getProp(fns, 'mark');
    const due = ctx.getProp(fns, 'due');
    const end = ctx.getProp(fns, 'end');
    const memoryUsed = () => {
      const h = runtime.computeMemoryUsage();
      const used = ctx.dump(h).memory_used_size;
      h.dispose();
      return used;
    };
    const t0 = performance.now();
    for (const chunk of chunks) {
      const buf = ctx.newArrayBuffer(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.byteLength));
      ctx.unwrapResult(ctx.callFunction(push, ctx.undefined, buf)).dispose();
      buf.dispose();
      if (mode === 'memory') {
        const h = ctx.unwrapResult(ctx.callFunction(due, ctx.undefined));
        const isDue = ctx.dump(h) === true;
        h.dispose();
        if (isDue) {
          const m = ctx.newNumber(memoryUsed());
          ctx.unwrapResult(ctx.callFunction(mark, ctx.undefined, m)).dispose();
          m.dispose();
        }
      }
    }
    if (mode === 'memory') {
      const m = ctx.newNumber(memoryUsed());
      ctx.unwrapResult(ctx.callFunction(mark, ctx.undefined, m)).dispose();
      m.dispose();
    }
    const out = ctx.unwrapResult(ctx.callFunction(end, ctx.undefined));
    const seconds = (performance.now() - t0) / 1000;
    const report = JSON.parse(ctx.getString(out));
    out.dispose();
    for (const h of [push, mark, due, end, fns]) h.dispose();
    if (mode === 'memory') report.points = report.points.length;
    return { ...report, seconds, wasmBytes: qjs.getWasmMemory().buffer.byteLength };
  } finally {
    ctx.dispose();
    runtime.dispose();
  }
}
