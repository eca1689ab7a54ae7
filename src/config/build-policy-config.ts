/**
 * A validated UCI package → `PolicyConfig` (policy-config.ts): each value is the section's
 * own, else its fallback section's (a target's `target_default`), else the schema default;
 * targets are built from TARGET_TYPES, exemption sections are expanded, actions sorted.
 */
import { findSection, type UciLocation } from './uci-parse.js';
import {
  findOption,
  GLOBAL_EXEMPTION_SECTION,
  isCriteriaPath,
  parseValue,
  SECTION_TYPES,
  TARGET_TYPES,
  targetField,
  targetOptions,
  type ConfigValue,
  type OptionSpec,
} from './schema.js';
import type { TimeWindowSpec } from './time-window.js';
import type { CheckedSection, ValidatedConfig } from './validate.js';
import type {
  ActionConfig,
  ConfigSource,
  CriterionConfig,
  ExemptionEntry,
  GlobalsConfig,
  LogLevel,
  PolicyConfig,
  TargetConfig,
  TargetGlobals,
} from './policy-config.js';

// ------------------------------------------------------------------ value access

/** Parse a schema default (text) into its value(s). */
function defaultValues(spec: OptionSpec | undefined): readonly ConfigValue[] {
  if (!spec || spec.default === undefined) return [];
  const raw = typeof spec.default === 'string' ? [spec.default] : spec.default;
  const out: ConfigValue[] = [];
  for (const r of raw) {
    const v = parseValue(spec, r);
    if (v.ok) out.push(v.value);
  }
  return out;
}

/** Reads one section's values: its own, then a fallback section, then the schema default. */
class Values {
  constructor(
    private readonly table: readonly OptionSpec[],
    private readonly own: CheckedSection | undefined,
    private readonly fallback?: CheckedSection,
  ) {}

  all(name: string): readonly ConfigValue[] {
    const mine = this.own?.options.get(name);
    if (mine) return mine.values;
    const theirs = this.fallback?.options.get(name);
    if (theirs) return theirs.values;
    return defaultValues(findOption(this.table, name));
  }

  has(name: string): boolean {
    return this.all(name).length > 0;
  }

  str(name: string, dflt: string): string {
    const v = this.all(name)[0];
    return typeof v === 'string' ? v : dflt;
  }

  strOrNull(name: string): string | null {
    const v = this.all(name)[0];
    return typeof v === 'string' ? v : null;
  }

  num(name: string, dflt: number): number {
    const v = this.all(name)[0];
    return typeof v === 'number' ? v : dflt;
  }

  numOrNull(name: string): number | null {
    const v = this.all(name)[0];
    return typeof v === 'number' ? v : null;
  }

  bool(name: string, dflt: boolean): boolean {
    const v = this.all(name)[0];
    return typeof v === 'boolean' ? v : dflt;
  }

  boolOrNull(name: string): boolean | null {
    const v = this.all(name)[0];
    return typeof v === 'boolean' ? v : null;
  }

  strings(name: string): string[] {
    return this.all(name).flatMap((v) => (typeof v === 'string' ? [v] : Array.isArray(v) ? (v as readonly string[]) : []));
  }
}

function tableOf(type: string): readonly OptionSpec[] {
  const spec = SECTION_TYPES.find((s) => s.type === type);
  return spec && Array.isArray(spec.options) ? (spec.options as readonly OptionSpec[]) : [];
}

function sourceOf(file: string, c: CheckedSection, option: string | null, loc?: UciLocation): ConfigSource {
  const l = loc ?? c.section.loc;
  return { file, line: l.line, column: l.column, section: c.ref, option };
}

// ------------------------------------------------------------------ building

