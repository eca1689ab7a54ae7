/**
 * Runs one part of the benchmark harness under Node or tjs and prints its report as one
 * JSON line: `<node --expose-gc | tjs run> engine-run.mjs </abs/harness.js> profile|memory <capture> [warm-up frames] [flows per mark]`.
 * The capture is read in chunks, as replay reads it. Memory is the V8 heap in use after a
 * collection under Node, the process's RSS after a collection under tjs.
 */
const tjs = globalThis.tjs;
// memory: the frames of the warm-up (no mark before them), then a mark every N live flows.
const args = tjs ? tjs.args.slice(3) : process.argv.slice(2); // tjs.args: [tjs, 'run', script, …]
const [harnessPath, mode, capture, warmupFrames = '0', everyFlows = '250'] = args;
// The harness path is absolute (bench-dpi.mjs passes it so).
const { StageProfile, FlowMemory, setUpEngine } = await import(tjs ? harnessPath : `file://${harnessPath}`);
await setUpEngine();
const CHUNK = 1 << 18;

async function* chunks(path) {
  if (tjs) {
    const f = await tjs.open(path, 'r');
    for (;;) {
      const buf = new Uint8Array(CHUNK);
      const n = await f.read(buf);
      if (n === null || n === 0) break;
      yield buf.subarray(0, n);
    }
    await f.close();
  } else {
    const { openSync, readSync, closeSync } = await import('node:fs');
    const fd = openSync(path, 'r');
    for (;;) {
      const buf = new Uint8Array(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      yield buf.subarray(0, n);
    }
    closeSync(fd);
  }
}

async function memoryNow() {
  if (tjs) {
    tjs.engine.gc.run();
    const status = new TextDecoder().decode(await tjs.readFile('/proc/self/status'));
    return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) * 1024;
  }
  globalThis.gc();
  return process.memoryUsage().heapUsed;
}

let report;
if (mode === 'profile') {
  const p = new StageProfile(() => performance.now());
  for await (const c of chunks(capture)) p.push(c);
  report = p.end();
} else {
  const m = new FlowMemory(Number(warmupFrames), Number(everyFlows));
  for await (const c of chunks(capture)) {
    m.push(c);
    if (m.due) m.mark(await memoryNow());
  }
  m.mark(await memoryNow());
  report = m.end();
  report.points = report.points.length;
}
console.log(JSON.stringify(report));
