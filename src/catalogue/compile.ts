/**
 * Turns the catalogue's JSON data (apps, categories, protocols) into the compiled catalogue
 * (compiled.ts) the classifier queries once per flow, after checking the data.
 *
 * Pure: takes the parsed JSON as `unknown`, returns either a compiled catalogue or a list
 * of errors that name the file and the entry (`apps.json: app 'youtube': …`). Nothing here
 * throws on bad data; the build script prints the errors and fails.
 *
 * Addresses: the apps' prefixes are folded into one table per family (networks.ts: a
 * hosting app's prefix yields to any other app's prefix over it, else the longest prefix
 * wins) and flattened into sorted ranges (range-table.ts). The build packs the folded table
 * into the bundle (`packCatalogueApps`, network-codec.ts), so the router decodes it instead
 * of parsing and folding thousands of prefixes at start-up.
 */
import { parseNetworkPrefix } from '../net/address.js';
import { CompiledCatalogue, MAX_HOST, type AppInfo, type CategoryInfo, type ProtocolInfo } from './compiled.js';
import { packNetworks, unpackNetworks, type PackedTable } from './network-codec.js';
import { aggregatePrefixes, toPrefixList, type Prefix } from './networks.js';
import { buildRanges } from './range-table.js';

/** The parsed JSON files, as read (not yet trusted). */
export interface CatalogueSources {
  readonly apps: unknown;
  readonly categories: unknown;
  readonly protocols: unknown;
}

export type CompileResult =
  | { readonly ok: true; readonly catalogue: CompiledCatalogue }
  | { readonly ok: false; readonly errors: readonly string[] };

const APP_ID = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;
const CATEGORY_TAG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const LABEL = /^(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;
/** Top-level domains open to everyone: never a single-label entry (that would claim them all). */
const GENERIC_TLDS = new Set([
  'arpa', 'info', 'mobi', 'name', 'asia', 'aero', 'coop', 'jobs', 'museum', 'travel', 'online', 'site', 'store',
  'shop', 'cloud', 'local', 'home', 'corp', 'lan', 'internal', 'host', 'tech', 'space', 'website', 'live', 'news',
  'blog', 'life', 'world', 'today', 'media', 'network', 'email', 'link', 'click', 'social', 'video', 'tube', 'chat',
]);

// ---------------------------------------------------------------------------------------
// Validation

type Json = { readonly [k: string]: unknown };

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] | null {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return null;
  // Indexed, not for-of and push: an iterator and a native call per item under txiki.js,
  // for every list of every entry at each start.
  const out: string[] = [];
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'string') return null;
    out[i] = x;
  }
  return out;
}

/**
 * `@key` facts refer to a file's `sources` table; anything else is a fact in words.
 * `checked`: the build already checked the data (see CompileOptions): only resolved.
 */
function checkFacts(facts: unknown, sources: Map<string, string>, where: string, errors: string[], checked: boolean): string[] {
  const list = stringList(facts);
  if (list === null) {
    errors.push(`${where}: "facts" must be a list of strings`);
    return [];
  }
  if (list.length === 0) errors.push(`${where}: no facts (say what the entry rests on)`);
  const out: string[] = [];
  for (const f of list) {
    if (f.startsWith('@')) {
      const src = sources.get(f.slice(1));
      if (src === undefined) errors.push(`${where}: fact '${f}' names no entry of "sources"`);
      else out.push(src);
    } else if (!checked && f.trim().length < 8) {
      errors.push(`${where}: fact '${f}' is too short to say anything`);
    } else {
      out.push(f);
    }
  }
  return out;
}

function readSources(file: string, doc: Json, errors: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const s = doc['sources'];
  if (s === undefined) return out;
  if (!isObject(s)) {
    errors.push(`${file}: "sources" must be an object of key → description`);
    return out;
  }
  for (const [k, v] of Object.entries(s)) {
    if (typeof v !== 'string' || v.trim().length < 8) errors.push(`${file}: source '${k}' needs a description`);
    else out.set(k, v);
  }
  return out;
}

