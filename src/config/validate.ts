/**
 * A parsed UCI package checked against the schema tables (schema.ts). One generic walk:
 * each section's type picks its option table, each option its value type; then the
 * references between sections (actions → targets and exemptions, target defaults → target
 * types) are checked.
 *
 * Every message names the file, line and column, the section (its name or `@type[i]`) and
 * the option, and says what was expected. Unknown section types and options are warnings
 * (with a "did you mean" when one is close): a configuration written for a newer version, or
 * with a typo, still loads. Never throws.
 */
import {
  findSection,
  optionValues,
  sectionRef,
  type UciLocation,
  type UciPackage,
  type UciSection,
} from './uci-parse.js';
import {
  findOption,
  GLOBAL_EXEMPTION_SECTION,
  parseValue,
  sectionSpec,
  sectionTypeNames,
  TARGET_COMMON,
  TARGET_TYPES,
  targetOptions,
  type ConfigValue,
  type OptionSpec,
  type SectionSpec,
} from './schema.js';
import { printable } from '../util/printable.js';
import { didYouMean } from '../util/suggest.js';

export interface ConfigDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The section's name, or `@type[i]` for an anonymous one; null for the file as a whole. */
  readonly section: string | null;
  /** The option (as written in the file); null for the section as a whole. */
  readonly option: string | null;
  readonly message: string;
}

/** `file:line:col: error: section 'games' option 'priority': expected …`. */
export function formatConfigDiagnostic(d: ConfigDiagnostic): string {
  let where = '';
  if (d.section !== null) where += `section '${d.section}' `;
  if (d.option !== null) where += `option '${d.option}' `;
  // Names and values in messages come from the file: bytes that are not text are escaped.
  return printable(`${d.file}:${d.line}:${d.column}: ${d.severity}: ${where ? where.trimEnd() + ': ' : ''}${d.message}`);
}

/** One option after checking: its values converted, in order (a single option has one). */
export interface CheckedOption {
  readonly spec: OptionSpec;
  /** The name as written (an alias, perhaps). */
  readonly writtenAs: string;
  readonly values: readonly ConfigValue[];
  readonly raw: readonly string[];
  readonly locs: readonly UciLocation[];
}

export interface CheckedSection {
  readonly section: UciSection;
  /** Name or `@type[i]`, for messages. */
  readonly ref: string;
  readonly spec: SectionSpec;
  /** For targets: the target type (when valid); for target defaults/globals: the type named. */
  readonly targetType: string | null;
  /** Valid options by canonical name. */
  readonly options: ReadonlyMap<string, CheckedOption>;
}

export interface ValidatedConfig {
  readonly package: UciPackage;
  /** Sections of known types, in file order (unknown types and ignored sections left out). */
  readonly sections: readonly CheckedSection[];
}

export type ValidateResult =
  | { readonly ok: true; readonly config: ValidatedConfig; readonly warnings: readonly ConfigDiagnostic[] }
  | {
      readonly ok: false;
      readonly errors: readonly ConfigDiagnostic[];
      readonly warnings: readonly ConfigDiagnostic[];
      readonly config: ValidatedConfig;
    };

/** Whether a section has an option (under any of its spellings), valid or not. */
function written(c: CheckedSection, canonical: string): boolean {
  const table = Array.isArray(c.spec.options) ? (c.spec.options as readonly OptionSpec[]) : [];
  return c.section.options.some((o) => (findOption(table, o.name)?.name ?? o.name) === canonical);
}

/** Section names that look like references (as opposed to addresses or expressions). */
const REF_RE = /^[A-Za-z_][A-Za-z0-9_]*$|^@[A-Za-z0-9_]*\[-?\d+\]$/;

class Checker {
  readonly errors: ConfigDiagnostic[] = [];
  readonly warnings: ConfigDiagnostic[] = [];
  readonly checked: CheckedSection[] = [];

  constructor(readonly pkg: UciPackage) {}

  report(severity: 'error' | 'warning', loc: UciLocation, section: string | null, option: string | null, message: string): void {
    const d: ConfigDiagnostic = { severity, file: this.pkg.file, line: loc.line, column: loc.column, section, option, message };
    (severity === 'error' ? this.errors : this.warnings).push(d);
  }

