// esbuild plugin shared by the bundle build (build.mjs) and the benchmark harness
// (bench-dpi.mjs): the catalogue's apps.json goes in with its address lists packed, and
// the three data files as JSON text parsed at start-up.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** apps.json → the same document with `networks` packed; fails the build on catalogue errors. */
export const packCatalogue = {
  name: 'pack-catalogue',
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]catalogue[\\/]data[\\/]apps\.json$/ }, async (args) => {
      // compile.ts (next to data/) is TypeScript: bundle it in memory and import the result.
      const dir = dirname(args.path);
      const out = await build({
        entryPoints: [join(dir, '..', 'compile.ts')],
        bundle: true,
        format: 'esm',
        platform: 'neutral',
        write: false,
        logLevel: 'error',
      });
      const { packCatalogueApps } = await import('data:text/javascript;base64,' + Buffer.from(out.outputFiles[0].text).toString('base64'));
      const read = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));
      const r = packCatalogueApps({ apps: read('apps.json'), categories: read('categories.json'), protocols: read('protocols.json') });
      if (!r.ok) return { errors: r.errors.map((text) => ({ text: `catalogue: ${text}` })) };
      return { contents: parsedAtRuntime(r.apps), loader: 'js', watchFiles: [join(dir, 'categories.json'), join(dir, 'protocols.json')] };
    });
    b.onLoad({ filter: /[\\/]src[\\/]catalogue[\\/]data[\\/](categories|protocols)\.json$/ }, (args) => ({
      contents: parsedAtRuntime(JSON.parse(readFileSync(args.path, 'utf8'))),
      loader: 'js',
    }));
  },
};

/**
 * A data file as a module whose default export is `JSON.parse` of its text, not an object
 * literal: under txiki.js compiling the literal (every key, string and bracket a token,
 * then the bytecode that builds it) costs several times the engine's JSON parser on one
 * string, at every start.
 */
function parsedAtRuntime(doc) {
  return `export default JSON.parse(${JSON.stringify(JSON.stringify(doc))});\n`;
}