function buildGlobals(g: CheckedSection | undefined): GlobalsConfig {
  const v = new Values(tableOf('globals'), g);
  const queue = v.all('queue')[0];
  return {
    enabled: v.bool('enabled', true),
    queue: queue !== undefined && typeof queue === 'object' && 'first' in queue ? queue : { first: 0, last: 0 },
    failOpen: v.bool('fail_open', true),
    packetCap: v.num('packet_cap', 32),
    lan: v.strings('lan'),
    wan: v.strings('wan'),
    maxFlows: v.num('max_flows', 65536),
    logLevel: v.str('log_level', 'info') as LogLevel,
    timezone: v.strOrNull('timezone'),
    groupsFile: v.strOrNull('groups_file'),
    reprocessFlows: v.bool('reprocess_flows', false),
    queueMaxLen: v.num('queue_maxlen', 4096),
    copyRange: v.num('copy_range', 4096),
    bypassMark: v.num('bypass_mark', 0x10000000),
    firewall: v.str('firewall', 'auto') as GlobalsConfig['firewall'],
    flowOffload: v.bool('flow_offload', false),
    bridge: v.bool('bridge', false),
    keepRules: v.bool('keep_rules', false),
    ctLabels: { init: v.strOrNull('ct_label_init'), allow: v.strOrNull('ct_label_allow'), block: v.strOrNull('ct_label_block') },
  };
}

/** An option's value on a built target: a list for list options, else the value or null. */
function targetValue(v: Values, o: OptionSpec): ConfigValue | readonly string[] | null {
  if (o.multiple || o.type === 'flags') return v.strings(o.name);
  const value = v.all(o.name)[0];
  if (value !== undefined) return value;
  // A disabled target may lack a required option (validation only warned): a neutral value.
  if (!o.required) return null;
  return o.type === 'int' || o.type === 'hex32' || o.type === 'duration' ? 0 : o.type === 'bool' ? false : '';
}

/**
 * A target section → its typed target: every option of its type (TARGET_TYPES) lands on the
 * property `targetField` names, from the section, its type's `target_default`, or the schema
 * default. The two rules the reference states in words follow.
 */
function buildTarget(file: string, t: CheckedSection, defaults: CheckedSection | undefined): TargetConfig | null {
  const type = t.targetType;
  if (!type || !TARGET_TYPES[type]) return null;
  const v = new Values(targetOptions(type), t, defaults);
  const built: Record<string, unknown> = { name: t.section.name, enabled: v.bool('target_enabled', true), source: sourceOf(file, t, null), type };
  for (const o of TARGET_TYPES[type].options) {
    const field = targetField(o);
    if (field !== null) built[field] = targetValue(v, o);
  }
  // skb_mask: the whole mark when skb_mark is set without one.
  if (type === 'ipset' && built['skbMask'] === null && built['skbMark'] !== null) built['skbMask'] = 0xffffffff;
  // `size` is the spelling of the reference's nftset examples; max_elements wins when both exist.
  if (type === 'nftset' && !t.options.has('max_elements') && !defaults?.options.has('max_elements')) {
    built['maxElements'] = v.numOrNull('size') ?? built['maxElements'];
  }
  // The shape matches TargetConfig by construction: its interfaces name the same fields
  // (test/config.test.ts builds every type with every option and checks each field).
  return built as unknown as TargetConfig;
}

function buildTargetGlobals(sections: readonly CheckedSection[]): TargetGlobals {
  const of = (type: string): Values =>
    new Values(TARGET_TYPES[type]?.globals ?? [], sections.find((s) => s.targetType === type));
  const ct = of('ctlabel');
  const pf = of('pftable');
  return {
    ctlabel: { maxBits: ct.num('max_bits', 127), connlabelConf: ct.str('connlabel_conf', '/etc/xtables/connlabel.conf') },
    pftable: { device: pf.str('device', '/dev/pf') },
  };
}

