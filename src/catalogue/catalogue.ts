/**
 * The built-in application catalogue: the JSON data under `data/`, bundled into the program
 * by esbuild and compiled once at start-up into the lookup structures of `compile.ts`.
 *
 * The build checks the same data (`scripts/check-catalogue.mjs`) and fails on any error,
 * so a shipped bundle always compiles. Should it not, flowsieve still runs: it gets an
 * empty catalogue (no app names) and `defaultCatalogueErrors` says why.
 */
import apps from './data/apps.json';
import categories from './data/categories.json';
import protocols from './data/protocols.json';
import { compileCatalogue, CompiledCatalogue } from './compile.js';

function build(): { catalogue: CompiledCatalogue; errors: readonly string[] } {
  const result = compileCatalogue({ apps, categories, protocols });
  if (result.ok) return { catalogue: result.catalogue, errors: [] };
  const empty = compileCatalogue({ apps: { apps: [] }, categories: { categories: [] }, protocols: { protocols: [] } });
  if (!empty.ok) throw new Error('empty catalogue failed to compile'); // cannot happen: no entries, no errors
  return { catalogue: empty.catalogue, errors: result.errors };
}

const built = build();

/** The catalogue the CLI and daemon use. */
export const defaultCatalogue: CompiledCatalogue = built.catalogue;
/** Errors in the bundled data (empty in any build that passed `check-catalogue`). */
export const defaultCatalogueErrors: readonly string[] = built.errors;
