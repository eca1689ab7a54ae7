/**
 * The policy benchmark's workload, bundled and run unchanged under Node and inside
 * QuickJS-ng: 100 actions of the kinds users write (apps, categories, hostnames and
 * regexes, addresses and groups, ports, compact forms, mixed logic) against N synthetic
 * flow records drawn from a seeded generator.
 */
import { compilePolicy, type ActionSpec } from '../../src/policy/actions.js';
import { groupsFromLists } from '../../src/policy/expr/index.js';
import type { FlowRecord } from '../../src/record/flow-record.js';

const APPS = ['youtube', 'netflix', 'facebook', 'instagram', 'whatsapp', 'zoom', 'teams', 'spotify', 'steam', 'reddit', 'tiktok', 'google', 'microsoft', 'apple', 'amazon', 'twitch', 'discord', 'dropbox', null];
const CATS = ['streaming-media', 'social-media', 'messaging', 'voip', 'games', 'file-sharing', 'web', 'business', 'news'];
const PROTOS = ['TLS', 'QUIC', 'HTTP', 'DNS', 'BitTorrent', 'STUN', 'WireGuard', 'OpenVPN', 'NTP', 'SSH'];
const HOSTS = ['www.youtube.com', 'rr3---sn-4g5e6nsz.googlevideo.com', 'api.netflix.com', 'graph.facebook.com', 'web.whatsapp.com', 'zoom.us', 'teams.microsoft.com', 'open.spotify.com', 'store.steampowered.com', 'www.reddit.com', null];

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function makeRecords(n: number, seed = 42): FlowRecord[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const out: FlowRecord[] = [];
  for (let i = 0; i < n; i++) {
    const app = pick(APPS);
    out.push({
      ip_version: 4,
      ip_protocol: r() < 0.7 ? 6 : 17,
      vlan_id: 0,
      local_ip: `192.168.${Math.floor(r() * 4)}.${1 + Math.floor(r() * 250)}`,
      local_port: 1024 + Math.floor(r() * 60000),
      local_mac: null,
      other_ip: `${1 + Math.floor(r() * 220)}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 254)}`,
      other_port: pick([443, 443, 443, 80, 53, 123, 51820, 1194, 3478, 6881]),
      other_mac: null,
      interface: r() < 0.9 ? 'br-lan' : 'wan',
      other_type: 'remote',
      ip_nat: r() < 0.5,
      fwmark: 0,
      first_seen_at: 0,
      last_seen_at: 0,
      detected_protocol_name: pick(PROTOS),
      detected_application_name: app,
      detection_guessed: r() < 0.05,
      detection_complete: true,
      detection_packets: 3,
      host_server_name: pick(HOSTS),
      dns_host_name: null,
      category: { application: app ? pick(CATS) : null, protocol: 'web' },
      local_packets: 5,
      other_packets: 5,
      local_bytes: 500,
      other_bytes: 500,
    });
  }
  return out;
}

export function makeActions(n: number): ActionSpec[] {
  const kinds = [
    (i: number) => `app == '${APPS[i % (APPS.length - 1)]}';`,
    (i: number) => `category == '${CATS[i % CATS.length]}' && local_ip == 192.168.${i % 4}.0/24;`,
    (i: number) => `ai:${APPS[i % (APPS.length - 1)]}`,
    (i: number) => `detected_hostname == 'rx:^(www\\.)?${['youtube', 'reddit', 'zoom'][i % 3]}\\.'; `,
    (i: number) => `other_ip == 10.${i}.0.0/16 || other_ip == @blocklist;`,
    (i: number) => `protocol == '${PROTOS[i % PROTOS.length]}' && other_port >= 1024 && other_port <= ${2000 + i};`,
    (i: number) => `(app == 'steam' || category == 'games') && !(local_ip == 192.168.3.${i});`,
    (i: number) => `pc:vpn && other_port != ${1000 + i};`,
    (i: number) => `detected_hostname == '${HOSTS[i % (HOSTS.length - 1)]}' || dns_hostname == 'x${i}.example';`,
    (i: number) => `ip_protocol == 17 && other_port == ${3478 + (i % 3)} && interface == 'br-lan';`,
  ];
  const actions: ActionSpec[] = [];
  for (let i = 0; i < n; i++) {
    actions.push({
      name: `a${i}`,
      enabled: true,
      criteria: [kinds[i % kinds.length]!(i)],
      targets: ['log'],
      exemptions: i % 7 === 0 ? ['192.168.0.1', "app == 'apple';"] : [],
      interface: '*',
      priority: i,
      haltOnMatch: false,
      window: null,
    });
  }
  return actions;
}

export interface PolicyBenchResult {
  readonly evaluations: number;
  readonly matches: number;
  readonly ms: number;
}

/** Compile once, then evaluate every record against the whole policy; timed with `now`. */
export function runPolicyBench(records: number, actions: number, now: () => number): PolicyBenchResult {
  const groups = groupsFromLists({ blocklist: Array.from({ length: 200 }, (_, i) => `198.51.${i}.0/24`) });
  if (!groups.ok) throw new Error('groups');
  const compiled = compilePolicy({ actions: makeActions(actions), globalExemptions: ['192.168.1.1'] }, { groups: groups.groups });
  if (!compiled.ok) throw new Error(compiled.errors.map((e) => `${e.where}: ${e.message}`).join('\n'));
  const recs = makeRecords(records);
  const ctx = { now: 0, roles: new Map<string, 'lan' | 'wan'>([['br-lan', 'lan']]) };
  let matches = 0;
  const t0 = now();
  for (const r of recs) matches += compiled.policy.evaluate(r, ctx).length;
  const ms = now() - t0;
  return { evaluations: records * actions, matches, ms };
}
