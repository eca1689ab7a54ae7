// The esbuild options every flowsieve bundle is built with (dist/flowsieve.js and the
// benchmark harness), so a harness measures code built exactly as the product is.
import { packCatalogue } from './catalogue-plugin.mjs';
import { varLocalsPlugin } from './var-locals.mjs';

export const BUNDLE_OPTIONS = {
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
  legalComments: 'none',
  logLevel: 'warning',
  // varLocalsPlugin last: it rewrites the bundle esbuild wrote (scripts/var-locals.mjs).
  plugins: [packCatalogue, varLocalsPlugin],
};
