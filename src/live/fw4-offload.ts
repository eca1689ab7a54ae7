/**
 * fw4's flow offloading and DPI: fw4 offloads a forwarded TCP flow at its first
 * established packet, before the ClientHello, and offloaded packets skip every later hook
 * (flowsieve's queue included). `flowsieve check` says so when /etc/config/firewall has it on.
 */
import { parseUci } from '../config/uci-parse.js';

export const FIREWALL_CONFIG = '/etc/config/firewall';

/** The warning for a firewall config text, or null when flow offloading is off. */
export function fw4OffloadWarning(text: string, file = FIREWALL_CONFIG): string | null {
  const parsed = parseUci(text, file);
  if (!parsed.ok) return null;
  for (const s of parsed.package.sections) {
    if (s.type !== 'defaults') continue;
    const on = s.options.find((o) => o.name === 'flow_offloading');
    if (on && on.value === '1') {
      return (
        `${file}:${on.loc.line}: fw4's flow_offloading is on: it offloads a TCP flow at its first established packet, ` +
        `before flowsieve sees its ClientHello, and offloaded packets never reach the queue. Turn it off ` +
        `(uci set firewall.@defaults[0].flow_offloading=0) and use flowsieve's 'flow_offload' option, which offloads a flow once it is classified.`
      );
    }
  }
  return null;
}
