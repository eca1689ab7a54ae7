#!/usr/bin/env node
// Checks the application catalogue data (src/catalogue/data/*.json) with the same compiler
// the program uses, prints its counts, and exits 1 on any error, so a bad entry fails the
// build instead of shipping. Options:
//   --truth <dir>   also list nDPI app/protocol names in <dir>/*.truth.json that neither an
//                   app's `ndpi` field nor protocols.json covers (information, not an error)
//   --data <dir>    check the JSON files in <dir> instead of src/catalogue/data
//   --quiet         print only errors
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const dataAt = argv.indexOf('--data');
const dataDir = dataAt >= 0 ? argv[dataAt + 1] : join(root, 'src/catalogue/data');
/**
 * Bundle size the data should stay under: the three files as the bundle carries them (compact
 * JSON, apps' `networks` packed into one string by packCatalogueApps), raw and gzipped.
 */
const SIZE_BUDGET = 200 * 1024;
const GZIP_BUDGET = 64 * 1024;

const args = argv;
const quiet = args.includes('--quiet');
const truthAt = args.indexOf('--truth');
const truthDir = truthAt >= 0 ? args[truthAt + 1] : null;

// compile.ts is TypeScript: bundle it in memory and import the result.
const out = await build({
  entryPoints: [join(root, 'src/catalogue/compile.ts')],
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  write: false,
  logLevel: 'error',
});
const code = out.outputFiles[0].text;
const { compileCatalogue, packCatalogueApps } = await import('data:text/javascript;base64,' + Buffer.from(code).toString('base64'));

const errors = [];
let bytes = 0;
function load(name) {
  const path = join(dataDir, name);
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    errors.push(`${name}: cannot read: ${e.message}`);
    return null;
  }
  bytes += Buffer.byteLength(text);
  try {
    return JSON.parse(text);
  } catch (e) {
    errors.push(`${name}: not valid JSON: ${e.message}`);
    return null;
  }
}
const apps = load('apps.json');
const categories = load('categories.json');
const protocols = load('protocols.json');

let catalogue = null;
let bundled = '';
if (errors.length === 0) {
  const result = compileCatalogue({ apps, categories, protocols });
  if (result.ok) catalogue = result.catalogue;
  else errors.push(...result.errors);
}
if (catalogue) {
  // What the build puts into the bundle must compile to the same address table.
  const packed = packCatalogueApps({ apps, categories, protocols });
  const again = packed.ok ? compileCatalogue({ apps: packed.apps, categories, protocols }) : packed;
  if (!again.ok) errors.push(...again.errors.map((e) => `packed: ${e}`));
  else if (JSON.stringify(again.catalogue.stats) !== JSON.stringify(catalogue.stats)) errors.push('packed: the packed table differs from the source');
  else bundled = JSON.stringify(packed.apps) + JSON.stringify(categories) + JSON.stringify(protocols);
}

if (errors.length > 0) {
  for (const e of errors) console.error(`catalogue: ${e}`);
  console.error(`catalogue: ${errors.length} error(s)`);
  process.exit(1);
}

const s = catalogue.stats;
const kib = (n) => (n / 1024).toFixed(1);
const bundledBytes = Buffer.byteLength(bundled);
const bundledGzip = gzipSync(bundled, { level: 9 }).length;
if (!quiet) {
  console.log(
    `catalogue: ${s.apps} apps, ${s.categories} categories, ${s.protocols} protocols, ` +
      `${s.domains} domains, ${s.prefixes} prefixes (${s.prefixesV4} IPv4, ${s.prefixesV6} IPv6) → ` +
      `${s.tablePrefixes} in the address table (${s.yieldedPrefixes} hosting prefixes yield to others), ` +
      `${s.addressRanges} ranges; ${kib(bytes)} KiB of JSON, ${kib(bundledBytes)} KiB bundled (${kib(bundledGzip)} KiB gzip)`,
  );
}
if (bundledBytes > SIZE_BUDGET || bundledGzip > GZIP_BUDGET) {
  console.error(
    `catalogue: warning: bundled data is ${kib(bundledBytes)} KiB (${kib(bundledGzip)} KiB gzip), ` +
      `over the ${SIZE_BUDGET / 1024} KiB (${GZIP_BUDGET / 1024} KiB gzip) budget`,
  );
}

if (truthDir) {
  const appNames = new Set();
  for (const a of catalogue.apps) for (const n of a.ndpi) appNames.add(n.toLowerCase());
  const protoNames = new Set(catalogue.protocols.map((p) => p.name.toLowerCase()));
  const missing = new Map();
  for (const f of readdirSync(truthDir).filter((n) => n.endsWith('.truth.json'))) {
    const truth = JSON.parse(readFileSync(join(truthDir, f), 'utf8'));
    for (const flow of truth.flows) {
      for (const name of [flow.proto.master, flow.proto.app]) {
        if (!name || name === 'Unknown') continue;
        const key = name.toLowerCase();
        if (!appNames.has(key) && !protoNames.has(key)) missing.set(name, (missing.get(name) ?? 0) + 1);
      }
    }
  }
  if (missing.size === 0) console.log(`catalogue: every nDPI name in ${truthDir} is covered`);
  else console.log(`catalogue: nDPI names in ${truthDir} not covered: ${[...missing].map(([n, c]) => `${n} (${c})`).join(', ')}`);
}