  /** Check the options of one section against a table. */
  checkOptions(s: UciSection, ref: string, table: readonly OptionSpec[], skip: ReadonlySet<string> = new Set()): Map<string, CheckedOption> {
    const out = new Map<string, CheckedOption>();
    const names = table.flatMap((o) => [o.name, ...(o.aliases ?? [])]);
    for (const o of s.options) {
      if (skip.has(o.name)) continue;
      const spec = findOption(table, o.name);
      if (!spec) {
        this.report('warning', o.loc, ref, o.name, `unknown option '${o.name}'${didYouMean(o.name, names)}; ignored`);
        continue;
      }
      const items = optionValues(o);
      const locs = o.itemLocs ?? [o.loc];
      if (!spec.multiple && typeof o.value !== 'string') {
        if (items.length > 1) {
          this.report('error', o.loc, ref, o.name, `takes one value, but is given as a list of ${items.length}`);
          continue;
        }
        this.report('warning', o.loc, ref, o.name, `takes one value; written as 'list', read as 'option ${o.name} ${items[0]}'`);
      }
      const values: ConfigValue[] = [];
      const raw: string[] = [];
      const okLocs: UciLocation[] = [];
      let bad = false;
      items.forEach((item, i) => {
        const loc = locs[i] ?? o.loc;
        const r = parseValue(spec, item);
        if (!r.ok) {
          bad = true;
          const hint = spec.type === 'enum' ? didYouMean(item.trim(), spec.values ?? []) : '';
          const what = r.problem
            ? `${r.problem}; expected ${r.expected}`
            : `expected ${r.expected}, got ${JSON.stringify(item)}${hint}`;
          this.report('error', loc, ref, o.name, what);
          return;
        }
        values.push(r.value);
        raw.push(item);
        okLocs.push(loc);
      });
      if (bad && !spec.multiple) continue;
      const prev = out.get(spec.name);
      if (prev) {
        // The same option under two spellings (`target` and `targets`): lists join, a single
        // value is replaced by the later one.
        if (spec.multiple) {
          out.set(spec.name, {
            spec,
            writtenAs: prev.writtenAs,
            values: [...prev.values, ...values],
            raw: [...prev.raw, ...raw],
            locs: [...prev.locs, ...okLocs],
          });
          continue;
        }
        this.report('warning', o.loc, ref, o.name, `also given as '${prev.writtenAs}'; this value wins`);
      }
      out.set(spec.name, { spec, writtenAs: o.name, values, raw, locs: okLocs });
    }
    return out;
  }

