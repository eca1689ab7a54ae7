#!/usr/bin/env node
// Bundles src/main.ts into one minified ES module (dist/flowsieve.js) that runs under
// txiki.js and Node, and prints its size (raw and gzip): it has to fit a router's flash.
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

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
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const bytes = readFileSync(outfile);
const kb = (n) => (n / 1024).toFixed(1);
console.log(`${outfile}: ${kb(bytes.length)} KiB (${kb(gzipSync(bytes, { level: 9 }).length)} KiB gzip)`);
