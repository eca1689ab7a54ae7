#!/usr/bin/env node
/**
 * `npm run bench:policy`: evaluations/s of 100 compiled actions against 100 000 flow
 * records, under Node and inside QuickJS-ng (the engine of txiki.js, here as WebAssembly
 * from npm, which runs slower than a native tjs). The same bundled workload runs in both.
 * Usage: npm run bench:policy [-- --records N --actions N]
 */
import { build } from 'esbuild';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-ng-wasmfile-release-sync';

const arg = (name, def) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : def;
};
const records = arg('--records', 100_000);
const actions = arg('--actions', 100);

const out = join(mkdtempSync(join(tmpdir(), 'fs-bench-policy-')), 'workload.js');
await build({
  entryPoints: [join(import.meta.dirname, 'bench', 'policy-workload.ts')],
  outfile: out,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  minify: true,
  logLevel: 'warning',
});

const report = (engine, r) =>
  console.log(
    `${engine.padEnd(22)} ${r.evaluations.toLocaleString('en')} evaluations in ${(r.ms / 1000).toFixed(2)} s: ` +
      `${((r.evaluations / r.ms) * 1000 / 1e6).toFixed(2)} M evaluations/s, ` +
      `${((records / r.ms) * 1000 / 1000).toFixed(1)} K flows/s (${r.matches} actions fired)`,
  );

console.log(`${actions} actions x ${records} flow records`);
const node = await import(pathToFileURL(out).href);
node.runPolicyBench(2000, actions, () => performance.now()); // warm-up
report(`Node ${process.version}`, node.runPolicyBench(records, actions, () => performance.now()));

const qjs = await newQuickJSWASMModuleFromVariant(variant);
const rt = qjs.newRuntime();
rt.setMemoryLimit(1024 * 1024 * 1024);
const ctx = rt.newContext();
const mod = ctx.unwrapResult(ctx.evalCode(readFileSync(out, 'utf8'), 'workload.js', { type: 'module' }));
ctx.setProp(ctx.global, '__w', mod);
mod.dispose();
const res = ctx.unwrapResult(ctx.evalCode(`JSON.stringify(__w.runPolicyBench(${records}, ${actions}, () => Date.now()))`));
report('QuickJS-ng (wasm)', JSON.parse(ctx.getString(res)));
res.dispose();
ctx.dispose();
rt.dispose();
