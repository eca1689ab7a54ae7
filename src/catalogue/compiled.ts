/**
 * The compiled catalogue the classifier queries once per flow (compile.ts builds it from
 * the checked data):
 *  - hostnames: a Map from domain suffix to app. `appForHost` tries the name itself, then
 *    each suffix after a dot, longest first, so the first hit is the longest match and the
 *    cost is one Map probe per label (no scan over entries). Suffixes only ever start at a
 *    label boundary, so `notyoutube.com` never matches `youtube.com`.
 *  - `name.*` entries (a brand under any top-level domain: `google.*` covers google.de and
 *    google.co.uk) live in a second Map probed with the hostname minus its public suffix.
 *  - addresses: one range table per family (networks.ts folds, range-table.ts searches).
 */
import { parseIp, quickIpv4, quickIpv6 } from '../net/address.js';
import type { AppId, CategoryTag, ProtocolName } from '../names.js';
import type { RangeTable } from './range-table.js';
import type { AppMatch, Catalogue } from './types.js';

/** What one app entry says once validated. */
export interface AppInfo {
  readonly id: AppId;
  readonly name: string;
  readonly category: CategoryTag;
  /** nDPI application names this app corresponds to. */
  readonly ndpi: readonly string[];
  readonly domains: readonly string[];
  /** As the source lists them; empty when the data came packed (the address table has them). */
  readonly networks: readonly string[];
  /**
   * A hosting platform (cloud, CDN): its addresses carry other services, so any other
   * app's prefix over one of its prefixes takes precedence, whatever the lengths.
   */
  readonly hosting: boolean;
  readonly facts: readonly string[];
}

export interface CategoryInfo {
  readonly tag: CategoryTag;
  readonly name: string;
  /** nDPI category names (as ndpiReader prints them) that mean this category. */
  readonly ndpi: readonly string[];
  readonly facts: readonly string[];
}

export interface ProtocolInfo {
  /** nDPI spelling. */
  readonly name: ProtocolName;
  readonly category: CategoryTag;
  readonly facts: readonly string[];
}

export interface CatalogueStats {
  readonly apps: number;
  readonly categories: number;
  readonly protocols: number;
  readonly domains: number;
  /** Prefixes the apps list (`networks`), per family and in all. */
  readonly prefixes: number;
  readonly prefixesV4: number;
  readonly prefixesV6: number;
  /** Prefixes in the folded address table (after precedence and aggregation). */
  readonly tablePrefixes: number;
  /** Listed prefixes of hosting apps that another app's prefix covers. */
  readonly yieldedPrefixes: number;
  /** Disjoint address ranges the lookups search (both families). */
  readonly addressRanges: number;
}

/** Second-level labels under which registries sell names (`co.uk`, `com.br`, `ne.jp`, …). */
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'ne', 'or', 'go', 'gob', 'gv', 'mil', 'nic']);
const NETIFY_PREFIX = 'netify.';
/** Longest hostname worth looking up (RFC 1035 limit). */
export const MAX_HOST = 253;

/** The compiled catalogue: the `Catalogue` the classifier uses, plus listings for tools. */
export class CompiledCatalogue implements Catalogue {
  /** Exact domain suffix → index into `matches`. */
  private readonly bySuffix: Map<string, number>;
  /** `brand.*` entries: domain without its public suffix → index into `matches`. */
  private readonly byBrand: Map<string, number>;
  private readonly v4: RangeTable;
  private readonly v6: RangeTable;
  private readonly matches: readonly AppMatch[];
  private readonly categoryById: Map<string, CategoryTag>;
  private readonly protocolCategories: Map<string, CategoryTag>;

  constructor(
    readonly apps: readonly AppInfo[],
    readonly categories: readonly CategoryInfo[],
    readonly protocols: readonly ProtocolInfo[],
    index: {
      bySuffix: Map<string, number>;
      byBrand: Map<string, number>;
      v4: RangeTable;
      v6: RangeTable;
      prefixesV4: number;
      prefixesV6: number;
      tablePrefixes: number;
      yieldedPrefixes: number;
    },
  ) {
    this.bySuffix = index.bySuffix;
    this.byBrand = index.byBrand;
    this.v4 = index.v4;
    this.v6 = index.v6;
    this.matches = apps.map((a) => ({ app: a.id, category: a.category, hosting: a.hosting }));
    this.categoryById = new Map(apps.map((a) => [a.id, a.category]));
    this.protocolCategories = new Map();
    for (const p of protocols) {
      this.protocolCategories.set(p.name, p.category);
      const lower = p.name.toLowerCase();
      if (!this.protocolCategories.has(lower)) this.protocolCategories.set(lower, p.category);
    }
    this.stats = {
      apps: apps.length,
      categories: categories.length,
      protocols: protocols.length,
      domains: index.bySuffix.size + index.byBrand.size,
      prefixes: index.prefixesV4 + index.prefixesV6,
      prefixesV4: index.prefixesV4,
      prefixesV6: index.prefixesV6,
      tablePrefixes: index.tablePrefixes,
      yieldedPrefixes: index.yieldedPrefixes,
      addressRanges: index.v4.size + index.v6.size,
    };
  }