  section(s: UciSection): void {
    const ref = sectionRef(this.pkg, s);
    const spec = sectionSpec(s.type);
    if (!spec) {
      this.report('warning', s.loc, ref, null, `unknown section type '${s.type}'${didYouMean(s.type, sectionTypeNames())}; ignored`);
      return;
    }
    if (spec.single && this.checked.some((c) => c.spec === spec)) {
      this.report('warning', s.loc, ref, null, `only one '${spec.type}' section is used; this one is ignored`);
      return;
    }
    if (spec.naming === 'named' && s.anonymous) {
      this.report('warning', s.loc, ref, null, `anonymous ${spec.type}: actions can only use it as '${ref}'; give it a name (config ${s.type} 'name')`);
    }
    let targetType: string | null = null;
    let options: Map<string, CheckedOption>;
    if (spec.options === 'target') {
      const written = s.options.find((o) => o.name === 'target_type');
      const first = written ? optionValues(written)[0]?.trim() : undefined;
      if (first !== undefined && TARGET_TYPES[first]) {
        targetType = first;
        options = this.checkOptions(s, ref, targetOptions(first));
      } else {
        if (!written) {
          this.report('error', s.loc, ref, 'target_type', `missing; expected one of ${Object.keys(TARGET_TYPES).join(', ')}`);
        }
        // Without a valid type the type's own options cannot be judged: check the common ones only.
        const notCommon = new Set(s.options.map((o) => o.name).filter((n) => !findOption(TARGET_COMMON, n)));
        options = this.checkOptions(s, ref, TARGET_COMMON, notCommon);
      }
    } else if (spec.options === 'target_default' || spec.options === 'target_global') {
      // Named after the target type (`config target_default 'ipset'`), or, when that name is
      // taken (UCI names are unique per file), any name plus `option target_type`.
      const written = s.options.find((o) => o.name === 'target_type');
      const typeName = written ? optionValues(written)[0]?.trim() ?? '' : s.anonymous ? '' : s.name;
      const t = TARGET_TYPES[typeName];
      if (!t) {
        const what = written ? `target_type '${typeName}'` : s.anonymous ? 'an anonymous section' : `'${typeName}'`;
        this.report(
          'warning',
          written?.loc ?? s.loc,
          ref,
          written ? 'target_type' : null,
          `${what} is not a target type${typeName ? didYouMean(typeName, Object.keys(TARGET_TYPES)) : ''}; ` +
            `name the section after one of ${Object.keys(TARGET_TYPES).join(', ')} (or set target_type); ignored`,
        );
        return;
      }
      if (this.checked.some((c) => c.spec === spec && c.targetType === t.type)) {
        this.report('warning', s.loc, ref, null, `a second ${spec.type} for '${t.type}'; only the first is used`);
        return;
      }
      targetType = t.type;
      const typeOption: OptionSpec = { ...TARGET_COMMON[0]!, required: false };
      const table =
        spec.options === 'target_default'
          ? [typeOption, ...TARGET_COMMON.filter((o) => o.name !== 'target_type'), ...t.options]
          : [typeOption, ...t.globals];
      options = this.checkOptions(s, ref, table);
    } else {
      options = this.checkOptions(s, ref, spec.options);
    }
    this.checked.push({ section: s, ref, spec, targetType, options });
  }

  // -------------------------------------------------------------- cross-references

  private ofType(type: string): CheckedSection[] {
    return this.checked.filter((c) => c.spec.type === type);
  }

  /** Value of a target option: its own, else its type's target_default, else the schema default. */
  private hasTargetValue(t: CheckedSection, name: string, defaults: ReadonlyMap<string, CheckedSection>): boolean {
    if (t.options.has(name)) return true;
    const d = t.targetType ? defaults.get(t.targetType) : undefined;
    if (d?.options.has(name)) return true;
    const spec = findOption(targetOptions(t.targetType ?? ''), name);
    return spec?.default !== undefined;
  }

