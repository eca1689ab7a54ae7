/**
 * Puts the generated rules into the kernel: nft when it has the queue expression (checked
 * once with `nft -c`), otherwise the nft table for sets and labels plus the queue rules in
 * iptables form. Every failure names the command and what it printed.
 */
import type { Runtime } from '../runtime/types.js';
import { iptablesScript, nftRuleset, QUEUE_PROBE, removalScript, type RulesSpec } from './rules.js';

export type QueueMode = 'nft' | 'iptables';

export interface AppliedRules {
  readonly mode: QueueMode;
  /** Why the mode was chosen, for the log (said once). */
  readonly note: string | null;
}

type Run = Runtime['run'];

async function must(run: Run, argv: readonly string[], input: string, what: string): Promise<void> {
  const r = await run(argv, input);
  if (r.status !== 0) throw new Error(`${what}: ${argv.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 4).join(' | ')}`);
}

/** Whether `nft` can load a queue rule here. */
export async function nftHasQueue(run: Run): Promise<boolean> {
  const r = await run(['nft', '-c', '-f', '-'], QUEUE_PROBE);
  return r.status === 0;
}

export async function applyRules(run: Run, spec: RulesSpec, preference: 'auto' | 'nft' | 'iptables'): Promise<AppliedRules> {
  let mode: QueueMode = preference === 'iptables' ? 'iptables' : 'nft';
  let note: string | null = null;
  if (mode === 'nft' && !(await nftHasQueue(run))) {
    if (preference === 'nft') throw new Error("firewall 'nft': this kernel lacks the nft queue expression (nft -c rejects 'queue')");
    mode = 'iptables';
    note = 'the kernel lacks the nft queue expression: queueing with iptables (mangle chain flowsieve), sets and labels stay in nft';
  }
  await must(run, ['nft', '-f', '-'], nftRuleset(spec, { queue: mode === 'nft' }), 'nft rules');
  if (mode === 'iptables') await must(run, ['sh', '-s'], iptablesScript(spec, { full: false }), 'iptables rules');
  return { mode, note };
}

export async function removeRules(run: Run): Promise<void> {
  await run(['sh', '-s'], removalScript());
}
