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
import { formatConfigDiagnostic, loadConfig } from '../config/index.js';
import type { Runtime } from '../runtime/types.js';
import { errorText } from '../runtime/types.js';
import { compilePolicy, type ActionSpec, type ActiveWindow, type CompiledPolicy, type InterfaceRole } from './actions.js';
import { parseGroupsFile, type AddressGroups } from './expr/index.js';
import { formatSchedule, isActive, scheduleOf } from './time-of-day.js';
import { parsePosixTz } from './posix-tz.js';
import { parseTzif } from './tzif.js';
import { looksLikePosixTz, UTC_ZONE, zoneinfoPath, type TimeZone } from './zone.js';

export type PolicyIo = Pick<Runtime, 'readFile' | 'readTextFile' | 'readDir' | 'stat'>;

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

/** Lines of a criteria file: one expression per line; blank lines and `#` comments skipped. */
export function criteriaLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** A criteria path names a file, or a directory whose files are read in name order. */
async function readCriteriaPath(io: PolicyIo, path: string): Promise<string[]> {
  const st = await io.stat(path);
  if (st === null) throw new Error('no such file or directory');
  if (!st.isDirectory) return criteriaLines(await io.readTextFile(path));
  const entries = (await io.readDir(path)).filter((e) => e.isFile && !e.name.startsWith('.')).map((e) => e.name).sort();
  const lines: string[] = [];
  for (const name of entries) lines.push(...criteriaLines(await io.readTextFile(`${path}/${name}`)));
  return lines;
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
    return { ok: false, errors: [`${configPath}: cannot read: ${errorText(e)}`], warnings };
  }
  const loaded = loadConfig(text, configPath);
  for (const w of loaded.warnings) warnings.push(formatConfigDiagnostic(w));
  if (!loaded.ok) return { ok: false, errors: loaded.errors.map(formatConfigDiagnostic), warnings };
  const config = loaded.config;

  const zoneResult = await loadZone(io, config.globals.timezone, opts.zoneinfoRoot);
  if (!zoneResult.ok) errors.push(`${configPath}: globals: ${zoneResult.error}`);
  const zone = zoneResult.ok ? zoneResult.zone : UTC_ZONE;

  let groups: AddressGroups | null = null;
  if (config.globals.groupsFile) {
    const path = config.globals.groupsFile;
    try {
      const g = parseGroupsFile(await io.readTextFile(path));
      if (g.ok) groups = g.groups;
      else for (const e of g.errors) errors.push(`${path}:${e.line}:${e.column}: ${e.message}`);
    } catch (e) {
      errors.push(`${configPath}: globals option 'groups_file': cannot read ${path}: ${errorText(e)}`);
    }
  }

  const vars = opts.variables ?? PATH_VARIABLES;
  const criteria = new Map<string, readonly string[]>();
  const specs: ActionSpec[] = [];
  for (const a of config.actions) {
    const where = `${a.source.file}: action '${a.name}'`;
    const list: string[] = [];
    for (const c of a.criteria) {
      if (c.kind === 'expression') {
        list.push(c.text);
        continue;
      }
      const expanded = expandVariables(c.path, vars);
      if (!expanded.ok) {
        errors.push(`${where} criteria '${c.path}': unknown variable \${${expanded.name}}`);
        continue;
      }
      try {
        const lines = await readCriteriaPath(io, expanded.path);
        if (lines.length === 0) warnings.push(`${where} criteria file ${expanded.path} holds no expressions`);
        list.push(...lines);
      } catch (e) {
        // A disabled action's missing file is only worth a warning.
        (a.enabled ? errors : warnings).push(`${where} criteria file ${expanded.path}: ${errorText(e)}`);
      }
    }
    criteria.set(a.name, list);
    const window = windowFor(a, zone);
    specs.push(actionSpec(a, list, window));
  }

  const compiled = compilePolicy(
    { actions: specs, globalExemptions: config.globalExemptions.map((e) => e.text) },
    { groups },
  );
  for (const w of compiled.warnings) warnings.push(`${configPath}: ${w.where}: ${w.message}`);
  if (!compiled.ok) for (const e of compiled.errors) errors.push(`${configPath}: ${e.where}: ${e.message}`);
  if (errors.length || !compiled.ok) return { ok: false, errors, warnings };

  const roles = new Map<string, InterfaceRole>();
  for (const i of config.globals.lan) roles.set(i, 'lan');
  for (const i of config.globals.wan) roles.set(i, 'wan');
  return { ok: true, loaded: { config, policy: compiled.policy, zone, roles, criteria }, warnings };
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
    describe: () => `${formatSchedule(schedule).join('; ')} (${zone.name})`,
  };
}
