/**
 * Configuration file → compiled policy, with the file system reached only through the
 * injected `PolicyIo` (the runtime): reads the UCI file, the criteria files it names, the
 * address groups file and the time zone, then compiles actions and exemptions.
 *
 * Every problem comes back as one line naming where it is (file:line:column, section,
 * option; or the action and the criteria file). Never throws: a caller reloading a running
 * daemon keeps its last good policy when this fails.
 */
import type { ActionConfig, ExemptionEntry, PolicyConfig } from '../config/policy-config.js';
import { formatConfigDiagnostic, isCriteriaPath, loadConfig, type ValidatedConfig } from '../config/index.js';
import { errorText } from '../runtime/types.js';
import { compilePolicy, type ActionSpec, type ActiveWindow, type CompiledPolicy, type InterfaceRole, type PolicyMessage } from './actions.js';
import { compileCriteria, parseGroupsFile, type AddressGroups } from './expr/index.js';
import { placedMessage, readCriteriaPath, valueOrigin, type Origin, type PolicyIo } from './expression-origin.js';
import { formatSchedule, isActive, nextChange, scheduleOf } from './time-of-day.js';
import { parsePosixTz } from './posix-tz.js';
import { parseTzif } from './tzif.js';
import { looksLikePosixTz, UTC_ZONE, zoneinfoPath, type TimeZone } from './zone.js';

export type { PolicyIo } from './expression-origin.js';

export const DEFAULT_CONFIG_PATH = '/etc/config/flowsieve';

/** Netify's path variables in criteria file names, and where they point on OpenWrt. */
export const PATH_VARIABLES: { readonly [name: string]: string } = {
  path_state_persistent: '/etc/flowsieve',
  path_state_volatile: '/var/run/flowsieve',
};

export interface LoadedPolicy {
  readonly config: PolicyConfig;
  readonly policy: CompiledPolicy;
  readonly zone: TimeZone;
  /** Roles of the interfaces named in `globals` (lan/wan lists). */
  readonly roles: ReadonlyMap<string, InterfaceRole>;
  /** Criteria as compiled, per action (files read and split), for `check`. */
  readonly criteria: ReadonlyMap<string, readonly string[]>;
}

export type PolicyLoadResult =
  | { readonly ok: true; readonly loaded: LoadedPolicy; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[]; readonly warnings: readonly string[] };

export interface LoadOptions {
  /** Where zoneinfo files live (tests point this at a fixture tree). */
  readonly zoneinfoRoot?: string;
  /** Variables for `${name}` in criteria paths; defaults to PATH_VARIABLES. */
  readonly variables?: { readonly [name: string]: string };
}

function expandVariables(path: string, vars: { readonly [name: string]: string }): { ok: true; path: string } | { ok: false; name: string } {
  let missing: string | null = null;
  const out = path.replace(/\$\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => {
    const v = vars[name];
    if (v === undefined) missing ??= name;
    return v ?? '';
  });
  return missing === null ? { ok: true, path: out } : { ok: false, name: missing };
}

/**
 * The policy's time zone: the `timezone` option (a zoneinfo name or a POSIX TZ string), or
 * the system's (/etc/TZ as OpenWrt keeps it, else /etc/localtime), else UTC.
 */
export async function loadZone(io: PolicyIo, timezone: string | null, root = '/usr/share/zoneinfo'): Promise<{ ok: true; zone: TimeZone } | { ok: false; error: string }> {
  if (timezone !== null) {
    // A POSIX TZ string (OpenWrt's system zone is one, e.g. 'CET-1CEST,M3.5.0,M10.5.0/3')
    // may hold '/' in its rules; a zoneinfo name holds one before any comma.
    if (looksLikePosixTz(timezone) && !timezone.split(',')[0]!.includes('/')) {
      const r = parsePosixTz(timezone, timezone);
      return r.ok ? r : { ok: false, error: `timezone '${timezone}': ${r.error}` };
    }
    const p = zoneinfoPath(timezone, root);
    if (!p.ok) return { ok: false, error: p.error };
    let bytes: Uint8Array;
    try {
      bytes = await io.readFile(p.path);
    } catch (e) {
      return { ok: false, error: `timezone '${timezone}': cannot read ${p.path}: ${errorText(e)} (is the zoneinfo package installed?)` };
    }
    const z = parseTzif(bytes, timezone);
    return z.ok ? z : { ok: false, error: `timezone '${timezone}': ${z.error}` };
  }
  if ((await io.stat('/etc/TZ'))?.isFile) {
    const text = (await io.readTextFile('/etc/TZ')).trim();
    const r = parsePosixTz(text, text);
    if (r.ok) return r;
  }
  if ((await io.stat('/etc/localtime'))?.isFile) {
    const z = parseTzif(await io.readFile('/etc/localtime'), 'localtime');
    if (z.ok) return z;
  }
  return { ok: true, zone: UTC_ZONE };
}

