// Builds scripts/bench/dpi-harness.ts into one ES module, the way the real bundle is built
// (same target, minified, the catalogue packed), for Node, tjs and QuickJS-ng alike.
import { build } from 'esbuild';
import { join } from 'node:path';
import { packCatalogue } from '../catalogue-plugin.mjs';

const repo = join(import.meta.dirname, '..', '..');

/** Writes the harness bundle to `outfile` and returns that path. */
export async function buildHarness(outfile) {
  await build({
    entryPoints: [join(repo, 'scripts', 'bench', 'dpi-harness.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    minify: true,
    lineLimit: 500,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [packCatalogue],
  });
  return outfile;
}

