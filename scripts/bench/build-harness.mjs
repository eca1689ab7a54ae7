// Builds scripts/bench/dpi-harness.ts into one ES module, the way the real bundle is built
// (same target, minified, the catalogue packed), for Node, tjs and QuickJS-ng alike.
import { build } from 'esbuild';
import { join } from 'node:path';
import { BUNDLE_OPTIONS } from '../bundle-options.mjs';

const repo = join(import.meta.dirname, '..', '..');

/** Writes the harness bundle to `outfile` and returns that path. */
export async function buildHarness(outfile) {
  await build({
    ...BUNDLE_OPTIONS,
    entryPoints: [join(repo, 'scripts', 'bench', 'dpi-harness.ts')],
    outfile,
  });
  return outfile;
}

