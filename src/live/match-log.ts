/** One log line per action match (the targets log it at info level before acting). */
import type { Firing } from '../policy/runner.js';

export function describeFiring(f: Firing): string {
  const r = f.record;
  const host = r.host_server_name ? ` ${r.host_server_name}` : '';
  const app = r.detected_application_name ? ` (${r.detected_application_name})` : '';
  return (
    `action ${f.action.spec.name} matched ${r.local_ip}:${r.local_port} -> ${r.other_ip}:${r.other_port} ` +
    `${r.detected_protocol_name}${host}${app} [${f.reason}]; targets ${f.action.spec.targets.join(', ')}`
  );
}