function entries(file: string, doc: unknown, key: string, errors: string[]): { doc: Json; list: unknown[] } | null {
  if (!isObject(doc)) {
    errors.push(`${file}: top level must be an object`);
    return null;
  }
  const list = doc[key];
  if (!Array.isArray(list)) {
    errors.push(`${file}: "${key}" must be a list`);
    return null;
  }
  return { doc, list };
}

/**
 * A domain entry: lower-case labels; `brand.*` for any public suffix. `checked`: the build
 * already checked the data (see CompileOptions): only read.
 */
function checkDomain(d: string, checked: boolean): { name: string; brand: boolean } | string {
  let name = d;
  let brand = false;
  if (name.endsWith('.*')) {
    brand = true;
    name = name.slice(0, -2);
  }
  if (checked) return { name, brand };
  if (d !== d.toLowerCase()) return 'must be lower case';
  if (name.length === 0 || name.length > MAX_HOST) return 'has a bad length';
  const labels = name.split('.');
  for (const l of labels) if (!LABEL.test(l)) return `has a bad label '${l}'`;
  if (!brand) {
    // One label is a whole top-level domain: only a brand's own (`goog`, `facebook`).
    if (labels.length < 2 && (name.length < 4 || GENERIC_TLDS.has(name))) {
      return 'is a shared top-level domain; an entry needs two labels, a brand TLD, or `name.*`';
    }
    if (!/[a-z]/.test(labels[labels.length - 1]!)) return 'ends in a numeric label';
  }
  return { name, brand };
}


export interface CompileOptions {
  /**
   * The data passed these same checks when the bundle was built (scripts/check-catalogue.mjs
   * and the bundle's catalogue plugin fail the build on any error): the start-up skips the
   * ones that only judge the text (names, labels, facts' wording, duplicates) and keeps
   * what builds the lookups. Under txiki.js that is a fair share of every start.
   */
  readonly checked?: boolean;
}

/** Validate the three JSON documents and build the lookups. */
export function compileCatalogue(src: CatalogueSources, options: CompileOptions = {}): CompileResult {
  return compile(src, options.checked === true).result;
}

export type PackResult =
  | { readonly ok: true; readonly apps: { readonly [k: string]: unknown } }
  | { readonly ok: false; readonly errors: readonly string[] };

/**
 * The apps document as the bundle carries it: every app's `networks` removed and the
 * folded address table added as `packedNetworks` (see `network-codec.ts`). Compiling the result
 * gives the same answers as compiling the source, at a fraction of the size and start-up
 * cost. Fails with the same errors `compileCatalogue` would give.
 */
export function packCatalogueApps(src: CatalogueSources): PackResult {
  const { result, table } = compile(src, false);
  if (!result.ok) return result;
  if (table === null) return { ok: false, errors: ['apps.json: no address table to pack'] };
  const doc = src.apps as Json;
  const apps = (doc['apps'] as unknown[]).map((raw) => {
    const { networks: _networks, ...rest } = raw as Json;
    return rest;
  });
  return { ok: true, apps: { ...doc, apps, [PACKED_KEY]: packNetworks(table) } };
}

/** Where `packCatalogueApps` puts the table in the apps document. */
const PACKED_KEY = 'packedNetworks';

