/**
 * `npm run fuzz [-- --runs N] [-- --only name]`: feeds every dissector N (default 100 000)
 * inputs derived from the corpus and reports crashes (exit code 1 if any).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DISSECTORS_BY_PRECEDENCE as allDissectors } from '../src/classify/precedence.js';
import { fuzzDissector, seedsFrom } from '../test/helpers/fuzz.js';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg('--runs') ?? 100_000);
const only = arg('--only');
const dir = process.env.FLOWSIEVE_CORPUS ?? join(import.meta.dirname, '..', '..', 'shared', 'corpus', 'ndpi');
const captures = readdirSync(dir)
  .filter((f) => /\.pcap(ng)?$/.test(f))
  .map((f) => new Uint8Array(readFileSync(join(dir, f))));
const seeds = seedsFrom(captures, 4);
console.log(`${seeds.length} seed payloads from ${captures.length} captures; ${runs} flows per dissector`);
let crashed = 0;
for (const d of allDissectors) {
  if (only && d.name !== only) continue;
  const t0 = performance.now();
  const r = fuzzDissector(d, seeds, runs, 12345);
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`${d.name.padEnd(14)} ${r.runs} flows, ${r.claims} claims, ${r.crashes.length} crashes (${s} s)`);
  for (const c of r.crashes.slice(0, 3)) console.log(`  ${c.error}\n    input ${c.input.slice(0, 300)}`);
  if (r.crashes.length) crashed++;
}
if (crashed) {
  console.log(`${crashed} dissector(s) crashed`);
  process.exit(1);
}
console.log('no crashes');
