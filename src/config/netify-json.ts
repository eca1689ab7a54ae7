/**
 * Netify Flow Actions JSON (netify-proc-flow-actions.json) → the same UCI model flowsieve
 * reads from /etc/config/flowsieve, so `flowsieve import netify.json` prints an equivalent
 * UCI file. The mapping is the one the reference's own UCI sample shows:
 *
 *   "timezone", "reprocess_flows"        → config globals: option timezone / reprocess_flows
 *   "exemptions": [...]                  → config exemption 'global': list exemption …
 *   "actions": {name: {...}}             → config action 'name' (targets → list target,
 *                                          exemptions → list exemption, time_of_day objects
 *                                          → list time_of_day 'mon,tue 09:00-17:00 inclusive')
 *   "targets": {name: {...}}             → config target 'name'
 *   "target_defaults": {type: {...}}     → config target_default 'type'
 *   "target_globals": {type: {...}}      → config target_global 'type'
 *
 * Booleans become '1'/'0', arrays become lists. Names UCI cannot hold ('ipset.high') are
 * rewritten with '_' ('ipset_high'), references included, with a warning. A top-level key
 * holding objects of objects that is not known (the reference's own `target_defauts` typo)
 * is carried over as a section type, so the validator names it and suggests the fix.
 *
 * The converted package is checked like any UCI file; diagnostics point into the JSON file.
 */
import { parseLenientJson, type JsonLocation, type JsonNode, type JsonMember } from './lenient-json.js';
import { isUciName, type UciLocation, type UciOption, type UciPackage, type UciSection } from './uci-parse.js';
import { writeUci } from './uci-write.js';
import { validateConfig, type ConfigDiagnostic } from './validate.js';
import { didYouMean } from '../util/suggest.js';

export type NetifyImportResult =
  | {
      readonly ok: true;
      readonly uciText: string;
      readonly package: UciPackage;
      /** Conversion warnings and the converted configuration's warnings. */
      readonly warnings: readonly ConfigDiagnostic[];
      /** Errors `flowsieve check` would report in the converted configuration. */
      readonly problems: readonly ConfigDiagnostic[];
    }
  | { readonly ok: false; readonly errors: readonly ConfigDiagnostic[]; readonly warnings: readonly ConfigDiagnostic[] };

const TOP_KEYS = ['version', 'reprocess_flows', 'timezone', 'exemptions', 'actions', 'targets', 'target_defaults', 'target_globals'];
const TOD_KEYS = ['day', 'time_start', 'time_end', 'policy'];
const ACTION_KEYS = ['enabled', 'criteria', 'targets', 'exemptions', 'interface', 'priority', 'halt_on_match', 'time_of_day'];

/** JSON property → UCI option name, where the UCI sample spells it differently. */
const ACTION_RENAMES: Readonly<Record<string, string>> = { targets: 'target', exemptions: 'exemption' };
const TARGET_RENAMES: Readonly<Record<string, string>> = { labels: 'label' };

interface MutSection {
  type: string;
  name: string;
  anonymous: boolean;
  options: UciOption[];
  loc: UciLocation;
}

class Converter {
  readonly warnings: ConfigDiagnostic[] = [];
  /** Problems the converted file would hide (it converts anyway, so all are reported). */
  readonly errors: ConfigDiagnostic[] = [];
  readonly sections: MutSection[] = [];
  /** JSON name → UCI name, per kind of section (targets are referenced by actions). */
  private readonly names = new Map<string, Map<string, string>>();
  private readonly used = new Set<string>();

  constructor(private readonly file: string) {}

  warn(loc: JsonLocation, message: string, section: string | null = null, option: string | null = null): void {
    this.warnings.push({ severity: 'warning', file: this.file, line: loc.line, column: loc.column, section, option, message });
  }

  error(loc: JsonLocation, message: string): void {
    this.errors.push({ severity: 'error', file: this.file, line: loc.line, column: loc.column, section: null, option: null, message });
  }