  references(): void {
    const defaults = new Map<string, CheckedSection>();
    for (const d of this.ofType('target_default')) if (d.targetType) defaults.set(d.targetType, d);

    for (const t of this.ofType('target')) {
      if (!t.targetType) continue;
      const enabled = t.options.get('target_enabled')?.values[0] !== false;
      const type = TARGET_TYPES[t.targetType]!;
      for (const o of type.options) {
        if (o.required && !this.hasTargetValue(t, o.name, defaults)) {
          this.report(
            enabled ? 'error' : 'warning',
            t.section.loc,
            t.ref,
            o.name,
            `missing; a ${t.targetType} target needs it (here or in config target_default '${t.targetType}'): ${o.description}`,
          );
        }
      }
      if (type.platforms === 'freebsd' && enabled) {
        this.report('warning', t.section.loc, t.ref, 'target_type', `${t.targetType} targets exist on FreeBSD only; flowsieve ignores this target`);
      }
      if (t.targetType === 'ipset' && t.options.has('skb_mask') && !this.hasTargetValue(t, 'skb_mark', defaults)) {
        const o = t.options.get('skb_mask')!;
        this.report('warning', o.locs[0] ?? t.section.loc, t.ref, o.writtenAs, 'has no effect without skb_mark');
      }
      if (t.targetType === 'ctlabel' && enabled) {
        const labels = t.options.get('label')?.values.length ?? defaults.get('ctlabel')?.options.get('label')?.values.length ?? 0;
        const auto =
          t.options.get('auto_label')?.values[0] ?? defaults.get('ctlabel')?.options.get('auto_label')?.values[0] ?? false;
        if (labels === 0 && auto !== true) {
          this.report('warning', t.section.loc, t.ref, null, "sets no labels: give 'list label' or enable auto_label");
        }
      }
    }

    const exemptionSections = this.ofType('exemption');
    const findExemption = (name: string): CheckedSection | undefined => {
      const s = findSection(this.pkg, name, 'exemption');
      return s ? exemptionSections.find((c) => c.section === s) : undefined;
    };
    // Exemption sections may name other exemption sections: reject cycles.
    const visiting = new Set<CheckedSection>();
    const done = new Set<CheckedSection>();
    const walk = (e: CheckedSection): void => {
      if (done.has(e)) return;
      visiting.add(e);
      const o = e.options.get('exemption');
      o?.raw.forEach((entry, i) => {
        if (!REF_RE.test(entry.trim())) return;
        const target = findExemption(entry.trim());
        if (!target) return;
        if (visiting.has(target)) {
          this.report('error', o.locs[i] ?? e.section.loc, e.ref, o.writtenAs, `exemption sections refer to each other in a loop through '${entry}'`);
          return;
        }
        walk(target);
      });
      visiting.delete(e);
      done.add(e);
    };
    for (const e of exemptionSections) walk(e);
    for (const e of exemptionSections) this.checkExemptionEntries(e, findExemption);

    for (const a of this.ofType('action')) {
      const enabled = a.options.get('enabled')?.values[0] !== false;
      const sev = enabled ? 'error' : 'warning';
      const targets = a.options.get('target');
      targets?.raw.forEach((name, i) => {
        const loc = targets.locs[i] ?? a.section.loc;
        const s = findSection(this.pkg, name.trim());
        if (!s) {
          const names = this.ofType('target').map((t) => t.section.name);
          this.report(sev, loc, a.ref, targets.writtenAs, `no target section named '${name}'${didYouMean(name, names)}`);
        } else if (sectionSpec(s.type)?.type !== 'target') {
          this.report(sev, loc, a.ref, targets.writtenAs, `'${name}' is a '${s.type}' section, not a target`);
        }
      });
      if (!written(a, 'criteria')) {
        this.report('warning', a.section.loc, a.ref, 'criteria', 'missing: the action matches nothing and is ignored');
      }
      if (!written(a, 'target')) {
        this.report('warning', a.section.loc, a.ref, 'target', 'missing: the action does nothing and is ignored');
      }
      this.checkExemptionEntries(a, findExemption);
    }

    const g = this.ofType('globals')[0];
    if (g) {
      const lan = new Set(g.options.get('lan')?.raw ?? []);
      const wan = g.options.get('wan');
      wan?.raw.forEach((dev, i) => {
        if (lan.has(dev)) this.report('warning', wan.locs[i] ?? g.section.loc, g.ref, wan.writtenAs, `'${dev}' is listed as both lan and wan`);
      });
    }
  }

  /** Entries that look like section names but name no exemption section. */
  private checkExemptionEntries(s: CheckedSection, find: (name: string) => CheckedSection | undefined): void {
    const o = s.options.get('exemption');
    o?.raw.forEach((entry, i) => {
      const t = entry.trim();
      if (!REF_RE.test(t) || find(t)) return;
      if (t === GLOBAL_EXEMPTION_SECTION) return;
      this.report(
        'warning',
        o.locs[i] ?? s.section.loc,
        s.ref,
        o.writtenAs,
        `no exemption section named '${t}'; the entry is used as a flow expression`,
      );
    });
  }
}

/** Check a parsed package against the schema. */
export function validateConfig(pkg: UciPackage): ValidateResult {
  const c = new Checker(pkg);
  try {
    for (const s of pkg.sections) c.section(s);
    c.references();
  } catch (e) {
    // Only a bug can get here; report it rather than crash the daemon's reload.
    c.report('error', { line: 1, column: 1 }, null, null, `internal validation error: ${String(e)}`);
  }
  const config: ValidatedConfig = { package: pkg, sections: c.checked };
  if (c.errors.length) return { ok: false, errors: c.errors, warnings: c.warnings, config };
  return { ok: true, config, warnings: c.warnings };
}