  readonly stats: CatalogueStats;
  /** Scratch address words for lookups (no allocation per flow). */
  private readonly words: number[] = [0, 0, 0, 0];

  appForHost(hostname: string): AppMatch | null {
    let host = hostname;
    if (host.length === 0 || host.length > MAX_HOST) return null;
    if (host.charCodeAt(host.length - 1) === 46 /* . */) host = host.slice(0, -1);
    host = host.toLowerCase();
    // Exact suffixes, longest first: the whole name, then after each dot.
    let exact = -1;
    let exactAt = -1;
    for (let at = 0; at < host.length; ) {
      const hit = this.bySuffix.get(at === 0 ? host : host.slice(at));
      if (hit !== undefined) {
        exact = hit;
        exactAt = at;
        break;
      }
      const dot = host.indexOf('.', at);
      if (dot < 0) break;
      at = dot + 1;
    }
    if (this.byBrand.size === 0) return exact >= 0 ? this.matches[exact]! : null;
    // Brand entries: strip the public suffix, then the same longest-first walk.
    const end = publicSuffixStart(host);
    let brand = -1;
    let brandAt = -1;
    if (end > 0) {
      const base = host.slice(0, end - 1);
      // A brand hit starting at or after the exact hit cannot be longer; stop there.
      for (let at = 0; at < base.length && (exactAt < 0 || at < exactAt); ) {
        const hit = this.byBrand.get(at === 0 ? base : base.slice(at));
        if (hit !== undefined) {
          brand = hit;
          brandAt = at;
          break;
        }
        const dot = base.indexOf('.', at);
        if (dot < 0) break;
        at = dot + 1;
      }
    }
    // Longest match wins (earliest start); on a tie the exact domain is the more specific.
    if (brand >= 0 && (exact < 0 || brandAt < exactAt)) return this.matches[brand]!;
    return exact >= 0 ? this.matches[exact]! : null;
  }

  appForAddress(ip: string): AppMatch | null {
    const w = this.words;
    let v: number;
    const v4 = quickIpv4(ip);
    if (v4 >= 0) {
      w[0] = v4;
      v = this.v4.lookup(w);
    } else if (quickIpv6(ip, w)) {
      // An IPv4-mapped address (`::ffff:a.b.c.d` written in hex) is the IPv4 host.
      if (w[0] === 0 && w[1] === 0 && w[2] === 0xffff) {
        w[0] = w[3]!;
        v = this.v4.lookup(w);
      } else {
        v = this.v6.lookup(w);
      }
    } else {
      // Rare forms (dotted IPv4 tail, zone index): the general parser.
      const addr = parseIp(ip);
      if (addr === null) return null;
      v = addr.family === 4 ? this.v4.lookup(addr.words) : this.v6.lookup(addr.words);
    }
    return v >= 0 ? this.matches[v]! : null;
  }

  categoryOfApp(app: AppId): CategoryTag | null {
    const direct = this.categoryById.get(app);
    if (direct !== undefined) return direct;
    let id = app.toLowerCase();
    if (id.startsWith(NETIFY_PREFIX)) id = id.slice(NETIFY_PREFIX.length);
    return this.categoryById.get(id) ?? null;
  }

  protocolCategory(protocol: ProtocolName): CategoryTag | null {
    return this.protocolCategories.get(protocol) ?? this.protocolCategories.get(protocol.toLowerCase()) ?? null;
  }

  /** nDPI protocol names that are applications (`WhatsApp`, `Zoom`, `Spotify`) → app id. */
  private appsByProtocol: Map<string, AppId> | null = null;

  appForProtocol(protocol: ProtocolName): AppId | null {
    if (this.appsByProtocol === null) {
      this.appsByProtocol = new Map();
      for (const a of this.apps) for (const n of a.ndpi) this.appsByProtocol.set(n.toLowerCase(), a.id);
    }
    return this.appsByProtocol.get(protocol.toLowerCase()) ?? null;
  }

  /** The app entry for an id (with or without `netify.`), null if unknown. */
  app(id: AppId): AppInfo | null {
    let key = id.toLowerCase();
    if (key.startsWith(NETIFY_PREFIX)) key = key.slice(NETIFY_PREFIX.length);
    return this.apps.find((a) => a.id === key) ?? null;
  }
}

/**
 * Index where the public suffix of `host` starts (`google.co.uk` → index of `co`), or -1
 * when the name is a bare label. A small rule, not the Public Suffix List: the last label,
 * plus the one before it when that is a registry's generic second level (`co`, `com`, …).
 */
export function publicSuffixStart(host: string): number {
  const last = host.lastIndexOf('.');
  if (last <= 0) return -1;
  const prev = host.lastIndexOf('.', last - 1);
  const second = host.slice(prev + 1, last);
  if (prev > 0 && SECOND_LEVEL.has(second)) return prev + 1;
  return last + 1;
}