export async function loadPolicy(io: PolicyIo, configPath: string, opts: LoadOptions = {}): Promise<PolicyLoadResult> {
  const warnings: string[] = [];
  const errors: string[] = [];
  let text: string;
  try {
    text = await io.readTextFile(configPath);
  } catch (e) {
    return { ok: false, errors: [`${configPath}: error: cannot read: ${errorText(e)}`], warnings };
  }
  const loaded = loadConfig(text, configPath);
  for (const w of loaded.warnings) warnings.push(formatConfigDiagnostic(w));
  if (!loaded.ok) {
    errors.push(...loaded.errors.map(formatConfigDiagnostic));
    // The inline expressions of what did validate are checked too: one run shows every problem.
    if (loaded.checked) errors.push(...(await inlineExpressionErrors(io, loaded.checked, text)));
    return { ok: false, errors, warnings };
  }
  const config = loaded.config;

  const zoneResult = await loadZone(io, config.globals.timezone, opts.zoneinfoRoot);
  if (!zoneResult.ok) errors.push(`${configPath}: error: globals: ${zoneResult.error}`);
  const zone = zoneResult.ok ? zoneResult.zone : UTC_ZONE;

  const groups = await loadGroups(io, configPath, config.globals.groupsFile, errors);

  const vars = opts.variables ?? PATH_VARIABLES;
  const criteria = new Map<string, readonly string[]>();
  /** Where each action's criteria entries came from, in the order compiled. */
  const origins = new Map<string, Origin[]>();
  const specs: ActionSpec[] = [];
  for (const a of config.actions) {
    const of = `criteria of action '${a.name}'`;
    const list: string[] = [];
    const from: Origin[] = [];
    for (const c of a.criteria) {
      if (c.kind === 'expression') {
        list.push(c.text);
        from.push(valueOrigin(text, c.source, `section '${a.source.section}' option '${c.source.option ?? 'criteria'}'`));
        continue;
      }
      const expanded = expandVariables(c.path, vars);
      if (!expanded.ok) {
        const o = valueOrigin(text, c.source, `section '${a.source.section}' option '${c.source.option ?? 'criteria'}'`);
        errors.push(`${o.file}:${o.line}:${o.column}: error: ${o.what}: unknown variable \${${expanded.name}} in '${c.path}'`);
        continue;
      }
      try {
        const lines = await readCriteriaPath(io, expanded.path, of);
        if (lines.length === 0) warnings.push(`${expanded.path}: warning: ${of}: holds no expressions`);
        for (const l of lines) {
          list.push(l.text);
          from.push(l.origin);
        }
      } catch (e) {
        // A disabled action's missing file is only worth a warning.
        if (a.enabled) errors.push(`${expanded.path}: error: ${of}: cannot read: ${errorText(e)}`);
        else warnings.push(`${expanded.path}: warning: ${of} (a disabled action): cannot read: ${errorText(e)}`);
      }
    }
    criteria.set(a.name, list);
    origins.set(a.name, from);
    const window = windowFor(a, zone);
    specs.push(actionSpec(a, list, window));
  }

  const compiled = compilePolicy(
    { actions: specs, globalExemptions: config.globalExemptions.map((e) => e.text) },
    { groups },
  );
  /** A compiler message at the place its expression was written, else under the file's name. */
  const place = (m: PolicyMessage, severity: 'error' | 'warning'): string => {
    const d = m.expr?.diagnostic;
    if (m.expr && d) {
      const action = /^action '(.*)'/.exec(m.where)?.[1];
      const a = action === undefined ? undefined : config.actions.find((x) => x.name === action);
      const origin: Origin | undefined =
        m.expr.part === 'criteria'
          ? origins.get(action ?? '')?.[d.index]
          : exemptionOrigin(text, (a ? a.exemptions : config.globalExemptions)[d.index]);
      if (origin) return placedMessage(origin, severity, d);
    }
    return `${configPath}: ${severity}: ${m.where}: ${m.message}`;
  };
  for (const w of compiled.warnings) warnings.push(place(w, 'warning'));
  if (!compiled.ok) for (const e of compiled.errors) errors.push(place(e, 'error'));
  if (errors.length || !compiled.ok) return { ok: false, errors, warnings };

  const roles = new Map<string, InterfaceRole>();
  for (const i of config.globals.lan) roles.set(i, 'lan');
  for (const i of config.globals.wan) roles.set(i, 'wan');
  return { ok: true, loaded: { config, policy: compiled.policy, zone, roles, criteria }, warnings };
}