  /** A UCI name for a JSON name: invalid characters become '_', clashes get a number. */
  uciName(kind: string, jsonName: string, loc: JsonLocation | null): string {
    let perKind = this.names.get(kind);
    if (!perKind) this.names.set(kind, (perKind = new Map()));
    const known = perKind.get(jsonName);
    if (known !== undefined) return known;
    let base = jsonName.replace(/[^A-Za-z0-9_]/g, '_');
    if (base === '') base = kind;
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    perKind.set(jsonName, name);
    if (name !== jsonName && loc) {
      this.warn(loc, `${kind} '${jsonName}' is named '${name}' in UCI (names there are letters, digits and '_')`);
    }
    return name;
  }

  /** Reserve the names of every section of a kind before any reference is resolved. */
  reserveNames(kind: string, node: JsonNode): void {
    if (node.kind !== 'object') return;
    for (const m of node.members) this.uciName(kind, m.key, m.keyLoc);
  }

  /** A reference to a section of `kind` (its UCI name; unknown names are cleaned the same way). */
  ref(kind: string, jsonName: string): string {
    const known = this.names.get(kind)?.get(jsonName);
    if (known !== undefined) return known;
    return isUciName(jsonName) ? jsonName : jsonName.replace(/[^A-Za-z0-9_]/g, '_');
  }

  section(type: string, name: string, loc: JsonLocation): MutSection {
    const s: MutSection = { type, name, anonymous: false, options: [], loc };
    this.sections.push(s);
    return s;
  }

  /** Scalar → UCI text, or null (with a warning) when it has no UCI form. */
  scalar(n: JsonNode, where: string): string | null {
    switch (n.kind) {
      case 'string':
        return n.value;
      case 'number':
        return n.text;
      case 'bool':
        return n.value ? '1' : '0';
      case 'null':
        return null;
      default:
        this.warn(n.loc, `${where}: ${n.kind === 'object' ? 'an object' : 'a nested array'} has no UCI form; ignored`);
        return null;
    }
  }

  /** Add a JSON property as a UCI option or list. */
  addOption(s: MutSection, key: string, keyLoc: JsonLocation, value: JsonNode, rename: Readonly<Record<string, string>>): void {
    const name = rename[key] ?? key;
    const where = `${s.type} '${s.name}' "${key}"`;
    if (!isUciName(name)) {
      this.warn(keyLoc, `property "${key}" cannot be a UCI option name (letters, digits and '_' only); ignored`, s.name);
      return;
    }
    if (value.kind === 'array') {
      const items: string[] = [];
      const locs: UciLocation[] = [];
      for (const it of value.items) {
        const v = this.scalar(it, where);
        if (v === null) continue;
        items.push(v);
        locs.push(it.loc);
      }
      if (items.length === 0) return;
      this.put(s, { name, value: items, loc: locs[0]!, itemLocs: locs });
      return;
    }
    const v = this.scalar(value, where);
    if (v === null) return;
    if (v === '') {
      this.warn(value.loc, `${where} is empty; UCI cannot hold an empty option, left out`, s.name, name);
      return;
    }
    this.put(s, { name, value: v, loc: value.loc });
  }

  /** Store an option; a second spelling of a list option (`target` and `targets`) appends. */
  put(s: MutSection, o: UciOption): void {
    const i = s.options.findIndex((x) => x.name === o.name);
    if (i < 0) {
      s.options.push(o);
      return;
    }
    const prev = s.options[i]!;
    if (typeof prev.value !== 'string' && typeof o.value !== 'string') {
      s.options[i] = {
        name: o.name,
        value: [...prev.value, ...o.value],
        loc: prev.loc,
        itemLocs: [...(prev.itemLocs ?? []), ...(o.itemLocs ?? [])],
      };
    } else {
      s.options[i] = o;
    }
  }

