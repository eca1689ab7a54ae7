/** `flowsieve run` (the daemon) and `flowsieve rules` (the firewall rules it needs). */
import { runDaemon } from '../live/daemon.js';
import { applyRules, removeRules } from '../live/rules-apply.js';
import { iptablesScript, nftRuleset, rulesSpec } from '../live/rules.js';
import { DEFAULT_CONFIG_PATH, loadPolicy } from '../policy/load.js';
import type { Runtime } from '../runtime/types.js';
import { attachUbus } from '../ubus/attach.js';
import { VERSION } from '../version.js';
import { DEFAULT_SOCKET } from '../ubus/client.js';
import { UsageError, type OptionSpec, type ParsedArgs } from './args.js';

const CONFIG_OPTION: OptionSpec = { name: 'config', short: 'c', kind: 'string', help: `configuration file (default ${DEFAULT_CONFIG_PATH})` };

export const RUN_OPTIONS: readonly OptionSpec[] = [
  CONFIG_OPTION,
  { name: 'records', kind: 'flag', help: 'print each ended flow as a JSON record on stdout (active ones too at exit)' },
  { name: 'no-rules', kind: 'flag', help: 'do not apply or remove firewall rules (the firewall includes `flowsieve rules`)' },
  { name: 'ubus', kind: 'string', help: `ubusd socket for the 'flowsieve' object (default ${DEFAULT_SOCKET}, used when it exists)` },
  { name: 'no-ubus', kind: 'flag', help: 'stay off the bus' },
];

export const RULES_OPTIONS: readonly OptionSpec[] = [
  CONFIG_OPTION,
  { name: 'format', short: 'f', kind: 'string', help: "'nft' (default) or 'iptables' (a shell script, for fw3)" },
  { name: 'apply', kind: 'flag', help: "apply the rules as the daemon does (nft, or iptables where the kernel lacks the nft queue)" },
  { name: 'remove', kind: 'flag', help: 'remove the rules flowsieve installed' },
];

export async function runRun(rt: Runtime, args: ParsedArgs): Promise<number> {
  const asked = args.options['ubus'] as string | undefined;
  const socketPath = asked ?? DEFAULT_SOCKET;
  // Without --ubus, a host with no ubusd (a test lab, a desktop) is not an error.
  const useUbus = args.options['no-ubus'] !== true && (asked !== undefined || (await rt.stat(socketPath)) !== null);
  return runDaemon(rt, {
    configPath: (args.options['config'] as string | undefined) ?? DEFAULT_CONFIG_PATH,
    records: args.options['records'] === true,
    applyRules: args.options['no-rules'] !== true,
    ...(useUbus ? { started: (state, log) => void attachUbus(state, log, { socketPath, version: VERSION, clock: () => rt.now() }) } : {}),
  });
}

export async function runRules(rt: Runtime, args: ParsedArgs): Promise<number> {
  const format = (args.options['format'] as string | undefined) ?? 'nft';
  if (format !== 'nft' && format !== 'iptables') throw new UsageError(`--format must be 'nft' or 'iptables', not '${format}'`);
  const path = (args.options['config'] as string | undefined) ?? DEFAULT_CONFIG_PATH;
  const r = await loadPolicy(rt, path);
  if (!r.ok) {
    for (const e of r.errors) rt.stderr(`${e}\n`);
    rt.stderr(`flowsieve: ${path}: ${r.errors.length} error(s)\n`);
    return 1;
  }
  const spec = rulesSpec(r.loaded.config);
  if (args.options['remove'] === true) {
    await removeRules(rt.run);
    return 0;
  }
  if (args.options['apply'] === true) {
    const applied = await applyRules(rt.run, spec, r.loaded.config.globals.firewall);
    rt.stderr(`flowsieve: rules applied (${applied.mode})${applied.note ? `: ${applied.note}` : ''}\n`);
    return 0;
  }
  rt.stdout(format === 'nft' ? nftRuleset(spec, { queue: true }) : iptablesScript(spec, { full: true }));
  return 0;
}