function exemptionOrigin(text: string, e: ExemptionEntry | undefined): Origin | undefined {
  if (!e) return undefined;
  return valueOrigin(text, e.source, `section '${e.source.section}' option '${e.source.option ?? 'exemption'}'`);
}

/** The address groups file named in globals, or null (problems reported in `errors`). */
async function loadGroups(io: PolicyIo, configPath: string, path: string | null, errors: string[]): Promise<AddressGroups | null> {
  if (!path) return null;
  try {
    const g = parseGroupsFile(await io.readTextFile(path));
    if (g.ok) return g.groups;
    for (const e of g.errors) errors.push(`${path}:${e.line}:${e.column}: error: ${e.message}`);
  } catch (e) {
    errors.push(`${path}: error: groups_file of ${configPath}: cannot read: ${errorText(e)}`);
  }
  return null;
}

/**
 * Errors in the inline criteria of a configuration that did not validate (an action with a
 * wrong option still gets its expressions checked). Criteria files are not read here.
 */
async function inlineExpressionErrors(io: PolicyIo, checked: ValidatedConfig, text: string): Promise<string[]> {
  const out: string[] = [];
  const globals = checked.sections.find((c) => c.spec.type === 'globals');
  const groupsFile = globals?.options.get('groups_file')?.values[0];
  const groups = await loadGroups(io, checked.package.file, typeof groupsFile === 'string' ? groupsFile : null, []);
  for (const c of checked.sections) {
    if (c.spec.type !== 'action') continue;
    const o = c.options.get('criteria');
    if (!o) continue;
    o.raw.forEach((entry, i) => {
      if (isCriteriaPath(entry)) return;
      const loc = o.locs[i] ?? c.section.loc;
      const source = { file: checked.package.file, line: loc.line, column: loc.column, section: c.ref, option: o.writtenAs };
      const origin = valueOrigin(text, source, `section '${c.ref}' option '${o.writtenAs}'`);
      const r = compileCriteria(entry, { groups });
      if (!r.ok) for (const d of r.errors) out.push(placedMessage(origin, 'error', d));
    });
  }
  return out;
}

/** The configured action as the policy compiler takes it. */
function actionSpec(a: ActionConfig, criteria: readonly string[], window: ActiveWindow | null): ActionSpec {
  const { name, enabled, targets, interface: iface, priority, haltOnMatch } = a;
  return {
    name,
    enabled,
    targets,
    interface: iface,
    priority,
    haltOnMatch,
    criteria: criteria.length ? criteria : enabled ? [] : ['*'], // a disabled action is never evaluated
    exemptions: a.exemptions.map((e: ExemptionEntry) => e.text),
    window,
  };
}

function windowFor(a: ActionConfig, zone: TimeZone): ActiveWindow | null {
  if (a.timeOfDay.length === 0) return null;
  const schedule = scheduleOf(a.timeOfDay);
  return {
    isActive: (utcMs) => isActive(schedule, utcMs, zone),
    nextChange: (utcMs) => nextChange(schedule, utcMs, zone),
    describe: () => `${formatSchedule(schedule).join('; ')} (${zone.name})`,
  };
}
