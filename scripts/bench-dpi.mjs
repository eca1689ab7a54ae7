#!/usr/bin/env node
/**
 * `npm run bench:dpi`: what a router will feel. One big capture is built from the shared
 * corpus (every Ethernet capture, N copies, fresh addresses per copy: see
 * scripts/bench/big-capture.ts) and replayed, whole process, by ndpiReader (Debian
 * libndpi-bin), `node dist/flowsieve.js replay`, `tjs run dist/flowsieve.js replay` (when
 * TJS names a tjs binary) and, in this process, QuickJS-ng compiled to WebAssembly.
 * Printed per engine: packets/s, flows/s, max RSS (Node: also the V8 heap's peak, read in
 * untimed runs of its own with scripts/bench/heap-probe.mjs preloaded), a
 * per-stage profile in µs per packet on a smaller copy of the capture (×P), bytes per
 * live flow, and start-up time of `version`. Whole-process runs are repeated R times (3), the
 * runners taking turns, and the median is printed with every run's time. This machine is shared and noisy: compare
 * figures from one run only.
 *
 * Usage: npm run bench:dpi [-- --copies N] [--rounds R] [--profile-copies P] [--engines ndpi,node,tjs,quickjs]
 *        [--skip profile,memory,startup] [--bundle path/to/flowsieve.js] [--before path/to/old.js]
 * The profile and memory parts are built from src/ (scripts/bench/dpi-harness.ts); --bundle
 * changes only the whole-process and start-up runs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, readdirSync, readSync, closeSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHarness } from './bench/build-harness.mjs';
import { runInQuickJs } from './bench/quickjs-engine.mjs';

const repo = join(import.meta.dirname, '..');
const corpus = process.env.FLOWSIEVE_CORPUS ?? join(repo, '..', 'shared', 'corpus', 'ndpi');
const opt = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const copies = Number(opt('copies', '40'));
// Whole-process runs of each runner, taking turns; the median is printed.
const rounds = Math.max(1, Number(opt('rounds', '3')));
const profileCopies = Number(opt('profile-copies', '4'));
const TJS = process.env.TJS ?? '';
const engines = new Set(opt('engines', 'ndpi,node,tjs,quickjs').split(','));
if (!TJS) engines.delete('tjs');
const skip = new Set(opt('skip', '').split(','));
// --bundle: another build of flowsieve.js (e.g. an older commit's) for a before/after in one run.
const bundle = opt('bundle', join(repo, 'dist', 'flowsieve.js'));
// --before: an older build to run beside it (whole process and start-up), in the same run.
const before = opt('before', null);
const bundles = before ? [[before, ' (before)'], [bundle, '']] : [[bundle, '']];
const work = join(tmpdir(), `flowsieve-bench-${process.getuid?.() ?? 0}`);
// The profile and memory harnesses run from `work`, not next to native/build: point them
// (and every child) at this checkout's native library, as replay finds it from dist/.
process.env.FLOWSIEVE_NATIVE_DIR ??= join(repo, 'native', 'build');
mkdirSync(work, { recursive: true });
const GNU_TIME = '/usr/bin/time';
const CHUNK = 1 << 18;

/** corpus ×n as one pcap under `work`, made once per corpus size and n. */
async function bigCapture(harnessPath, n) {
  const files = readdirSync(corpus).filter((f) => /\.pcap(ng)?$/.test(f)).sort();
  const total = files.reduce((s, f) => s + statSync(join(corpus, f)).size, 0);
  const path = join(work, `corpus-${total}-x${n}.pcap`);
  const meta = `${path}.json`;
  if (existsSync(path) && existsSync(meta)) return { path, ...JSON.parse(readFileSync(meta, 'utf8')) };
  const { makeBigCapture } = await import(`file://${harnessPath}`);
  const big = makeBigCapture(files.map((f) => new Uint8Array(readFileSync(join(corpus, f)))), n);
  const fd = openSync(path, 'w');
  for (const c of big.chunks) writeFileSync(fd, c);
  closeSync(fd);
  writeFileSync(meta, JSON.stringify({ frames: big.frames, bytes: big.bytes }));
  return { path, frames: big.frames, bytes: big.bytes };
}

