/**
 * The flow attributes expressions can name: one table row per attribute with its aliases,
 * value type and how to read (and normalise) it from a FlowRecord. The compiler checks
 * values against `type` and builds matchers from `key`/`text`/`present`; nothing else in
 * the expression code knows a FlowRecord field name.
 *
 * Readers never throw: a missing or ill-typed field reads as absent (null).
 */
import type { FlowRecord } from '../../record/flow-record.js';

export type AttrType =
  /** Application name; `netify.` prefix optional on both sides, case-insensitive. */
  | 'app'
  /** Protocol name (nDPI spelling), case-insensitive. */
  | 'protocol'
  /** Category tag (`social-media`), case-insensitive. */
  | 'category'
  /** Host name: case-insensitive, trailing dot ignored, `*.` wildcards. */
  | 'hostname'
  /** Case-sensitive text (interface names). */
  | 'text'
  | 'number'
  | 'bool'
  | 'ip'
  | 'mac'
  | 'other_type'
  /** TLS version as its 16-bit code (0x0303 = TLS 1.2); names like 'TLSv1.2' accepted. */
  | 'tls_version'
  /** Cipher suite: 16-bit code or IANA name. */
  | 'cipher';

/** A normalised value: what equality and ordering compare. */
export type Key = string | number | boolean;

export interface AttrDef {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly type: AttrType;
  /** One line for the reference documentation and error hints. */
  readonly doc: string;
  /** The record's value, normalised like literals of this type; null when absent. */
  readonly key: (r: FlowRecord) => Key | null;
  /** A second value the attribute also matches (`category`: the domain category). */
  readonly keyAlt?: (r: FlowRecord) => Key | null;
  /** Text that `'rx:…'` patterns run against; null when absent. */
  readonly text?: (r: FlowRecord) => string | null;
  /** `attr` alone / `!attr`: present and not empty, false or 0. */
  readonly present: (r: FlowRecord) => boolean;
  /** Names accepted in place of numbers (`ip_protocol == 'tcp'`). */
  readonly named?: { readonly [name: string]: number };
}

// ---- normalisers (shared with the compiler, which applies them to literals) ----

/**
 * Lower-casing the same record string for every rule would allocate on each evaluation:
 * remember the last input/output pair per normaliser.
 */
function memo(fn: (s: string) => string): (s: string) => string {
  let lastIn: string | null = null;
  let lastOut = '';
  return (s) => {
    if (s === lastIn) return lastOut;
    lastIn = s;
    lastOut = fn(s);
    return lastOut;
  };
}

/** `Netify.YouTube` → `youtube`; our catalogue ids carry no prefix, Netify's do. */
export function normApp(s: string): string {
  const l = s.toLowerCase();
  return l.startsWith('netify.') ? l.slice(7) : l;
}

export function normName(s: string): string {
  return s.toLowerCase();
}

export function normHost(s: string): string {
  const l = s.toLowerCase();
  return l.endsWith('.') ? l.slice(0, -1) : l;
}

const TLS_NAMES: { readonly [k: string]: number } = {
  ssl2: 0x0002,
  'ssl2.0': 0x0002,
  ssl3: 0x0300,
  'ssl3.0': 0x0300,
  '1.0': 0x0301,
  '1.1': 0x0302,
  '1.2': 0x0303,
  '1.3': 0x0304,
  tls1: 0x0301,
  'tls1.0': 0x0301,
  'tls1.1': 0x0302,
  'tls1.2': 0x0303,
  'tls1.3': 0x0304,
};

/** 771, '0x0303', 'TLSv1.2', 'TLS 1.2', '1.2' → 0x0303; null when unrecognised. */
export function tlsVersionOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const s = v.trim().toLowerCase();
  if (/^0x[0-9a-f]{1,4}$/.test(s)) return parseInt(s.slice(2), 16);
  if (/^[0-9]+$/.test(s)) return Number(s);
  const k = s.replace(/\s+/g, '').replace(/^(tls|ssl)v/, '$1');
  return TLS_NAMES[k] ?? null;
}