  /** A time_of_day window object → the UCI text form. */
  windowText(n: JsonNode, where: string): string | null {
    if (n.kind === 'string') return n.value;
    if (n.kind !== 'object') {
      this.warn(n.loc, `${where}: expected a window object {day, time_start, time_end, policy}; ignored`);
      return null;
    }
    const get = (k: string): JsonNode | undefined => n.members.find((m) => m.key === k)?.value;
    for (const m of n.members) {
      // An error, not a warning: a misspelt `time_stop` would otherwise widen the window.
      if (!TOD_KEYS.includes(m.key)) this.error(m.keyLoc, `${where}: unknown property "${m.key}"${didYouMean(m.key, TOD_KEYS)}; expected ${TOD_KEYS.join(', ')}`);
    }
    const parts: string[] = [];
    const day = get('day');
    if (day && day.kind === 'array' && day.items.length === 0) {
      this.error(day.loc, `${where}.day: empty list of days; leave "day" out to mean every day`);
    } else if (day && day.kind === 'array') {
      const days = day.items.map((d) => (d.kind === 'string' ? d.value.trim() : `${this.scalar(d, where) ?? ''}`));
      if (days.length) parts.push(days.join(','));
    } else if (day && day.kind === 'string') {
      parts.push(day.value.split(',').map((d) => d.trim()).join(','));
    } else if (day && day.kind !== 'null') {
      this.warn(day.loc, `${where}.day: expected an array of days; ignored`);
    }
    const start = get('time_start');
    const end = get('time_end');
    if (start || end) {
      const s = start?.kind === 'string' ? start.value.trim() : '00:00';
      const e = end?.kind === 'string' ? end.value.trim() : '24:00';
      parts.push(`${s}-${e}`);
    }
    const policy = get('policy');
    if (policy?.kind === 'string') parts.push(policy.value.trim());
    return parts.length ? parts.join(' ') : '*';
  }

  action(m: JsonMember): void {
    const name = this.uciName('action', m.key, m.keyLoc);
    const s = this.section('action', name, m.keyLoc);
    if (m.value.kind !== 'object') {
      this.warn(m.value.loc, `action "${m.key}": expected an object`, name);
      return;
    }
    for (const p of m.value.members) {
      if (p.key === 'targets' || p.key === 'target') {
        this.addOption(s, p.key, p.keyLoc, this.mapRefs(p.value, 'target'), ACTION_RENAMES);
      } else if (p.key === 'time_of_day') {
        const windows = p.value.kind === 'array' ? p.value.items : [p.value];
        const texts: string[] = [];
        const locs: UciLocation[] = [];
        windows.forEach((w, i) => {
          const t = this.windowText(w, `action "${m.key}" time_of_day[${i}]`);
          if (t !== null) {
            texts.push(t);
            locs.push(w.loc);
          }
        });
        if (texts.length) this.put(s, { name: 'time_of_day', value: texts, loc: locs[0]!, itemLocs: locs });
      } else {
        this.addOption(s, p.key, p.keyLoc, p.value, ACTION_RENAMES);
      }
    }
  }

  /** Rewrite target names inside a string or array to their UCI names. */
  private mapRefs(n: JsonNode, kind: string): JsonNode {
    if (n.kind === 'string') return { ...n, value: this.ref(kind, n.value) };
    if (n.kind === 'array') return { ...n, items: n.items.map((i) => (i.kind === 'string' ? { ...i, value: this.ref(kind, i.value) } : i)) };
    return n;
  }

  /** Object of objects → sections of one type. */
  sectionsOf(type: string, kind: string, node: JsonNode, rename: Readonly<Record<string, string>>, topKey: string): void {
    if (node.kind !== 'object') {
      this.warn(node.loc, `"${topKey}": expected an object of named ${kind}s; ignored`);
      return;
    }
    const byType = type === 'target_default' || type === 'target_global';
    for (const m of node.members) {
      // Ignored (unknown) section types keep quiet about renames.
      const name = this.uciName(kind, m.key, byType || type === 'target' ? m.keyLoc : null);
      const s = this.section(type, name, m.keyLoc);
      if (m.value.kind !== 'object') {
        this.warn(m.value.loc, `"${topKey}" "${m.key}": expected an object; ignored`, name);
        continue;
      }
      // A default/global section is named after its target type; when UCI's one namespace
      // forced another name, the type goes into target_type.
      if (byType && name !== m.key && !m.value.members.some((p) => p.key === 'target_type')) {
        this.put(s, { name: 'target_type', value: m.key, loc: m.keyLoc });
      }
      for (const p of m.value.members) this.addOption(s, p.key, p.keyLoc, p.value, rename);
    }
  }