/** Turn validated sections into the daemon's configuration. Pure; never throws on valid input. */
export function buildPolicyConfig(validated: ValidatedConfig): PolicyConfig {
  const file = validated.package.file;
  const pkg = validated.package;
  const of = (type: string): CheckedSection[] => validated.sections.filter((c) => c.spec.type === type);

  const globals = buildGlobals(of('globals')[0]);

  const defaultSections = of('target_default');
  const targetDefaults = new Map<string, Map<string, ConfigValue | readonly ConfigValue[]>>();
  for (const d of defaultSections) {
    if (!d.targetType) continue;
    const m = new Map<string, ConfigValue | readonly ConfigValue[]>();
    for (const [name, o] of d.options) m.set(name, o.spec.multiple ? o.values : o.values[0]!);
    targetDefaults.set(d.targetType, m);
  }

  const targets = new Map<string, TargetConfig>();
  for (const t of of('target')) {
    const built = buildTarget(file, t, defaultSections.find((d) => d.targetType === t.targetType));
    if (built) targets.set(built.name, built);
  }

  // Exemption sections, expanded; a name that is an exemption section is replaced by its entries.
  const exemptionSections = of('exemption');
  const expanded = new Map<CheckedSection, ExemptionEntry[]>();
  const expand = (c: CheckedSection, entries: readonly string[], locs: readonly UciLocation[], option: string, via: string | null, seen: Set<CheckedSection>): ExemptionEntry[] => {
    const out: ExemptionEntry[] = [];
    entries.forEach((raw, i) => {
      const text = raw.trim();
      const s = /^[A-Za-z_@][A-Za-z0-9_[\]-]*$/.test(text) ? findSection(pkg, text, 'exemption') : undefined;
      const ref = s ? exemptionSections.find((e) => e.section === s) : undefined;
      if (ref) {
        if (seen.has(ref)) return; // a loop; validation reported it
        out.push(...sectionEntries(ref, new Set([...seen, ref])));
        return;
      }
      out.push({ text, source: sourceOf(file, c, option, locs[i]), via });
    });
    return out;
  };
  const sectionEntries = (c: CheckedSection, seen: Set<CheckedSection>): ExemptionEntry[] => {
    const cached = expanded.get(c);
    if (cached) return cached;
    const o = c.options.get('exemption');
    const entries = o ? expand(c, o.raw, o.locs, o.writtenAs, c.section.name, seen) : [];
    if (seen.size <= 1) expanded.set(c, entries);
    return entries;
  };
  const exemptions = new Map<string, readonly ExemptionEntry[]>();
  for (const e of exemptionSections) exemptions.set(e.section.name, sectionEntries(e, new Set([e])));
  const globalExemptions = exemptions.get(GLOBAL_EXEMPTION_SECTION) ?? [];

  const actions: ActionConfig[] = [];
  const ignoredActions: string[] = [];
  of('action').forEach((a, order) => {
    const v = new Values(tableOf('action'), a);
    const crit = a.options.get('criteria');
    const tgt = a.options.get('target');
    if (!crit || crit.raw.length === 0 || !tgt || tgt.raw.length === 0) {
      ignoredActions.push(a.ref);
      return;
    }
    const criteria: CriterionConfig[] = crit.raw.map((text, i) => {
      const source = sourceOf(file, a, crit.writtenAs, crit.locs[i]);
      return isCriteriaPath(text) ? { kind: 'file', path: text.trim(), source } : { kind: 'expression', text, source };
    });
    const targetNames = tgt.raw.map((r) => findSection(pkg, r.trim(), 'target')?.name ?? r.trim());
    const ex = a.options.get('exemption');
    const actionExemptions = ex ? expand(a, ex.raw, ex.locs, ex.writtenAs, null, new Set()) : [];
    actions.push({
      name: a.ref,
      enabled: v.bool('enabled', true),
      criteria,
      targets: targetNames,
      exemptions: actionExemptions,
      interface: v.str('interface', '*'),
      priority: v.num('priority', 0),
      haltOnMatch: v.bool('halt_on_match', false),
      timeOfDay: v.all('time_of_day') as readonly TimeWindowSpec[],
      reprocessFlows: v.boolOrNull('reprocess_flows') ?? globals.reprocessFlows,
      order,
      source: sourceOf(file, a, null),
    });
  });
  actions.sort((x, y) => x.priority - y.priority || x.order - y.order);

  return {
    globals,
    actions,
    targets,
    exemptions,
    globalExemptions,
    targetDefaults,
    targetGlobals: buildTargetGlobals(of('target_global')),
    ignoredActions,
  };
}
