/**
 * `flowsieve check`, `flowsieve explain` and `flowsieve import`: the policy seen from the
 * command line. `check` validates a configuration and prints the compiled policy;
 * `explain` replays a capture and shows, flow by flow, which actions match and which
 * targets would fire; `import` turns a Netify Flow Actions JSON file into UCI.
 */
import { printable } from '../util/printable.js';
import { defaultCatalogue } from '../catalogue/catalogue.js';
import { formatConfigDiagnostic, netifyJsonToUci, type TargetConfig } from '../config/index.js';
import type { ActionOutcome, SkipReason } from '../policy/actions.js';
import { explainCriteria } from '../policy/expr/index.js';
import { FIREWALL_CONFIG, fw4OffloadWarning } from '../live/fw4-offload.js';
import { DEFAULT_CONFIG_PATH, loadPolicy, type LoadedPolicy } from '../policy/load.js';
import { PolicyRunner, type Firing } from '../policy/runner.js';
import type { TrackedFlow } from '../pipeline/pipeline.js';
import type { FlowRecord } from '../record/flow-record.js';
import { errorText, type Runtime } from '../runtime/types.js';
import { UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { replayFile } from './replay.js';

export const CHECK_OPTIONS: readonly OptionSpec[] = [
  { name: 'config', short: 'c', kind: 'string', help: `configuration file (default ${DEFAULT_CONFIG_PATH})` },
];

export const EXPLAIN_OPTIONS: readonly OptionSpec[] = [
  ...CHECK_OPTIONS,
  { name: 'interface', short: 'i', kind: 'string', help: 'interface the capture was taken on (for interface/role filters)' },
  { name: 'all', short: 'a', kind: 'flag', help: 'also list flows no action matched, and why each action was skipped' },
];

export const IMPORT_OPTIONS: readonly OptionSpec[] = [];

/**
 * A diagnostic with its severity: those with a place already carry it, compiler-style
 * (`file:12:20: error: …`, or `file: error: …` for a file as a whole); the others get it
 * in front.
 */
function labelled(severity: 'error' | 'warning', text: string): string {
  return printable(/^[^\s]*?(:\d+:\d+)?: (error|warning): /.test(text) ? text : `${severity}: ${text}`);
}

/** The configuration to use: `--config PATH`, or for `check` the path as its argument (as users type it). */
function configPath(args: ParsedArgs, takesPath: boolean): string {
  const option = args.options['config'] as string | undefined;
  const given = takesPath ? args.positional[0] : undefined;
  if (option !== undefined && given !== undefined && option !== given) {
    throw new UsageError(`two configurations given: --config ${option} and ${given}`);
  }
  return given ?? option ?? DEFAULT_CONFIG_PATH;
}

async function load(rt: Runtime, args: ParsedArgs, takesPath = false): Promise<{ loaded: LoadedPolicy; path: string } | null> {
  const path = configPath(args, takesPath);
  const r = await loadPolicy(rt, path);
  for (const w of r.warnings) rt.stderr(`${labelled('warning', w)}\n`);
  if (!r.ok) {
    for (const e of r.errors) rt.stderr(`${labelled('error', e)}\n`);
    rt.stderr(`flowsieve: ${path}: ${r.errors.length} error(s), ${r.warnings.length} warning(s)\n`);
    return null;
  }
  return { loaded: r.loaded, path };
}

function describeTarget(t: TargetConfig | undefined, name: string): string {
  if (!t) return `${name} (not defined)`;
  const off = t.enabled ? '' : ' [disabled]';
  switch (t.type) {
    case 'ipset':
      return `${name}: ipset ${t.setName} (${t.ipsetType}, family ${t.setFamily}, ttl ${t.ttl}s)${off}`;
    case 'nftset':
      return `${name}: nftset ${t.tableFamily} ${t.tableName} ${t.setName} (${t.fields.join(' . ')}, ttl ${t.ttl}s)${off}`;
    case 'ctlabel':
      return `${name}: ctlabel ${t.labels.join(', ') || '(auto)'}${off}`;
    case 'ctmark':
      return `${name}: ctmark 0x${t.mark.toString(16)}/0x${t.mask.toString(16)}${off}`;
    case 'pftable':
      return `${name}: pftable ${t.tableName}${off}`;
    case 'log':
      return `${name}: log ${t.path}/${t.prefix ?? ''}*${t.suffix}${off}`;
    case 'sink':
      return `${name}: sink ${t.endpoint}${t.channel ? ' channel ' + t.channel : ''}${off}`;
    case 'ipfix':
      return `${name}: ipfix ${t.transport} ${t.collector}${off}`;
  }
}

export async function runCheck(rt: Runtime, args: ParsedArgs): Promise<number> {
  const r = await load(rt, args, true);
  if (!r) return 1;
  const { config, policy, zone, criteria } = r.loaded;
  const g = config.globals;
  const out: string[] = [];
  out.push(`${r.path}: ok`);
  const firewall = await rt.readTextFile(FIREWALL_CONFIG).catch(() => null);
  const offload = firewall === null ? null : fw4OffloadWarning(firewall);
  if (offload) rt.stderr(`warning: ${offload}\n`);
  out.push(
    `globals: ${g.enabled ? 'enabled' : 'disabled'}, queue ${g.queue.first}${g.queue.last !== g.queue.first ? '-' + g.queue.last : ''}` +
      `${g.failOpen ? ' (fail-open)' : ''}, packet cap ${g.packetCap}, max flows ${g.maxFlows}, ` +
      `lan [${g.lan.join(' ')}], wan [${g.wan.join(' ') || 'all others'}], time zone ${zone.name}`,
  );
  if (policy.globalExemptions.entries.length) out.push(`global exemptions: ${policy.globalExemptions.entries.join(' | ')}`);
  out.push(`actions in evaluation order (${policy.actions.length}):`);
  policy.actions.forEach((a, i) => {
    const s = a.spec;
    const flags = [
      `priority ${s.priority}`,
      `interface ${s.interface}`,
      s.enabled ? null : 'disabled',
      s.haltOnMatch ? 'halt_on_match' : null,
    ].filter(Boolean);
    out.push(`  ${i + 1}. ${s.name} (${flags.join(', ')})`);
    for (const c of criteria.get(s.name) ?? []) {
      const e = explainCriteria(c);
      out.push(`       criteria   ${e.ok ? e.statements.join(' ; ') : c}`);
    }
    if (s.exemptions.length) out.push(`       exemptions ${s.exemptions.join(' | ')}`);
    if (s.window) out.push(`       time       ${s.window.describe()}`);
    for (const t of s.targets) out.push(`       target     ${describeTarget(config.targets.get(t), t)}`);
  });
  if (config.ignoredActions.length) out.push(`ignored actions (no criteria or targets): ${config.ignoredActions.join(', ')}`);
  rt.stdout(out.join('\n') + '\n');
  return 0;
}

const SKIP_TEXT: { readonly [k in SkipReason]: string } = {
  disabled: 'disabled',
  interface: 'interface does not match',
  time: 'outside its time of day',
  'global-exemption': 'globally exempt',
  exemption: 'exempt',
  'no-match': 'criteria do not match',
  halted: 'halted by an earlier action',
};

function flowLine(r: FlowRecord): string {
  const app = r.detected_application_name ? `/${r.detected_application_name}` : '';
  const host = r.host_server_name ? ` ${r.host_server_name}` : '';
  const cat = r.category.application ? ` [${r.category.application}]` : '';
  const ep = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
  return `${ep(r.local_ip, r.local_port)} -> ${ep(r.other_ip, r.other_port)} ${r.detected_protocol_name}${app}${host}${cat}`;
}

export async function runExplain(rt: Runtime, args: ParsedArgs): Promise<number> {
  const r = await load(rt, args);
  if (!r) return 1;
  const path = args.positional[0]!;
  const iface = (args.options['interface'] as string | undefined) ?? null;
  const all = args.options['all'] === true;
  const { policy, roles } = r.loaded;
  let flows = 0;
  let matched = 0;
  const fired = new Map<string, number>();
  // Firings as the daemon would perform them: at classification and on metadata updates.
  const firings = new Map<TrackedFlow, Firing[]>();
  const runner = new PolicyRunner(policy, {
    catalogue: defaultCatalogue,
    interfaceName: iface,
    // Time-of-day windows are judged at the packet time of the capture.
    context: (flow) => ({ now: flow.lastSeen, roles }),
    fire: (f) => {
      firings.set(f.flow, [...(firings.get(f.flow) ?? []), f]);
      for (const t of f.action.spec.targets) fired.set(t, (fired.get(t) ?? 0) + 1);
    },
  });
  let ending: TrackedFlow | null = null;
  const show = (rec: FlowRecord) => {
    flows++;
    const record: FlowRecord = { ...rec, interface: iface };
    const mine = (ending && firings.get(ending)) ?? [];
    // The flow has ended: its firings are shown now and not kept.
    if (ending) firings.delete(ending);
    if (mine.length) matched++;
    if (!mine.length && !all) return;
    const lines = [flowLine(record)];
    for (const f of mine) {
      const when = f.reason === 'classified' ? `at classification (packet ${f.record.detection_packets})` : 'on a metadata update';
      lines.push(`  fire   ${f.action.spec.name} -> ${f.action.spec.targets.join(', ')}  ${when}`);
    }
    if (all) {
      // The final state, action by action, with the reason each one was skipped.
      const outcomes: ActionOutcome[] = policy.explain(record, { now: record.last_seen_at, roles });
      for (const o of outcomes) if (!o.matched) lines.push(`  skip   ${o.action}: ${SKIP_TEXT[o.skipped!]}`);
    }
    if (!mine.length) lines.push('  no action fired');
    rt.stdout(lines.join('\n') + '\n');
  };
  const result = await replayFile(rt, path, {
    catalogue: defaultCatalogue,
    onRecord: show,
    events: { ...runner.events(), ended: (flow) => (ending = flow) },
  });
  const targets = [...fired.entries()].map(([t, n]) => `${t} x${n}`).join(', ');
  rt.stdout(`${flows} flows, ${matched} fired at least one action${targets ? `; target calls: ${targets}` : ''}\n`);
  if (result.captureError) rt.stderr(`flowsieve: explain: '${path}': ${result.captureError}\n`);
  return 0;
}

export async function runImport(rt: Runtime, args: ParsedArgs): Promise<number> {
  const path = args.positional[0]!;
  let text: string;
  try {
    text = await rt.readTextFile(path);
  } catch (e) {
    throw new UsageError(`cannot read '${path}': ${errorText(e)}`);
  }
  const r = netifyJsonToUci(text, path);
  for (const w of r.warnings) rt.stderr(`${formatConfigDiagnostic(w)}\n`);
  if (!r.ok) {
    for (const e of r.errors) rt.stderr(`${formatConfigDiagnostic(e)}\n`);
    return 1;
  }
  // A converted file with errors is never printed: `import x.json > /etc/config/flowsieve`
  // must not install a configuration the daemon would refuse.
  if (r.problems.length) {
    for (const p of r.problems) rt.stderr(`${formatConfigDiagnostic(p)}\n`);
    rt.stderr(`flowsieve: ${path}: ${r.problems.length} error(s) in the converted configuration; nothing written\n`);
    return 1;
  }
  rt.stdout(r.uciText);
  return 0;
}
