/**
 * The TargetRunner the daemon uses until real targets are wired: it logs each match
 * (action, flow, targets named) at info level. src/targets replaces it with one that
 * also performs the targets.
 */
import type { Firing } from '../policy/runner.js';
import type { Logger } from './logger.js';
import type { TargetRunner } from './target-runner.js';

export function describeFiring(f: Firing): string {
  const r = f.record;
  const host = r.host_server_name ? ` ${r.host_server_name}` : '';
  const app = r.detected_application_name ? ` (${r.detected_application_name})` : '';
  return (
    `action ${f.action.spec.name} matched ${r.local_ip}:${r.local_port} -> ${r.other_ip}:${r.other_port} ` +
    `${r.detected_protocol_name}${host}${app} [${f.reason}]; targets ${f.action.spec.targets.join(', ')}`
  );
}

export class MatchLogRunner implements TargetRunner {
  constructor(private readonly log: Logger) {}

  async run(firings: readonly Firing[]): Promise<void> {
    for (const f of firings) this.log.info(describeFiring(f));
  }
}
