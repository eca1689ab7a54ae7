#!/usr/bin/env node
/**
 * `npm run bench:dpi`: classifier throughput of the built bundle under Node over the shared
 * corpus, next to ndpiReader (Debian libndpi-bin) on the same captures in the same run.
 *
 * Both sides process each capture from scratch (fresh flows) once per round: flowsieve
 * with replayCapture() per capture, ndpiReader with a playlist of all captures (its
 * "nDPI throughput" excludes its setup time). Figures are the median of the rounds.
 * Usage: npm run bench:dpi [-- --rounds N]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = join(import.meta.dirname, '..');
const dir = process.env.FLOWSIEVE_CORPUS ?? join(repo, '..', 'shared', 'corpus', 'ndpi');
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 15;
const bundle = join(repo, 'dist', 'flowsieve.js');
if (!existsSync(bundle)) {
  console.error('bench:dpi: dist/flowsieve.js missing, run npm run build');
  process.exit(2);
}
const { replayCapture, defaultCatalogue } = await import(pathToFileURL(bundle).href);

const files = readdirSync(dir).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
const captures = files.map((f) => new Uint8Array(readFileSync(join(dir, f))));

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Warm up the JIT, then measure whole-corpus rounds.
for (const c of captures) replayCapture(c, { catalogue: defaultCatalogue });
const pps = [];
const fps = [];
let packets = 0;
let flows = 0;
for (let r = 0; r < rounds; r++) {
  packets = 0;
  flows = 0;
  const t0 = performance.now();
  for (const c of captures) {
    const res = replayCapture(c, { catalogue: defaultCatalogue });
    packets += res.pipeline.counters.packets;
    flows += res.records.length;
  }
  const s = (performance.now() - t0) / 1000;
  pps.push(packets / s);
  fps.push(flows / s);
}
const ours = median(pps);
console.log(`corpus: ${files.length} captures, ${packets} IP packets, ${flows} flows per round, ${rounds} rounds`);
console.log(`flowsieve (Node ${process.version}): ${(ours / 1000).toFixed(1)} K packets/s, ${(median(fps) / 1000).toFixed(2)} K flows/s`);

let ndpi = null;
try {
  const tmp = mkdtempSync(join(tmpdir(), 'fs-bench-'));
  const playlist = join(tmp, 'playlist.txt');
  writeFileSync(playlist, files.map((f) => join(dir, f)).join('\n') + '\n');
  const runs = [];
  for (let r = 0; r < rounds; r++) {
    const out = execFileSync('ndpiReader', ['-i', playlist], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /nDPI throughput:\s+([\d.]+)\s*([KM]?)\s*pps/.exec(out);
    if (m) runs.push(Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === 'K' ? 1e3 : 1));
  }
  if (runs.length) ndpi = median(runs);
} catch (e) {
  console.log(`ndpiReader: not run (${e.code === 'ENOENT' ? 'not installed: apt-get install libndpi-bin' : e.message.split('\n')[0]})`);
}
if (ndpi !== null) {
  console.log(`ndpiReader (nDPI, same captures): ${(ndpi / 1000).toFixed(1)} K packets/s`);
  console.log(`ratio flowsieve/ndpiReader: ${(ours / ndpi).toFixed(2)}`);
}
