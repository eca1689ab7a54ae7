/**
 * The checked intermediate form of a flow expression, between the three compiler steps:
 * check.ts makes it from the AST (names resolved, literals turned into keys once),
 * simplify.ts folds and merges it, build.ts turns it into closures over plain data.
 *
 * Semantics worth knowing (docs/expressions.md has the full list): `attr != v` is exactly
 * `!(attr == v)`, so it is true when the attribute is absent; ordering comparisons on an
 * absent attribute are false.
 */
import type { FlowRecord } from '../../record/flow-record.js';
import type { PrefixSet } from '../../net/prefix-tree.js';
import type { AttrDef, Key } from './attributes.js';
import type { AddressGroups } from './groups.js';

export type Matcher = (r: FlowRecord) => boolean;

export interface CompileContext {
  /** Address groups for `@name` references (see groups.ts). */
  readonly groups?: AddressGroups | null;
}

/** A problem at an offset of one source string (index into the criteria array). */
export interface Diagnostic {
  readonly message: string;
  readonly index: number;
  readonly pos: number;
}

/** How an equality leaf compares: exactly, or category tags by `-`-prefix (compact form). */
export type SetMode = 'exact' | 'prefix';

export type IR =
  | { readonly k: 'const'; readonly v: boolean }
  | { readonly k: 'or' | 'and'; readonly items: readonly IR[] }
  | { readonly k: 'not'; readonly item: IR }
  /** attr ∈ keys (or ∉ when neg). */
  | { readonly k: 'set'; readonly attr: AttrDef; readonly mode: SetMode; readonly neg: boolean; readonly keys: readonly Key[] }
  /** Host name equal to one of `exact` or ending in one of `suffix` (each starting with '.'). */
  | { readonly k: 'host'; readonly attr: AttrDef; readonly neg: boolean; readonly exact: readonly string[]; readonly suffix: readonly string[] }
  /** IP attribute inside any of the prefix sets. */
  | { readonly k: 'addr'; readonly attr: AttrDef; readonly neg: boolean; readonly sets: readonly PrefixSet[] }
  /** Anything else (ordering, regex, presence): an opaque predicate. */
  | { readonly k: 'fn'; readonly fn: Matcher; readonly cost: number };

export const TRUE: IR = { k: 'const', v: true };
export const FALSE: IR = { k: 'const', v: false };
