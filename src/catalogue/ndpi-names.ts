/**
 * Translation from nDPI's names to the catalogue's, built from the `ndpi` fields of the
 * app and category entries. The evaluation compares our verdicts with nDPI's ground truth
 * through these maps (nDPI says `YouTube`, we say `youtube`).
 */
import type { AppId, CategoryTag } from '../names.js';
import type { CompiledCatalogue } from './compiled.js';
import { loadDefaultCatalogue } from './catalogue.js';

export interface NdpiNameMaps {
  /** nDPI application name (any case) → our app id, null when no app corresponds. */
  appIdForNdpiName(name: string): AppId | null;
  /** nDPI category name as ndpiReader prints it (`SocialNetwork`) → our category tag. */
  categoryForNdpiCategory(name: string): CategoryTag | null;
}

/**
 * nDPI writes `Master.App` for a flow with two protocols (`TLS.YouTube`, `STUN.WhatsAppCall`):
 * the application is the last part.
 */
function appPart(name: string): string {
  const dot = name.lastIndexOf('.');
  return (dot >= 0 ? name.slice(dot + 1) : name).toLowerCase();
}

export function ndpiNameMaps(catalogue: CompiledCatalogue): NdpiNameMaps {
  const apps = new Map<string, AppId>();
  for (const a of catalogue.apps) for (const n of a.ndpi) apps.set(n.toLowerCase(), a.id);
  const cats = new Map<string, CategoryTag>();
  for (const c of catalogue.categories) for (const n of c.ndpi) cats.set(n.toLowerCase(), c.tag);
  return {
    appIdForNdpiName: (name) => apps.get(appPart(name)) ?? null,
    categoryForNdpiCategory: (name) => cats.get(name.toLowerCase()) ?? null,
  };
}

let defaults: NdpiNameMaps | null = null;

function defaultMaps(): NdpiNameMaps {
  defaults ??= ndpiNameMaps(loadDefaultCatalogue());
  return defaults;
}

/** nDPI app/protocol name → our app id (`YouTube` → `youtube`, `TLS` → null). */
export function appIdForNdpiName(name: string): AppId | null {
  return defaultMaps().appIdForNdpiName(name);
}

/** nDPI category name → our category tag (`SocialNetwork` → `social-media`). */
export function categoryForNdpiCategory(name: string): CategoryTag | null {
  return defaultMaps().categoryForNdpiCategory(name);
}
