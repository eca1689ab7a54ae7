#!/usr/bin/env node
// Bundles src/main.ts into one minified ES module (dist/flowsieve.js) that runs under
// txiki.js and Node, and prints its size (raw and gzip): it has to fit a router's flash.
// The catalogue's apps.json goes in with its address lists packed (packCatalogueApps in
// src/catalogue/compile.ts): one base64 string of the folded prefix table instead of
// thousands of "a.b.c.d/n" strings, decoded once when the catalogue is first used.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { BUNDLE_OPTIONS } from './bundle-options.mjs';

const outfile = 'dist/flowsieve.js';

await build({
  ...BUNDLE_OPTIONS,
  entryPoints: ['src/main.ts'],
  outfile,
  sourcemap: true,
});
const bytes = readFileSync(outfile);
const kb = (n) => (n / 1024).toFixed(1);
console.log(`${outfile}: ${kb(bytes.length)} KiB (${kb(gzipSync(bytes, { level: 9 }).length)} KiB gzip)`);
