/** Netify's `other_type`: what kind of address the flow's other side is. */
import type { OtherType } from './flow-record.js';

/**
 * Recent answers by address text, direct-mapped: the other ends of flows repeat (servers,
 * the gateway), and working one out (split, Number) cost about as much as the rest of a
 * record's line under txiki.js.
 */
const RECENT_SLOTS = 256;
const recentIps: (string | null)[] = new Array<string | null>(RECENT_SLOTS).fill(null);
const recentTypes: OtherType[] = new Array<OtherType>(RECENT_SLOTS).fill('unknown');

export function otherTypeOf(ip: string): OtherType {
  const n = ip.length;
  // (Under two characters charCodeAt gives NaN, and the slot is 0: still a slot.)
  const slot = (n * 31 + ip.charCodeAt(n - 1) * 7 + ip.charCodeAt(n - 2)) & (RECENT_SLOTS - 1);
  if (recentIps[slot] === ip) return recentTypes[slot]!;
  const type = addressType(ip);
  recentIps[slot] = ip;
  recentTypes[slot] = type;
  return type;
}

function addressType(ip: string): OtherType {
  if (ip.includes(':')) return ipv6Type(ip.toLowerCase());
  const parts = ip.split('.');
  if (parts.length !== 4) return 'unknown';
  const a = Number(parts[0]);
  const b = Number(parts[1]);
  if (ip === '255.255.255.255') return 'broadcast';
  if (a >= 224 && a <= 239) return 'multicast';
  if (
    a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT space is local to the ISP side
    a === 0
  ) {
    return 'local';
  }
  return 'remote';
}

function ipv6Type(ip: string): OtherType {
  if (ip.startsWith('ff')) return 'multicast';
  if (ip === '::1' || ip === '::' || /^fe[89ab]/.test(ip) || /^f[cd]/.test(ip)) return 'local';
  if (ip.startsWith('::ffff:')) return addressType(ip.slice(7));
  return 'remote';
}
