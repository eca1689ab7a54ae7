/**
 * The `flowsieve` command line. Each command is an entry in a table: its options (as data,
 * see args.ts), a one-line synopsis and the function that runs it. Usage errors and
 * unreadable files print one line and exit with code 2.
 */
import { defaultCatalogue } from '../catalogue/catalogue.js';
import { errorText, type Runtime } from '../runtime/types.js';
import { optionHelp, parseArgs, UsageError, type OptionSpec, type ParsedArgs } from './args.js';
import { replayFile } from './replay.js';
import type { FlowRecord } from '../record/flow-record.js';
import { formatSummary } from './summary.js';
import { RULES_OPTIONS, RUN_OPTIONS, runRules, runRun } from './live-commands.js';
import { CHECK_OPTIONS, EXPLAIN_OPTIONS, IMPORT_OPTIONS, runCheck, runExplain, runImport } from './policy-commands.js';

import { VERSION } from '../version.js';

export { VERSION };

interface Command {
  readonly synopsis: string;
  readonly options: readonly OptionSpec[];
  /** Positional arguments: exact count, or [min, max]. */
  readonly positional: readonly [number, number];
  run(rt: Runtime, args: ParsedArgs): Promise<number>;
}

const REPLAY_OPTIONS: readonly OptionSpec[] = [
  { name: 'summary', short: 's', kind: 'flag', help: 'print a table of protocols and applications instead of records' },
  { name: 'max-packets', kind: 'int', min: 1, help: 'packets per flow the classifier examines (default 32)' },
  { name: 'max-flows', kind: 'int', min: 1, help: 'flows tracked at once before the oldest idle is evicted (default 65536)' },
  { name: 'stats', kind: 'flag', help: 'print decode and flow counters to stderr' },
];

const COMMANDS: { readonly [name: string]: Command } = {
  replay: {
    synopsis: 'replay <capture>    classify every flow in a pcap/pcapng file; one JSON record per flow',
    options: REPLAY_OPTIONS,
    positional: [1, 1],
    run: runReplay,
  },
  check: {
    synopsis: 'check [--config PATH | PATH]  validate a configuration and print the compiled policy',
    options: CHECK_OPTIONS,
    positional: [0, 1],
    run: runCheck,
  },
  explain: {
    synopsis: 'explain [--config PATH] <capture>  which actions each flow of a capture matches',
    options: EXPLAIN_OPTIONS,
    positional: [1, 1],
    run: runExplain,
  },
  run: {
    synopsis: 'run [--config PATH] [--records]  the daemon: classify queued packets, apply the policy',
    options: RUN_OPTIONS,
    positional: [0, 0],
    run: runRun,
  },
  rules: {
    synopsis: 'rules [--config PATH] [--format nft|iptables]  print the firewall rules for the configuration',
    options: RULES_OPTIONS,
    positional: [0, 0],
    run: runRules,
  },
  import: {
    synopsis: 'import <netify.json>  print a Netify Flow Actions JSON file as UCI',
    options: IMPORT_OPTIONS,
    positional: [1, 1],
    run: runImport,
  },
  version: {
    synopsis: 'version             print the version',
    options: [],
    positional: [0, 0],
    run: async (rt) => {
      rt.stdout(`flowsieve ${VERSION} (${rt.kind})\n`);
      return 0;
    },
  },
  help: {
    synopsis: 'help                this text',
    options: [],
    positional: [0, 1],
    run: async (rt) => {
      rt.stdout(usage());
      return 0;
    },
  },
};

export function usage(): string {
  const lines = ['usage: flowsieve <command> [options]', '', 'commands:'];
  for (const c of Object.values(COMMANDS)) lines.push(`  ${c.synopsis}`);
  lines.push('', 'replay options:', optionHelp(REPLAY_OPTIONS));
  lines.push('', 'explain options (check takes --config only):', optionHelp(EXPLAIN_OPTIONS), '');
  return lines.join('\n');
}

/** Run the CLI; returns the exit code. Never throws. */
export async function runCli(rt: Runtime, argv: readonly string[] = rt.args): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    rt.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') return COMMANDS['version']!.run(rt, { options: {}, positional: [] });
  const cmd = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) return fail(rt, `unknown command '${name}' (try 'flowsieve help')`);
  try {
    const args = parseArgs(rest, cmd.options);
    const [min, max] = cmd.positional;
    if (args.positional.length < min) return fail(rt, `${name}: missing argument (usage: flowsieve ${cmd.synopsis.split('  ')[0]})`);
    if (args.positional.length > max) return fail(rt, `${name}: unexpected argument '${args.positional[max]}'`);
    return await cmd.run(rt, args);
  } catch (e) {
    if (e instanceof UsageError) return fail(rt, `${name}: ${e.message}`);
    return fail(rt, `${name}: ${errorText(e)}`, 1);
  }
}

function fail(rt: Runtime, message: string, code = 2): number {
  rt.stderr(`flowsieve: ${message}\n`);
  return code;
}

async function runReplay(rt: Runtime, args: ParsedArgs): Promise<number> {
  const path = args.positional[0]!;
  const summary = args.options['summary'] === true;
  // Records are kept only for the summary table; otherwise each is written and dropped.
  const records: FlowRecord[] = [];
  const result = await replayFile(rt, path, {
    catalogue: defaultCatalogue,
    classifier: { maxPackets: (args.options['max-packets'] as number | undefined) ?? 32 },
    flowTable: { maxFlows: (args.options['max-flows'] as number | undefined) ?? 65536 },
    ...(summary ? { onRecord: (r: FlowRecord) => records.push(r) } : { onRecordJson: (line: string) => rt.stdout(line + '\n') }),
  });
  if (summary) rt.stdout(formatSummary(records, path));
  const c = result.pipeline.counters;
  if (args.options['stats'] === true) {
    const t = result.pipeline.table.counters;
    rt.stderr(
      `frames ${c.frames}, ip packets ${c.packets}, non-ip ${c.nonIp}, malformed ${c.malformed}, ` +
        `unsupported link ${c.unsupportedLink}, flows ${t.flowsCreated}, evicted ${t.evicted}, ` +
        `unattributed fragments ${t.fragmentsUnattributed}, dissector faults ${result.pipeline.classifier.counters.dissectorFaults}\n`,
    );
    for (const s of c.malformedSamples) rt.stderr(`  malformed ${s}\n`);
  }
  if (result.captureError) rt.stderr(`flowsieve: replay: '${path}': ${result.captureError} (records above cover the frames before it)\n`);
  return 0;
}