/** Cipher suites compare by code when one is known (4865 = '0x1301'), else by name. */
export function cipherKey(v: unknown): Key | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string' || v === '') return null;
  const s = v.trim().toLowerCase();
  if (/^0x[0-9a-f]{1,4}$/.test(s)) return parseInt(s.slice(2), 16);
  return s;
}

/** Netify's other_type constants, as written in expressions. */
export const OTHER_TYPE_CONSTANTS: { readonly [name: string]: string } = {
  other_local: 'local',
  other_remote: 'remote',
  other_multicast: 'multicast',
  other_broadcast: 'broadcast',
  other_unknown: 'unknown',
  // Netify has these too; flowsieve never produces them, so they match nothing.
  other_unsupported: 'unsupported',
  other_error: 'error',
};

export const IP_PROTOCOL_NAMES: { readonly [name: string]: number } = {
  icmp: 1,
  igmp: 2,
  tcp: 6,
  udp: 17,
  gre: 47,
  esp: 50,
  ah: 51,
  icmpv6: 58,
  'ipv6-icmp': 58,
  sctp: 132,
  udplite: 136,
};

// ---- readers ----

type Section = { readonly [k: string]: unknown };

function section(r: FlowRecord, name: string): Section | null {
  const s = r[name];
  return s !== null && typeof s === 'object' && !Array.isArray(s) ? (s as Section) : null;
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function categoryField(r: FlowRecord, field: 'application' | 'protocol' | 'domain'): string | null {
  const c: unknown = r.category;
  if (c === null || typeof c !== 'object') return null;
  return str((c as Section)[field]);
}

const appKey = memo(normApp);
const protoKey = memo(normName);
const catKey = memo(normName);
const catKey2 = memo(normName);
const hostKey = memo(normHost);
const hostKey2 = memo(normHost);

function appOf(r: FlowRecord): string | null {
  const a = str(r.detected_application_name);
  return a === null || a.toLowerCase() === 'unknown' ? null : a;
}

function protocolOf(r: FlowRecord): string | null {
  const p = str(r.detected_protocol_name);
  return p === null || p.toLowerCase() === 'unknown' ? null : p;
}

function numberAttr(name: string, aliases: string[], doc: string, read: (r: FlowRecord) => unknown, named?: { [k: string]: number }): AttrDef {
  const key = (r: FlowRecord): number | null => num(read(r));
  return {
    name,
    aliases,
    type: 'number',
    doc,
    key,
    present: (r) => {
      const v = key(r);
      return v !== null && v !== 0;
    },
    ...(named ? { named } : {}),
  };
}

function boolAttr(name: string, doc: string, read: (r: FlowRecord) => unknown): AttrDef {
  const key = (r: FlowRecord): boolean => read(r) === true;
  return { name, aliases: [], type: 'bool', doc, key, present: key };
}

function categoryAttr(name: string, aliases: string[], doc: string, field: 'application' | 'protocol' | 'domain'): AttrDef {
  const text = (r: FlowRecord): string | null => categoryField(r, field);
  const key = (r: FlowRecord): string | null => {
    const c = text(r);
    return c === null ? null : catKey(c);
  };
  return { name, aliases, type: 'category', doc, key, text, present: (r) => text(r) !== null };
}

function hostAttr(name: string, doc: string, read: (r: FlowRecord) => unknown, norm: (s: string) => string): AttrDef {
  const text = (r: FlowRecord): string | null => {
    const h = str(read(r));
    return h === null ? null : norm(h);
  };
  return { name, aliases: [], type: 'hostname', doc, key: text, text, present: (r) => text(r) !== null };
}

function ipAttr(name: string, doc: string, read: (r: FlowRecord) => unknown): AttrDef {
  const key = (r: FlowRecord): string | null => str(read(r));
  return { name, aliases: [], type: 'ip', doc, key, text: key, present: (r) => key(r) !== null };
}

function macAttr(name: string, doc: string, read: (r: FlowRecord) => unknown): AttrDef {
  const key = (r: FlowRecord): string | null => {
    const m = str(read(r));
    return m === null ? null : m.toLowerCase();
  };
  return { name, aliases: [], type: 'mac', doc, key, text: key, present: (r) => key(r) !== null };
}

export const ATTRIBUTES: readonly AttrDef[] = [
  {
    name: 'app',
    aliases: ['application'],
    type: 'app',
    doc: "detected application (detected_application_name); 'netify.youtube' and 'youtube' are the same",
    key: (r) => {
      const a = appOf(r);
      return a === null ? null : appKey(a);
    },
    text: (r) => {
      const a = appOf(r);
      return a === null ? null : appKey(a);
    },
    present: (r) => appOf(r) !== null,
  },
  {
    name: 'protocol',
    aliases: ['proto'],
    type: 'protocol',
    doc: "detected protocol (detected_protocol_name, nDPI spelling: 'TLS', 'QUIC', 'DNS'); 'Unknown' counts as absent",
    key: (r) => {
      const p = protocolOf(r);
      return p === null ? null : protoKey(p);
    },
    text: protocolOf,
    present: (r) => protocolOf(r) !== null,
  },
  (() => {
    // Application category, or (when the record carries one) the domain category.
    const app = categoryAttr('category', ['cat'], '', 'application');
    const domText = (r: FlowRecord): string | null => categoryField(r, 'domain');
    return {
      ...app,
      doc: 'application category (category.application) or domain category (category.domain)',
      keyAlt: (r: FlowRecord) => {
        const d = domText(r);
        return d === null ? null : catKey2(d);
      },
      present: (r: FlowRecord) => app.present(r) || domText(r) !== null,
    };
  })(),
  categoryAttr('app_category', ['application_category'], 'application category only (category.application)', 'application'),
  categoryAttr('domain_category', ['dom_category'], 'domain category (category.domain), when the record carries one', 'domain'),
  categoryAttr('protocol_category', ['proto_category'], "protocol category (category.protocol): 'web', 'vpn-and-proxy', …", 'protocol'),
  hostAttr('detected_hostname', 'host name from the payload: TLS SNI, HTTP Host, DNS query (host_server_name)', (r) => r.host_server_name, hostKey),
  hostAttr('dns_hostname', 'name an earlier DNS answer gave the other address (dns_host_name)', (r) => r.dns_host_name, hostKey2),
  numberAttr('ip_protocol', [], "IP protocol number (6 = TCP, 17 = UDP); names 'tcp', 'udp', … accepted", (r) => r.ip_protocol, { ...IP_PROTOCOL_NAMES }),
  numberAttr('ip_version', [], 'IP version: 4 or 6', (r) => r.ip_version),
  ipAttr('local_ip', 'address of the local end', (r) => r.local_ip),
  ipAttr('other_ip', 'address of the other (usually remote) end', (r) => r.other_ip),
  numberAttr('local_port', [], 'port of the local end', (r) => r.local_port),
  numberAttr('other_port', [], 'port of the other end', (r) => r.other_port),
  macAttr('local_mac', 'MAC address of the local end, when known', (r) => r.local_mac),
  macAttr('other_mac', 'MAC address of the other end, when known', (r) => r.other_mac),
  numberAttr('vlan_id', [], 'innermost VLAN id, 0 when untagged', (r) => r.vlan_id),
  {
    name: 'interface',
    aliases: ['iface'],
    type: 'text',
    doc: 'interface the flow was seen on (case-sensitive); absent in replay',
    key: (r) => str(r.interface),
    text: (r) => str(r.interface),
    present: (r) => str(r.interface) !== null,
  },
  numberAttr('fwmark', [], 'packet/conntrack mark seen with the flow', (r) => r.fwmark),
  {
    name: 'tls_version',
    aliases: ['ssl_version'],
    type: 'tls_version',
    doc: "TLS version (ssl.version) as a code (0x0303) or name ('TLSv1.2', '1.3')",
    key: (r) => tlsVersionOf(section(r, 'ssl')?.['version']),
    present: (r) => tlsVersionOf(section(r, 'ssl')?.['version']) !== null,
  },
  {
    name: 'ssl_cipher',
    aliases: ['tls_cipher'],
    type: 'cipher',
    doc: "negotiated cipher suite (ssl.cipher_suite) as a code (0x1301) or name",
    key: (r) => cipherKey(section(r, 'ssl')?.['cipher_suite']),
    text: (r) => {
      const v = section(r, 'ssl')?.['cipher_suite'];
      return typeof v === 'string' ? v : typeof v === 'number' ? '0x' + v.toString(16).padStart(4, '0') : null;
    },
    present: (r) => cipherKey(section(r, 'ssl')?.['cipher_suite']) !== null,
  },
  boolAttr('detection_guessed', 'the verdict rests on a port or address guess', (r) => r.detection_guessed),
  boolAttr('detection_complete', 'classification finished', (r) => r.detection_complete),
  boolAttr('ip_nat', 'the flow crossed NAT (live mode)', (r) => r.ip_nat),
  {
    name: 'other_type',
    aliases: [],
    type: 'other_type',
    doc: 'kind of the other address: other_local, other_remote, other_multicast, other_broadcast, other_unknown',
    key: (r) => str(r.other_type),
    present: (r) => {
      const t = str(r.other_type);
      return t !== null && t !== 'unknown';
    },
  },
  numberAttr('local_bytes', [], 'bytes sent by the local end so far', (r) => r.local_bytes),
  numberAttr('other_bytes', [], 'bytes sent by the other end so far', (r) => r.other_bytes),
  numberAttr('local_packets', [], 'packets sent by the local end so far', (r) => r.local_packets),
  numberAttr('other_packets', [], 'packets sent by the other end so far', (r) => r.other_packets),
  numberAttr('detection_packets', [], 'packets the classifier examined', (r) => r.detection_packets),
];

/** Netify attributes flowsieve knows of but cannot evaluate: a precise error beats "unknown". */
export const UNSUPPORTED_NETIFY_ATTRIBUTES: { readonly [name: string]: string } = {
  tunnel_type: 'flowsieve does not decode tunnels',
  detection_updated: 'flowsieve evaluates a flow when its classification changes; there is no separate flag',
  risks: 'flowsieve does not compute nDPI risks',
  ndpi_risk_score: 'flowsieve does not compute nDPI risks',
  ndpi_risk_client: 'flowsieve does not compute nDPI risks',
  ndpi_risk_server: 'flowsieve does not compute nDPI risks',
  origin: 'flowsieve does not track which end started the flow in expressions',
  app_id: "numeric application ids are not supported; compare the name (app == 'youtube')",
  application_id: "numeric application ids are not supported; compare the name (app == 'youtube')",
  protocol_id: "numeric protocol ids are not supported; compare the name (protocol == 'TLS')",
  proto_id: "numeric protocol ids are not supported; compare the name (protocol == 'TLS')",
};

const BY_NAME = new Map<string, AttrDef>();
for (const a of ATTRIBUTES) {
  BY_NAME.set(a.name, a);
  for (const al of a.aliases) BY_NAME.set(al, a);
}

/** Attribute by name or alias, case-insensitive. */
export function findAttribute(name: string): AttrDef | null {
  return BY_NAME.get(name.toLowerCase()) ?? null;
}

/** All names and aliases (for "did you mean" hints). */
export function attributeNames(): string[] {
  return [...BY_NAME.keys()];
}