function compile(src: CatalogueSources, checked: boolean): { result: CompileResult; table: PackedTable | null } {
  const errors: string[] = [];

  // Categories first: apps and protocols refer to them.
  const categories: CategoryInfo[] = [];
  const catTags = new Set<string>();
  const ndpiCategory = new Map<string, string>();
  const catDoc = entries('categories.json', src.categories, 'categories', errors);
  if (catDoc) {
    const sources = readSources('categories.json', catDoc.doc, errors);
    catDoc.list.forEach((raw, i) => {
      if (!isObject(raw) || typeof raw['tag'] !== 'string') {
        errors.push(`categories.json: entry #${i + 1} needs a string "tag"`);
        return;
      }
      const tag = raw['tag'];
      const where = `categories.json: category '${tag}'`;
      if (!checked && !CATEGORY_TAG.test(tag)) errors.push(`${where}: tag must be lower case, words joined by '-'`);
      if (catTags.has(tag)) errors.push(`${where}: defined twice`);
      catTags.add(tag);
      const name = typeof raw['name'] === 'string' ? raw['name'] : '';
      if (name === '') errors.push(`${where}: needs a "name"`);
      const ndpi = stringList(raw['ndpi']);
      if (ndpi === null) errors.push(`${where}: "ndpi" must be a list of strings`);
      if (!checked) for (const n of ndpi ?? []) {
        const prev = ndpiCategory.get(n);
        if (prev !== undefined) errors.push(`${where}: nDPI category '${n}' already maps to '${prev}'`);
        else ndpiCategory.set(n, tag);
      }
      const facts = checkFacts(raw['facts'], sources, where, errors, checked);
      categories.push({ tag, name, ndpi: ndpi ?? [], facts });
    });
  }

  const bySuffix = new Map<string, number>();
  const byBrand = new Map<string, number>();
  /** Listed prefixes per family, and the text each came from (for error messages). */
  const listed4: Prefix[] = [];
  const listed6: Prefix[] = [];
  const text4: string[] = [];
  const text6: string[] = [];
  const apps: AppInfo[] = [];
  const appIds = new Map<string, number>();
  const ndpiApp = new Map<string, string>();

  const appDoc = entries('apps.json', src.apps, 'apps', errors);
  if (appDoc) {
    const sources = readSources('apps.json', appDoc.doc, errors);
    appDoc.list.forEach((raw, i) => {
      if (!isObject(raw) || typeof raw['id'] !== 'string') {
        errors.push(`apps.json: entry #${i + 1} needs a string "id"`);
        return;
      }
      const id = raw['id'];
      const where = `apps.json: app '${id}'`;
      if (!checked && !APP_ID.test(id)) errors.push(`${where}: id must be lower case letters, digits, '-' or '_'`);
      if (!checked && id.startsWith('netify')) errors.push(`${where}: ids carry no 'netify.' prefix`);
      if (appIds.has(id)) {
        errors.push(`${where}: defined twice`);
        return;
      }
      const index = apps.length;
      appIds.set(id, index);
      const name = typeof raw['name'] === 'string' ? raw['name'] : '';
      if (name === '') errors.push(`${where}: needs a "name"`);
      const category = typeof raw['category'] === 'string' ? raw['category'] : '';
      if (category === '') errors.push(`${where}: needs a "category"`);
      else if (catDoc && !catTags.has(category)) errors.push(`${where}: unknown category '${category}'`);

      const ndpi = stringList(raw['ndpi']);
      if (ndpi === null) errors.push(`${where}: "ndpi" must be a list of strings`);
      // The nDPI names only make errors here (the lookups are built from `apps`).
      if (!checked) for (const n of ndpi ?? []) {
        const prev = ndpiApp.get(n.toLowerCase());
        if (prev !== undefined) errors.push(`${where}: nDPI name '${n}' already maps to app '${prev}'`);
        else ndpiApp.set(n.toLowerCase(), id);
      }

      const domains = stringList(raw['domains']);
      if (domains === null) errors.push(`${where}: "domains" must be a list of strings`);
      for (const d of domains ?? []) {
        const ok = checkDomain(d, checked);
        if (typeof ok === 'string') {
          errors.push(`${where}: domain '${d}' ${ok}`);
          continue;
        }
        const map = ok.brand ? byBrand : bySuffix;
        const prev = map.get(ok.name);
        if (prev !== undefined) {
          errors.push(`${where}: duplicate domain '${d}' (also in app '${prev === index ? id : apps[prev]!.id}')`);
          continue;
        }
        map.set(ok.name, index);
      }

      const networks = stringList(raw['networks']);
      if (networks === null) errors.push(`${where}: "networks" must be a list of strings`);
      for (const n of networks ?? []) {
        const c = parseNetworkPrefix(n);
        if (typeof c === 'string') {
          errors.push(`${where}: network '${n}' ${c}`);
          continue;
        }
        if (c.length < 8) {
          errors.push(`${where}: network '${n}' is too wide to belong to one app`);
          continue;
        }
        (c.family === 4 ? listed4 : listed6).push({ words: c.words, length: c.length, app: index });
        (c.family === 4 ? text4 : text6).push(n);
      }
      const hosting = raw['hosting'] ?? false;
      if (typeof hosting !== 'boolean') errors.push(`${where}: "hosting" must be true or false`);
      // (Checked on the source: a packed document carries no per-app networks.)
      const packedDoc = appDoc.doc[PACKED_KEY] !== undefined;
      if ((domains ?? []).length === 0 && (networks ?? []).length === 0 && (ndpi ?? []).length === 0 && !packedDoc) {
        errors.push(`${where}: no domains, networks or nDPI names: nothing would ever name it`);
      }
      const facts = checkFacts(raw['facts'], sources, where, errors, checked);
      apps.push({
        id,
        name,
        category,
        ndpi: ndpi ?? [],
        domains: domains ?? [],
        networks: networks ?? [],
        hosting: hosting === true,
        facts,
      });
    });
  }

  // The address table: folded from the listed prefixes, or as the build packed it.
  let table: PackedTable | null = null;
  const packed = appDoc?.doc[PACKED_KEY];
  if (packed !== undefined) {
    if (typeof packed !== 'string') errors.push(`apps.json: "${PACKED_KEY}" must be a string`);
    else if (listed4.length + listed6.length > 0) errors.push(`apps.json: "${PACKED_KEY}" and apps' "networks" both given`);
    else {
      try {
        table = unpackNetworks(packed, apps.length);
      } catch (e) {
        errors.push(`apps.json: "${PACKED_KEY}" is damaged: ${(e as Error).message}`);
      }
    }
  } else {
    const isHosting = (app: number): boolean => apps[app]!.hosting;
    let yielded = 0;
    const fold = (listed: Prefix[], texts: string[], bits: 32 | 128) => {
      const agg = aggregatePrefixes(listed, bits, isHosting);
      for (const [i, j] of agg.duplicates) {
        const app = apps[listed[i]!.app]!;
        const other = apps[listed[j]!.app]!;
        errors.push(`apps.json: app '${app.id}': duplicate network '${texts[i]}' (also in app '${other.id}')`);
      }
      yielded += agg.yielded;
      return toPrefixList(agg.prefixes, bits);
    };
    const v4 = fold(listed4, text4, 32);
    const v6 = fold(listed6, text6, 128);
    table = { v4, v6, listedV4: listed4.length, listedV6: listed6.length, yielded };
  }

  const protocols: ProtocolInfo[] = [];
  const protoNames = new Set<string>();
  const protoDoc = entries('protocols.json', src.protocols, 'protocols', errors);
  if (protoDoc) {
    const sources = readSources('protocols.json', protoDoc.doc, errors);
    protoDoc.list.forEach((raw, i) => {
      if (!isObject(raw) || typeof raw['name'] !== 'string' || raw['name'] === '') {
        errors.push(`protocols.json: entry #${i + 1} needs a string "name"`);
        return;
      }
      const name = raw['name'];
      const where = `protocols.json: protocol '${name}'`;
      if (protoNames.has(name.toLowerCase())) errors.push(`${where}: defined twice`);
      protoNames.add(name.toLowerCase());
      const category = typeof raw['category'] === 'string' ? raw['category'] : '';
      if (category === '') errors.push(`${where}: needs a "category"`);
      else if (catDoc && !catTags.has(category)) errors.push(`${where}: unknown category '${category}'`);
      const facts = checkFacts(raw['facts'], sources, where, errors, checked);
      protocols.push({ name, category, facts });
    });
  }

  if (errors.length > 0 || table === null) return { result: { ok: false, errors }, table: null };
  const index = {
    bySuffix,
    byBrand,
    v4: buildRanges(table.v4),
    v6: buildRanges(table.v6),
    prefixesV4: table.listedV4,
    prefixesV6: table.listedV6,
    tablePrefixes: table.v4.count + table.v6.count,
    yieldedPrefixes: table.yielded,
  };
  return { result: { ok: true, catalogue: new CompiledCatalogue(apps, categories, protocols, index) }, table };
}
