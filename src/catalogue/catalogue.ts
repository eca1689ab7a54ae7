/**
 * The built-in application catalogue: the JSON data under `data/`, bundled into the program
 * by esbuild and compiled (`compile.ts`) into the lookups of `compiled.ts` on first use (the
 * compile takes tens of milliseconds under QuickJS; commands that never classify a flow
 * should not pay for it).
 *
 * The build checks the same data (`scripts/check-catalogue.mjs`) and fails on any error,
 * so a shipped bundle always compiles. Should it not, flowsieve still runs: it gets an
 * empty catalogue (no app names) and `defaultCatalogueErrors()` says why.
 */
import type { AppId, CategoryTag, ProtocolName } from '../names.js';
import apps from './data/apps.json';
import categories from './data/categories.json';
import protocols from './data/protocols.json';
import { compileCatalogue } from './compile.js';
import type { CompiledCatalogue } from './compiled.js';
import type { AppMatch, Catalogue } from './types.js';

let compiled: CompiledCatalogue | null = null;
let compileErrors: readonly string[] = [];

/** The compiled built-in catalogue (compiled once, on the first call). */
export function loadDefaultCatalogue(): CompiledCatalogue {
  if (compiled) return compiled;
  // The build checked this data (and fails on any error): the start-up only builds the lookups.
  const result = compileCatalogue({ apps, categories, protocols }, { checked: true });
  if (result.ok) {
    compiled = result.catalogue;
    return compiled;
  }
  compileErrors = result.errors;
  const empty = compileCatalogue({ apps: { apps: [] }, categories: { categories: [] }, protocols: { protocols: [] } });
  if (!empty.ok) throw new Error('empty catalogue failed to compile'); // cannot happen: no entries, no errors
  compiled = empty.catalogue;
  return compiled;
}

/** Errors in the bundled data (empty in any build that passed `check-catalogue`). */
export function defaultCatalogueErrors(): readonly string[] {
  loadDefaultCatalogue();
  return compileErrors;
}

/** The catalogue the CLI and daemon use; compiles the data on its first lookup. */
export const defaultCatalogue: Catalogue = {
  appForHost: (hostname: string): AppMatch | null => loadDefaultCatalogue().appForHost(hostname),
  appForAddress: (ip: string): AppMatch | null => loadDefaultCatalogue().appForAddress(ip),
  categoryOfApp: (app: AppId): CategoryTag | null => loadDefaultCatalogue().categoryOfApp(app),
  protocolCategory: (protocol: ProtocolName): CategoryTag | null => loadDefaultCatalogue().protocolCategory(protocol),
  appForProtocol: (protocol: ProtocolName): AppId | null => loadDefaultCatalogue().appForProtocol(protocol),
};