  convert(root: JsonNode): void {
    if (root.kind !== 'object') {
      throw new ConvertError(root.loc, 'expected a JSON object at the top (a Netify Flow Actions configuration)');
    }
    const get = (k: string): JsonMember | undefined => root.members.find((m) => m.key === k);
    // Names first, so references resolve whatever the order of the keys ('global' is the
    // exemption section every action uses, so it keeps that name).
    const ex = get('exemptions');
    const globalName = ex ? this.uciName('exemption', 'global', null) : '';
    const targets = get('targets');
    if (targets) this.reserveNames('target', targets.value);
    const actionsNode = get('actions');
    if (actionsNode) this.reserveNames('action', actionsNode.value);

    const version = get('version');
    if (version && !(version.value.kind === 'number' && version.value.value === 1)) {
      this.warn(version.value.loc, 'version: flowsieve reads version 1 of the format; converting anyway');
    }

    const globalKeys = ['timezone', 'reprocess_flows'].map(get).filter((m): m is JsonMember => m !== undefined);
    if (globalKeys.length) {
      const g = this.section('globals', 'globals', globalKeys[0]!.keyLoc);
      for (const m of globalKeys) this.addOption(g, m.key, m.keyLoc, m.value, {});
    }
    if (targets) this.sectionsOf('target', 'target', targets.value, TARGET_RENAMES, 'targets');
    const defaults = get('target_defaults');
    if (defaults) this.sectionsOf('target_default', 'target_default', defaults.value, TARGET_RENAMES, 'target_defaults');
    const globals = get('target_globals');
    if (globals) this.sectionsOf('target_global', 'target_global', globals.value, {}, 'target_globals');
    if (actionsNode) {
      if (actionsNode.value.kind === 'object') for (const m of actionsNode.value.members) this.action(m);
      else this.warn(actionsNode.value.loc, '"actions": expected an object of named actions; ignored');
    }
    if (ex) {
      const s = this.section('exemption', globalName, ex.keyLoc);
      this.addOption(s, 'exemption', ex.keyLoc, ex.value, {});
    }
    for (const m of root.members) {
      if (TOP_KEYS.includes(m.key)) continue;
      const v = m.value;
      const isSections = v.kind === 'object' && v.members.length > 0 && v.members.every((x) => x.value.kind === 'object');
      if (isSections && isUciName(m.key)) {
        // Carried over: the validator reports the unknown section type and suggests the fix.
        this.sectionsOf(m.key, m.key, v, {}, m.key);
      } else {
        const hint = ACTION_KEYS.includes(m.key) ? ' (an action property: it belongs inside "actions")' : didYouMean(m.key, TOP_KEYS);
        this.warn(m.keyLoc, `unknown key "${m.key}"${hint}; ignored`);
      }
    }
  }
}

class ConvertError {
  constructor(
    readonly loc: JsonLocation,
    readonly message: string,
  ) {}
}

/**
 * Convert Netify Flow Actions JSON to UCI. `ok` when the JSON could be read and converted;
 * `problems` lists what would still stop `flowsieve check` (e.g. a target that is not defined).
 * Never throws.
 */
export function netifyJsonToUci(text: string, file: string): NetifyImportResult {
  const parsed = parseLenientJson(text);
  const diag = (severity: 'error' | 'warning', m: { line: number; column: number; message: string }): ConfigDiagnostic => ({
    severity,
    file,
    line: m.line,
    column: m.column,
    section: null,
    option: null,
    message: m.message,
  });
  const jsonWarnings = parsed.warnings.map((w) => diag('warning', w));
  if (!parsed.ok) return { ok: false, errors: [diag('error', parsed.error)], warnings: jsonWarnings };
  const c = new Converter(file);
  try {
    c.convert(parsed.value);
  } catch (e) {
    const m = e instanceof ConvertError ? { ...e.loc, message: e.message } : { line: 1, column: 1, message: `internal conversion error: ${String(e)}` };
    return { ok: false, errors: [diag('error', m)], warnings: [...jsonWarnings, ...c.warnings] };
  }
  const pkg: UciPackage = { name: 'flowsieve', file, sections: c.sections as UciSection[] };
  const checked = validateConfig(pkg);
  const uciText = writeUci(pkg, {
    preamble: [`flowsieve configuration converted from ${file} (Netify Flow Actions JSON)`],
  });
  return {
    ok: true,
    uciText,
    package: pkg,
    warnings: [...jsonWarnings, ...c.warnings, ...checked.warnings],
    problems: [...c.errors, ...(checked.ok ? [] : checked.errors)],
  };
}