function* fileChunks(path) {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buf = new Uint8Array(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) return;
      yield buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** One whole-process run: wall seconds and max RSS (KiB) from GNU time, stdout if asked, stderr. */
function timed(argv, { env = {}, keepStdout = false } = {}) {
  const timeOut = join(work, 'time.txt');
  const devnull = openSync('/dev/null', 'w');
  const haveTime = existsSync(GNU_TIME);
  const cmd = haveTime ? [GNU_TIME, '-f', '%e %M', '-o', timeOut, ...argv] : argv;
  const t0 = performance.now();
  const r = spawnSync(cmd[0], cmd.slice(1), {
    stdio: ['ignore', keepStdout ? 'pipe' : devnull, 'pipe'],
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const wall = (performance.now() - t0) / 1000;
  closeSync(devnull);
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${(r.stderr ?? '').slice(-500)}`);
  let seconds = wall;
  let rssKiB = null;
  if (haveTime) [seconds, rssKiB] = readFileSync(timeOut, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { seconds, rssKiB, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const MB = (bytes) => (bytes === null || bytes === undefined ? 'n/a' : `${(bytes / 1048576).toFixed(0)} MB`);
const K = (x) => `${(x / 1000).toFixed(1)} K`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A child that prints one JSON line (engine-run.mjs). */
function jsonOf(argv) {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${(r.stderr ?? '').slice(-500)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function startup(argv) {
  const runs = [];
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    const r = spawnSync(argv[0], argv.slice(1), { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}`);
    runs.push((performance.now() - t0) / 1000);
  }
  return median(runs);
}

async function main() {
  if (!existsSync(bundle)) throw new Error('dist/flowsieve.js missing: npm run build');
  const harnessPath = await buildHarness(join(work, 'harness.js'));
  const harnessSource = readFileSync(harnessPath, 'utf8');
  const big = await bigCapture(harnessPath, copies);
  const small = await bigCapture(harnessPath, profileCopies);
  console.log(`bench:dpi (scripts/bench-dpi.mjs), ${new Date().toISOString().slice(0, 16)}Z, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.log(`capture: corpus x${copies}, ${big.frames} packets, ${(big.bytes / 1e6).toFixed(0)} MB; profile and memory on x${profileCopies} (${small.frames} packets)`);
  if (!existsSync(GNU_TIME)) console.log('max RSS: n/a (GNU time missing: apt-get install time)');
  const tjsVersion = TJS ? stdoutOf([TJS, '--version']).trim() : '';
  const rows = [];
  const flowsieve = (runner) => (runner === 'node' ? [process.execPath] : [TJS, 'run']);

  // Each whole-process run is repeated `rounds` times, the runners taking turns (ndpiReader,
  // then each flowsieve build), and the median time is printed: on a shared machine one run
  // of each can land in a slow minute for one runner and a quick one for the next.
  const runs = [];
  if (engines.has('ndpi')) {
    const version = /nDPI\s+v?(\d[\d.]*)/.exec(spawnSync('ndpiReader', ['-h'], { encoding: 'utf8' }).stdout ?? '')?.[1] ?? '';
    runs.push({
      engine: `ndpiReader ${version}`.trim(),
      once: () => {
        const r = timed(['ndpiReader', '-i', big.path], { keepStdout: true });
        return { ...r, flows: Number(/Unique flows:\s+(\d+)/.exec(r.stdout)?.[1] ?? NaN) };
      },
    });
  }
  for (const runner of ['node', 'tjs']) {
    if (!engines.has(runner)) continue;
    for (const [file, label] of bundles) {
      const heapOut = join(work, 'heap.json');
      const name = runner === 'node' ? `node ${process.version}` : `tjs ${tjsVersion}`;
      const argv = [...flowsieve(runner), file, 'replay', '--stats', big.path];
      runs.push({
        engine: name + label,
        once: () => {
          const r = timed(argv);
          return { ...r, flows: Number(/flows (\d+)/.exec(r.stderr)?.[1] ?? NaN) };
        },
        // Node's V8 heap is read in runs of their own (one per round, after the timed ones):
        // the probe (a GCProfiler record per collection, node:v8 loaded at start) cost the
        // timed run ~0.04 s and ~2 000 page faults.
        heap:
          runner === 'node'
            ? () => {
                timed([process.execPath, '--import', join(repo, 'scripts', 'bench', 'heap-probe.mjs'), ...argv.slice(1)], { env: { FLOWSIEVE_HEAP_OUT: heapOut } });
                return JSON.parse(readFileSync(heapOut, 'utf8'));
              }
            : null,
      });
    }
  }
  const results = runs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    runs.forEach((run, i) => {
      try {
        if (results[i] !== null) results[i].push(run.once());
      } catch (e) {
        const why = e.code === 'ENOENT' ? 'not installed: apt-get install libndpi-bin' : e.message.split('\n')[0];
        console.log(`${run.engine}: not run (${why})`);
        results[i] = null;
      }
    });
  }
  // The heap runs, one per round, after all the timed ones.
  const heaps = runs.map((run, i) => (run.heap && results[i] !== null ? Array.from({ length: rounds }, () => run.heap()) : null));
  runs.forEach((run, i) => {
    const rs = results[i];
    if (!rs || rs.length === 0) return;
    const seconds = rs.map((r) => r.seconds);
    const mid = rs.find((r) => r.seconds === median(seconds));
    const hs = heaps[i];
    rows.push({
      engine: run.engine,
      seconds: mid.seconds,
      all: seconds,
      rss: Math.max(...rs.map((r) => r.rssKiB)) * 1024,
      flows: mid.flows,
      // The highest heap peak of the heap runs is printed: the bar is on the worst.
      heap: hs ? { ...hs[0], used: Math.max(...hs.map((h) => h.used)), live: Math.max(...hs.map((h) => h.live)), committed: Math.max(...hs.map((h) => h.committed)) } : null,
    });
  });
  if (engines.has('quickjs')) {
    const r = await runInQuickJs(harnessSource, 'replay', fileChunks(big.path));
    rows.push({ engine: 'QuickJS-ng (wasm, in-process)', seconds: r.seconds, rss: null, flows: r.flows, wasm: r.wasmBytes });
  }

  const ndpi = rows.find((r) => r.engine.startsWith('ndpiReader'));
  console.log(`\nwhole replay of the big capture (one process each, output to /dev/null; median of ${rounds} rounds, runners taking turns):`);
  console.log('engine                          packets/s   flows/s   x ndpiReader   max RSS   other');
  for (const r of rows) {
    const pps = big.frames / r.seconds;
    const ratio = ndpi ? (pps / (big.frames / ndpi.seconds)).toFixed(2) : '-';
    const other = r.heap ? `V8 heap peak ${MB(r.heap.used)} used, ${MB(r.heap.live)} live after full GC, ${MB(r.heap.committed)} committed` : r.wasm ? `wasm memory ${MB(r.wasm)}` : '';
    console.log(
      `${r.engine.padEnd(32)}${K(pps).padStart(9)}${K(r.flows / r.seconds).padStart(10)}${ratio.padStart(15)}${(r.rss === null ? 'n/a' : MB(r.rss)).padStart(10)}   ${other}`,
    );
  }
  console.log(`(${big.frames} packets; flows: ${rows.map((r) => `${r.engine.split(' ')[0]}${r.engine.endsWith('(before)') ? ' (before)' : ''} ${r.flows}`).join(', ')})`);
  for (const r of rows) if (r.all) console.log(`  ${r.engine}: ${r.all.map((x) => x.toFixed(2)).join(', ')} s`);

  if (!skip.has('profile')) {
    const profiles = [];
    if (engines.has('node')) profiles.push(['node', jsonOf([process.execPath, join(repo, 'scripts', 'bench', 'engine-run.mjs'), harnessPath, 'profile', small.path])]);
    if (engines.has('tjs')) profiles.push(['tjs', jsonOf([TJS, 'run', join(repo, 'scripts', 'bench', 'engine-run.mjs'), harnessPath, 'profile', small.path])]);
    if (engines.has('quickjs')) profiles.push(['quickjs-wasm', await runInQuickJs(harnessSource, 'profile', fileChunks(small.path))]);
    if (profiles.length) printProfiles(profiles, profileCopies);
  }
  if (!skip.has('memory')) {
    // The first copy is the warm-up (FlowMemory): marks start at the second.
    const warmup = Math.floor(small.frames / profileCopies);
    const run = (pre) => jsonOf([...pre, join(repo, 'scripts', 'bench', 'engine-run.mjs'), harnessPath, 'memory', small.path, String(warmup)]);
    const mem = [];
    if (engines.has('node')) mem.push(['node (V8 heap after GC)', run([process.execPath, '--expose-gc'])]);
    if (engines.has('tjs')) mem.push(['tjs (RSS after GC)', run([TJS, 'run'])]);
    if (engines.has('quickjs')) mem.push(['quickjs-wasm (QuickJS memory in use)', await runInQuickJs(harnessSource, 'memory', fileChunks(small.path), { warmupFrames: warmup })]);
    console.log(`\nmemory per live flow (x${profileCopies}, no flow expires; slope of memory over live flows from the end of the first copy, a mark every 250 flows):`);
    for (const [name, m] of mem) console.log(`  ${name.padEnd(40)} ${String(m.bytesPerFlow).padStart(6)} bytes/flow  (${m.points} marks)`);
  }
  if (!skip.has('startup')) {
    console.log('\nstart-up, `version` (median of 9):');
    for (const [file, label] of bundles) {
      if (engines.has('node')) console.log(`  node${label}  ${startup([process.execPath, file, 'version']).toFixed(3)} s`);
      if (engines.has('tjs')) console.log(`  tjs${label}   ${startup([TJS, 'run', file, 'version']).toFixed(3)} s`);
    }
  }
}

function stdoutOf(argv) {
  return execFileSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function printProfiles(profiles, n) {
  console.log(`\nper-stage profile, µs per packet (x${n}; exclusive time, the instruments' cost per call taken off):`);
  console.log(`${'stage'.padEnd(30)}${profiles.map(([e]) => e.padStart(14)).join('')}`);
  for (const stage of Object.keys(profiles[0][1].stages)) {
    console.log(`${stage.padEnd(30)}${profiles.map(([, p]) => p.stages[stage].toFixed(2).padStart(14)).join('')}`);
  }
  const total = (p) => p.totalUs / p.frames;
  console.log(`${'total'.padEnd(30)}${profiles.map(([, p]) => total(p).toFixed(2).padStart(14)).join('')}`);
  console.log(`${'catalogue compile, once (ms)'.padEnd(30)}${profiles.map(([, p]) => p.catalogueCompileMs.toFixed(1).padStart(14)).join('')}`);
  console.log(`${'(instrument cost per call)'.padEnd(30)}${profiles.map(([, p]) => p.timerPairUs.toFixed(2).padStart(14)).join('')}`);
  console.log(`${'peak live flows'.padEnd(30)}${profiles.map(([, p]) => String(p.peakLiveFlows).padStart(14)).join('')}`);
  console.log(`${'records digest'.padEnd(30)}${profiles.map(([, p]) => p.digest.padStart(14)).join('')}`);
  console.log('dissectors, µs per flow they were started on (top 8 by total time):');
  for (const d of profiles[0][1].dissectors.slice(0, 8)) {
    const per = profiles.map(([, p]) => (p.dissectors.find((x) => x.name === d.name)?.usPerFlow ?? 0).toFixed(1).padStart(14)).join('');
    console.log(`  ${`${d.name} (${d.flows} flows)`.padEnd(28)}${per}`);
  }
}

await main();
