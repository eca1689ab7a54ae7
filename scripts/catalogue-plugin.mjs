// esbuild plugin shared by the bundle build (build.mjs) and the benchmark harness
// (bench-dpi.mjs): the catalogue's apps.json goes in with its address lists packed.
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
      return { contents: JSON.stringify(r.apps), loader: 'json', watchFiles: [join(dir, 'categories.json'), join(dir, 'protocols.json')] };
    });
  },
};
