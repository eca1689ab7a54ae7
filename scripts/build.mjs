#!/usr/bin/env node
// Bundles src/main.ts into one minified ES module (dist/flowsieve.js) that runs under
// txiki.js and Node, and prints its size (raw and gzip): it has to fit a router's flash.
// The catalogue's apps.json goes in with its address lists packed (packCatalogueApps in
// src/catalogue/compile.ts): one base64 string of the folded prefix table instead of
// thousands of "a.b.c.d/n" strings, decoded once when the catalogue is first used.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { packCatalogue } from './catalogue-plugin.mjs';

const outfile = 'dist/flowsieve.js';

await build({
  entryPoints: ['src/main.ts'],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  mainFields: ['module', 'main'],
  external: ['tjs:*', 'node:*'],
  minify: true,
  // Short lines: QuickJS-ng 0.16.0 (pinned by txiki.js master) rescans the current line for
  // every identifier it parses, which made a one-line bundle take ~0.5 s to start.
  lineLimit: 500,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [packCatalogue],
});
const bytes = readFileSync(outfile);
const kb = (n) => (n / 1024).toFixed(1);
console.log(`${outfile}: ${kb(bytes.length)} KiB (${kb(gzipSync(bytes, { level: 9 }).length)} KiB gzip)`);
