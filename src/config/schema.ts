/**
 * The configuration schema as data: every section type flowsieve reads from
 * /etc/config/flowsieve, its options, their value types and defaults. One generic validator
 * (validate.ts) walks a parsed UCI package against these tables; docs/configuration.md
 * describes the same tables for people.
 *
 * Names and defaults follow Netify's Flow Actions plugin (its UCI sample and JSON reference),
 * so a Netify configuration loads unchanged; where the reference gives no default, the table
 * says what flowsieve assumes.
 *
 * Longer than the house's ~450 lines on purpose: it is data (tables of options with their
 * descriptions), plus the value parsers the tables name.
 */
import { parseTimeWindow, TIME_WINDOW_HELP, type TimeWindowSpec } from './time-window.js';

/** Value types an option can have. */
export type ValueType =
  | 'string'
  | 'bool'
  | 'int'
  | 'enum'
  /** Seconds: `90`, or with a unit `90s`, `15m`, `2h`, `1d`. */
  | 'duration'
  /** `*`, a role (`lan`, `wan`) or a network device name. */
  | 'interface'
  /** A network device name. */
  | 'device'
  /** A 32-bit value written in hexadecimal (`0x…`) or decimal. */
  | 'hex32'
  | 'path'
  /** The name of another section. */
  | 'section'
  /** A flow expression, or a file of them (a path starting with `/`, `./` or `${`). */
  | 'criterion'
  /** An address, a CIDR prefix, a flow expression, or the name of an `exemption` section. */
  | 'exemption'
  | 'time_of_day'
  /** Words from `values` joined by `|` (e.g. `new | updated | expired`). */
  | 'flags'
  /** An NFQUEUE number or range: `0`, `0-3`. */
  | 'queue'
  /** An ipset type: `hash:ip`, `hash:ip,port,ip`, … */
  | 'ipset_type'
  /** A tc class `MAJOR:MINOR` (hexadecimal). */
  | 'tc_class';

export interface OptionSpec {
  readonly name: string;
  readonly type: ValueType;
  /** May hold several values (`list`, or an `option` for one value). */
  readonly multiple?: boolean;
  /** Used when the option is absent (UCI text form). */
  readonly default?: string | readonly string[];
  /** Must be present (after section defaults are applied, for targets). */
  readonly required?: boolean;
  /** Allowed words for `enum`, `flags` and multiple-value enums. */
  readonly values?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  /** Other names accepted for this option (Netify's JSON spelling, plural forms). */
  readonly aliases?: readonly string[];
  /**
   * Target options: the property of the built target that holds the value (default: the
   * name in camelCase); null when another option's value takes it in (nftset `size`).
   */
  readonly field?: string | null;
  readonly description: string;
}

export interface SectionSpec {
  readonly type: string;
  /** Other section type names accepted (plural forms). */
  readonly aliases?: readonly string[];
  readonly description: string;
  /** `named`: other sections refer to it by name, so an anonymous one is warned about. */
  readonly naming: 'named' | 'any';
  /** At most one section of this type is used. */
  readonly single?: boolean;
  /**
   * The options, or where they come from: `target` sections take the common target options
   * plus those of their `target_type`; `target_default` / `target_global` sections are named
   * after a target type and take that type's options / global options.
   */
  readonly options: readonly OptionSpec[] | 'target' | 'target_default' | 'target_global';
}

export interface TargetTypeSpec {
  readonly type: string;
  readonly description: string;
  /** Where the reference implements it; flowsieve acts on Linux targets only. */
  readonly platforms: 'all' | 'linux' | 'freebsd';
  readonly options: readonly OptionSpec[];
  /** Options of `config target_global '<type>'`. */
  readonly globals: readonly OptionSpec[];
}

// ------------------------------------------------------------------ shared option pieces

const BOOL_HELP = "'1'/'0' (also yes/no, on/off, true/false, enabled/disabled)";

const SET_FAMILY: OptionSpec = {
  name: 'set_family',
  type: 'enum',
  values: ['ipv4', 'ipv6', '*'],
  default: '*',
  description: 'IP family of the set: ipv4, ipv6 or * (both).',
};

const TTL: OptionSpec = {
  name: 'ttl',
  type: 'duration',
  default: '60',
  min: 0,
  description:
    'Seconds after the last matching traffic before an element is removed; 0 disables expiry. A high value such as 900 is recommended.',
};

const MANAGED: OptionSpec = {
  name: 'managed',
  type: 'bool',
  default: '0',
  description: 'Create the set/table when it does not exist (existing ones must be destroyed by hand for changes to apply).',
};

const MAX_ELEMENTS: OptionSpec = {
  name: 'max_elements',
  type: 'int',
  default: '65536',
  min: 1,
  description: 'Maximum number of elements in the set.',
};

const FLUSH_ON_CREATE: OptionSpec = {
  name: 'flush_on_create',
  type: 'bool',
  default: '0',
  description: 'With managed mode, empty the set at start-up if it exists.',
};

const FLUSH_ON_DESTROY: OptionSpec = {
  name: 'flush_on_destroy',
  type: 'bool',
  default: '0',
  description: 'Empty the set on shutdown (independent of managed mode).',
};

const SET_NAME: OptionSpec = { name: 'set_name', type: 'string', required: true, description: 'Name of the set.' };

/** Flow fields an nft set element is built from, in this order. */
export const NFT_SET_FIELDS = [
  'local_mac',
  'other_mac',
  'local_addr',
  'other_addr',
  'local_port',
  'other_port',
  'mark',
  'interface',
  // Not in the reference's list of fields, but used by its own nftset examples.
  'ip_proto',
] as const;

export const IPSET_DATATYPES = ['ip', 'ip,port', 'ip,port,ip', 'mac'] as const;
export const IPSET_STORAGE = ['bitmap', 'hash', 'list'] as const;

// ------------------------------------------------------------------ target types

export const TARGET_TYPES: Readonly<Record<string, TargetTypeSpec>> = {
  ipset: {
    type: 'ipset',
    description: 'Adds matching flows to a Linux IP set.',
    platforms: 'linux',
    options: [
      SET_NAME,
      {
        name: 'type',
        type: 'ipset_type',
        field: 'ipsetType',
        default: 'hash:ip',
        description: 'IP set type: storage (bitmap, hash, list) and datatype (ip, ip,port, ip,port,ip, mac), e.g. hash:ip,port,ip.',
      },
      { name: 'skb_mark', type: 'hex32', description: 'Firewall mark set on packets matching the set (needs a SET rule with --map-set).' },
      {
        name: 'skb_mask',
        type: 'hex32',
        description: 'Mask for skb_mark; 0xffffffff when skb_mark is set without one.',
      },
      { name: 'skb_prio', type: 'tc_class', description: 'Traffic control class MAJOR:MINOR.' },
      { name: 'skb_queue', type: 'int', min: 0, max: 65535, description: 'Hardware queue id.' },
      SET_FAMILY,
      TTL,
      MANAGED,
      MAX_ELEMENTS,
      FLUSH_ON_CREATE,
      FLUSH_ON_DESTROY,
    ],
    globals: [],
  },
  nftset: {
    type: 'nftset',
    description: 'Adds matching flows to an nftables set.',
    platforms: 'linux',
    options: [
      SET_NAME,
      { name: 'table_name', type: 'string', default: 'nfa', description: 'Table the set belongs to.' },
      {
        name: 'table_family',
        type: 'enum',
        values: ['ip', 'ip6', 'inet', 'bridge', 'arp', 'netdev'],
        default: 'inet',
        description: 'Family of the table.',
      },
      SET_FAMILY,
      TTL,
      {
        name: 'type',
        type: 'enum',
        multiple: true,
        required: true,
        values: NFT_SET_FIELDS,
        field: 'fields',
        description: `Flow fields that make up an element, in order (rules must use the same order): ${NFT_SET_FIELDS.join(', ')}.`,
      },
      MANAGED,
      MAX_ELEMENTS,
      {
        name: 'size',
        type: 'int',
        min: 1,
        field: null,
        description: 'Set size, as the reference\'s own nftset examples spell it; max_elements wins when both are given.',
      },
      FLUSH_ON_CREATE,
      FLUSH_ON_DESTROY,
    ],
    globals: [],
  },
  ctlabel: {
    type: 'ctlabel',
    description: 'Sets conntrack labels (bits) on matching flows.',
    platforms: 'linux',
    options: [
      {
        name: 'label',
        type: 'string',
        multiple: true,
        field: 'labels',
        aliases: ['labels'],
        description: 'Label bits or names (from connlabel.conf) applied to every flow reaching the target.',
      },
      {
        name: 'auto_label',
        type: 'bool',
        default: '0',
        description:
          "Apply connlabel.conf names made from the flow's application (a-<name>) or protocol (p-<name>), '/' written as '-'.",
      },
      { name: 'log_errors', type: 'bool', default: '0', description: 'Log flows that could not be labelled (debug mode).' },
    ],
    globals: [
      { name: 'max_bits', type: 'int', default: '127', min: 0, max: 127, description: 'Highest label bit the system supports.' },
      {
        name: 'connlabel_conf',
        type: 'path',
        default: '/etc/xtables/connlabel.conf',
        description: 'The connlabel.conf file that names label bits.',
      },
    ],
  },
  ctmark: {
    type: 'ctmark',
    description: 'Sets the conntrack mark of matching flows.',
    platforms: 'linux',
    options: [
      { name: 'mark', type: 'hex32', required: true, description: 'Value written to the conntrack mark (32-bit, hexadecimal).' },
      {
        name: 'mask',
        type: 'hex32',
        default: '0xffffffff',
        description: 'Bits of the mark that change; 0xffffffff replaces the whole mark.',
      },
      { name: 'shift', type: 'int', default: '0', min: 0, max: 31, description: 'Left shift applied to mark before it is written.' },
    ],
    globals: [],
  },
  pftable: {
    type: 'pftable',
    description: 'Adds matching flows to a PF table (FreeBSD only; flowsieve does not act on it).',
    platforms: 'freebsd',
    options: [
      { name: 'table_name', type: 'string', required: true, description: 'PF table name.' },
      { name: 'anchor_name', type: 'string', description: 'PF anchor of the table.' },
      {
        name: 'address_type',
        type: 'enum',
        values: ['local', 'other'],
        default: 'other',
        description: 'Which address of the flow goes into the table.',
      },
      TTL,
      MANAGED,
    ],
    globals: [{ name: 'device', type: 'path', default: '/dev/pf', description: 'PF control device.' }],
  },
  log: {
    type: 'log',
    description: 'Writes matching flows to JSON files (for development and testing).',
    platforms: 'all',
    options: [
      { name: 'prefix', type: 'string', description: 'Log file name prefix.' },
      { name: 'path', type: 'path', default: '/tmp', description: 'Directory for the log files.' },
      { name: 'suffix', type: 'string', default: '.json', description: 'Log file name suffix.' },
      {
        name: 'interval',
        type: 'duration',
        default: '60',
        min: 1,
        description: 'Seconds between log files; a file is written only when there is something in it.',
      },
    ],
    globals: [],
  },
  sink: {
    type: 'sink',
    description: 'Sends flow action events to a Netify sink plugin.',
    platforms: 'all',
    options: [
      { name: 'sink', type: 'string', description: 'Name of the sink (its plugin loader section, e.g. sink-socket).' },
      { name: 'channel', type: 'string', description: 'Sink channel.' },
      { name: 'format', type: 'enum', values: ['json', 'msgpack'], description: 'Data format.' },
      { name: 'compressor', type: 'enum', values: ['none', 'gz'], description: 'Compression.' },
      {
        name: 'flow_events',
        type: 'flags',
        values: ['new', 'updated', 'expired'],
        description: "Flow events to send, joined with '|': new | updated | expired.",
      },
      { name: 'header', type: 'bool', description: 'Include a length header in JSON output.' },
      {
        name: 'endpoint',
        type: 'string',
        default: 'unix:/var/run/flowsieve/sink.sock',
        description: "Where records go: 'unix:<path>' (a stream socket) or 'tcp:<host>:<port>' ([v6 address] in brackets).",
      },
      {
        name: 'buffer_size',
        type: 'int',
        default: '1048576',
        min: 4096,
        description: 'Bytes held for a slow or absent receiver; records beyond it are dropped and counted.',
      },
    ],
    globals: [],
  },
  ipfix: {
    type: 'ipfix',
    description: 'Exports matching flows as IPFIX records (RFC 7011) to a collector, with the application (RFC 6759).',
    platforms: 'all',
    options: [
      {
        name: 'collector',
        type: 'string',
        required: true,
        description: "The collector as '<host>:<port>' ([v6 address] in brackets), e.g. 192.0.2.10:4739.",
      },
      { name: 'transport', type: 'enum', values: ['udp', 'tcp'], default: 'udp', description: 'IPFIX over UDP or TCP.' },
      {
        name: 'template_interval',
        type: 'duration',
        default: '60',
        min: 1,
        description: 'Seconds between template (and application name) re-sends over UDP; TCP sends them once per connection.',
      },
      { name: 'observation_domain', type: 'int', default: '0', min: 0, description: 'Observation domain id in the message header.' },
      {
        name: 'enterprise_number',
        type: 'int',
        default: '32473',
        min: 1,
        description: "Private enterprise number of the host-name field (32473 is IANA's number for documentation; use your own).",
      },
      {
        name: 'buffer_size',
        type: 'int',
        default: '1048576',
        min: 4096,
        description: 'Bytes held while a TCP collector is slow or away; records beyond it are dropped and counted.',
      },
    ],
    globals: [],
  },
};

/** Options every target section takes; `target_type` names a key of TARGET_TYPES. */
export const TARGET_COMMON: readonly OptionSpec[] = [
  {
    name: 'target_type',
    type: 'enum',
    required: true,
    values: Object.keys(TARGET_TYPES),
    description: 'What the target does: log, ipset, nftset, ctlabel, ctmark, pftable (FreeBSD), sink or ipfix.',
  },
  {
    name: 'target_enabled',
    type: 'bool',
    default: '1',
    aliases: ['enabled'],
    description: 'A disabled target does nothing when actions call it. (No default in the reference; flowsieve assumes enabled.)',
  },
];

// ------------------------------------------------------------------ section types

export const SECTION_TYPES: readonly SectionSpec[] = [
  {
    type: 'globals',
    description: 'Daemon settings.',
    naming: 'any',
    single: true,
    options: [
      { name: 'enabled', type: 'bool', default: '1', description: 'Run the daemon.' },
      {
        name: 'queue',
        type: 'queue',
        default: '0',
        description: 'NFQUEUE number, or a range (0-3) to spread flows over several queues.',
      },
      {
        name: 'fail_open',
        type: 'bool',
        default: '1',
        description: 'Let packets through when the daemon falls behind or is not running (queue bypass and fail-open).',
      },
      {
        name: 'packet_cap',
        type: 'int',
        default: '32',
        min: 1,
        max: 1000,
        description: 'Packets of each flow sent to the daemon for classification; later packets skip the queue.',
      },
      {
        name: 'lan',
        type: 'device',
        multiple: true,
        default: ['br-lan'],
        description: "Network devices with the 'lan' role (for interface filters and local/other addresses).",
      },
      {
        name: 'wan',
        type: 'device',
        multiple: true,
        description: "Network devices with the 'wan' role; when none are listed, every device not in lan counts as wan.",
      },
      { name: 'max_flows', type: 'int', default: '65536', min: 1, description: 'Flows tracked at once; the oldest idle one makes room.' },
      {
        name: 'log_level',
        type: 'enum',
        values: ['error', 'warning', 'notice', 'info', 'debug'],
        default: 'info',
        description: 'Least important messages logged.',
      },
      {
        name: 'timezone',
        type: 'string',
        description: 'Zone for time_of_day windows (a zoneinfo name such as Europe/Berlin, or a POSIX TZ string); default: the system zone.',
      },
      {
        name: 'groups_file',
        type: 'path',
        description: 'File of address groups that expressions use as @name.',
      },
      {
        name: 'reprocess_flows',
        type: 'bool',
        default: '0',
        description: 'Re-evaluate every active flow against the actions on reload (costs CPU with many flows).',
      },
      { name: 'queue_maxlen', type: 'int', default: '4096', min: 16, max: 1048576, description: 'Packets waiting in each kernel queue at most.' },
      { name: 'copy_range', type: 'int', default: '4096', min: 128, max: 65535, description: 'Bytes of each queued packet copied to the daemon.' },
      {
        name: 'bypass_mark',
        type: 'hex32',
        default: '0x10000000',
        description:
          'Packet mark bit the daemon sets on a flow it is done with; the rules save it in the conntrack mark and the flow stops entering the queue.',
      },
      {
        name: 'firewall',
        type: 'enum',
        values: ['auto', 'nft', 'iptables'],
        default: 'auto',
        description:
          "Where the queue rule goes: 'nft' (table inet flowsieve), 'iptables' (mangle chain flowsieve, for fw3 or kernels without the nft queue expression), 'auto' (nft when the kernel has it).",
      },
      {
        name: 'flow_offload',
        type: 'bool',
        default: '0',
        description:
          "Offload flows to flowsieve's own flowtable once classified (turn fw4's flow_offloading off: it offloads before the first payload is seen).",
      },
      { name: 'bridge', type: 'bool', default: '0', description: 'Also queue bridged traffic in the nft form (table bridge flowsieve; needs the nft queue expression). In the iptables form bridged IPv4 is queued whenever br_netfilter passes it to iptables (net.bridge.bridge-nf-call-iptables=1), whatever this says.' },
      { name: 'keep_rules', type: 'bool', default: '0', description: 'Leave the firewall rules in place when the daemon stops (fail-open still lets traffic through).' },
      { name: 'ct_label_init', type: 'string', description: 'Conntrack label (bit or connlabel.conf name) set on every queued flow; reserves label space for ctlabel targets.' },
      { name: 'ct_label_allow', type: 'string', description: 'Conntrack label whose flows skip the queue and are accepted.' },
      { name: 'ct_label_block', type: 'string', description: 'Conntrack label whose flows are dropped (exempt addresses excepted).' },
    ],
  },
  {
    type: 'action',
    description: 'A policy: flows matching the criteria (and not exempt) are handed to the targets.',
    naming: 'any',
    options: [
      { name: 'enabled', type: 'bool', default: '1', description: 'State of the action.' },
      {
        name: 'criteria',
        type: 'criterion',
        multiple: true,
        required: true,
        description:
          'Flow expressions (several are alternatives), or files of them: an entry starting with /, ./ or ${ is a path.',
      },
      {
        name: 'target',
        type: 'section',
        multiple: true,
        required: true,
        aliases: ['targets'],
        description: 'Names of the target sections called when a flow matches.',
      },
      {
        name: 'exemption',
        type: 'exemption',
        multiple: true,
        aliases: ['exemptions'],
        description:
          'Flows this action skips: addresses, CIDR prefixes, flow expressions, or names of exemption sections.',
      },
      {
        name: 'interface',
        type: 'interface',
        default: '*',
        description: "Only flows seen on this device, or role (lan, wan); '*' for all.",
      },
      {
        name: 'priority',
        type: 'int',
        default: '0',
        description: 'Evaluation order: lower first; equal priorities keep file order.',
      },
      {
        name: 'halt_on_match',
        type: 'bool',
        default: '0',
        description: 'A match stops the evaluation of the actions after this one.',
      },
      {
        name: 'time_of_day',
        type: 'time_of_day',
        multiple: true,
        description: "Windows when the action applies: '[days] [hh:mm-hh:mm] [inclusive|exclusive]', e.g. 'mon-fri 09:00-17:00'.",
      },
      {
        name: 'reprocess_flows',
        type: 'bool',
        description: 'Re-evaluate active flows against this action on reload; default: the globals setting.',
      },
    ],
  },
  {
    type: 'target',
    description: 'What happens to matching flows; called by actions by section name.',
    naming: 'named',
    options: 'target',
  },
  {
    type: 'target_default',
    aliases: ['target_defaults'],
    description:
      "Defaults for every target of one type; the section is named after the type (config target_default 'ipset') or sets target_type.",
    naming: 'any',
    options: 'target_default',
  },
  {
    type: 'target_global',
    aliases: ['target_globals'],
    description: "Settings shared by all targets of one type (config target_global 'ctlabel', or any name with target_type).",
    naming: 'any',
    options: 'target_global',
  },
  {
    type: 'exemption',
    description: "A named list of exemptions for actions to use; the section named 'global' applies to every action.",
    naming: 'named',
    options: [
      {
        name: 'exemption',
        type: 'exemption',
        multiple: true,
        aliases: ['exemptions'],
        description: 'Addresses, CIDR prefixes, flow expressions, or names of other exemption sections.',
      },
    ],
  },
];

/** Name of the exemption section that applies to every action. */
export const GLOBAL_EXEMPTION_SECTION = 'global';

/** Section spec by type name or alias. */
export function sectionSpec(type: string): SectionSpec | undefined {
  return SECTION_TYPES.find((s) => s.type === type || (s.aliases?.includes(type) ?? false));
}

/** All spellings of section types (for "did you mean"). */
export function sectionTypeNames(): string[] {
  return SECTION_TYPES.flatMap((s) => [s.type, ...(s.aliases ?? [])]);
}

/** Options of a `config target` of a given type (common ones first). */
export function targetOptions(type: string): readonly OptionSpec[] {
  const t = TARGET_TYPES[type];
  return t ? [...TARGET_COMMON, ...t.options] : TARGET_COMMON;
}

/** The property of a built target that holds this option's value; null: folded into another. */
export function targetField(o: OptionSpec): string | null {
  if (o.field !== undefined) return o.field;
  return o.name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}

export function findOption(options: readonly OptionSpec[], name: string): OptionSpec | undefined {
  return options.find((o) => o.name === name) ?? options.find((o) => o.aliases?.includes(name) ?? false);
}

// ------------------------------------------------------------------ value types

/** NFQUEUE numbers: first..last (equal for one queue). */
export interface QueueRange {
  readonly first: number;
  readonly last: number;
}

/** A checked value: strings stay strings, numbers and booleans are converted. */
export type ConfigValue = string | number | boolean | QueueRange | TimeWindowSpec | readonly string[];

export type ValueResult =
  | { readonly ok: true; readonly value: ConfigValue }
  /** `expected`: what the option takes; `problem`: what is wrong, when more can be said than "got …". */
  | { readonly ok: false; readonly expected: string; readonly problem?: string };

const TRUE_WORDS = ['1', 'yes', 'on', 'true', 'enabled'];
const FALSE_WORDS = ['0', 'no', 'off', 'false', 'disabled'];

/** OpenWrt's boolean spellings (as in /lib/functions.sh and uci's own tools). */
export function parseBool(v: string): boolean | null {
  const w = v.trim().toLowerCase();
  if (TRUE_WORDS.includes(w)) return true;
  if (FALSE_WORDS.includes(w)) return false;
  return null;
}

function parseIntStrict(v: string): number | null {
  const t = v.trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

const DURATION_UNITS: Readonly<Record<string, number>> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

function parseDuration(v: string): number | null {
  const m = /^(\d+)\s*([smhd]?)$/i.exec(v.trim());
  if (!m) return null;
  const n = Number(m[1]) * DURATION_UNITS[m[2]!.toLowerCase()]!;
  return Number.isSafeInteger(n) ? n : null;
}

function parseHex32(v: string): number | null {
  const t = v.trim();
  let n: number;
  if (/^0x[0-9a-f]{1,8}$/i.test(t)) n = parseInt(t.slice(2), 16);
  else if (/^\d{1,10}$/.test(t)) n = Number(t);
  else return null;
  return n <= 0xffffffff ? n : null;
}

/** Linux device names: 1–15 characters, no blanks, '/' or ':' (aliases are not devices). */
const DEVICE_RE = /^[^\s/:'"]{1,15}$/;

function inRange(n: number, spec: OptionSpec): string | null {
  if (spec.min !== undefined && n < spec.min) return `at least ${spec.min}`;
  if (spec.max !== undefined && n > spec.max) return `at most ${spec.max}`;
  return null;
}

function numberResult(n: number | null, spec: OptionSpec, what: string): ValueResult {
  if (n === null) return { ok: false, expected: what };
  const bad = inRange(n, spec);
  return bad ? { ok: false, expected: `${what}, ${bad}` } : { ok: true, value: n };
}

/** Looks like a file of criteria rather than an expression. */
export function isCriteriaPath(v: string): boolean {
  const t = v.trim();
  return t.startsWith('/') || t.startsWith('./') || t.startsWith('../') || t.startsWith('${');
}

/** Check and convert one value (one list item) against its option spec. */
export function parseValue(spec: OptionSpec, raw: string): ValueResult {
  const v = raw;
  switch (spec.type) {
    case 'string':
    case 'section':
      return v.trim() === '' ? { ok: false, expected: 'a non-empty string' } : { ok: true, value: v };
    case 'path':
      return v.trim() === '' || /[\n\r]/.test(v) ? { ok: false, expected: 'a file path' } : { ok: true, value: v.trim() };
    case 'criterion':
    case 'exemption':
      return v.trim() === '' ? { ok: false, expected: 'a non-empty entry' } : { ok: true, value: v };
    case 'bool': {
      const b = parseBool(v);
      return b === null ? { ok: false, expected: `a boolean: ${BOOL_HELP}` } : { ok: true, value: b };
    }
    case 'int':
      return numberResult(parseIntStrict(v), spec, 'an integer');
    case 'duration':
      return numberResult(parseDuration(v), spec, 'a number of seconds (or with a unit: 90s, 15m, 2h, 1d)');
    case 'hex32':
      return numberResult(parseHex32(v), spec, 'a 32-bit value in hexadecimal (0x00000002) or decimal');
    case 'enum': {
      const values = spec.values ?? [];
      const t = v.trim();
      return values.includes(t) ? { ok: true, value: t } : { ok: false, expected: `one of ${values.join(', ')}` };
    }
    case 'flags': {
      const values = spec.values ?? [];
      const words = v.split('|').map((w) => w.trim());
      if (words.length === 0 || words.some((w) => !values.includes(w))) {
        return { ok: false, expected: `words from ${values.join(', ')} joined by '|'` };
      }
      return { ok: true, value: words };
    }
    case 'interface': {
      const t = v.trim();
      if (t === '*' || t === 'lan' || t === 'wan' || DEVICE_RE.test(t)) return { ok: true, value: t };
      return { ok: false, expected: "'*', a role (lan, wan) or a network device name (up to 15 characters)" };
    }
    case 'device': {
      const t = v.trim();
      return DEVICE_RE.test(t) ? { ok: true, value: t } : { ok: false, expected: 'a network device name (up to 15 characters)' };
    }
    case 'queue': {
      const m = /^(\d{1,5})(?:\s*[-:]\s*(\d{1,5}))?$/.exec(v.trim());
      if (m) {
        const first = Number(m[1]);
        const last = m[2] === undefined ? first : Number(m[2]);
        if (first <= last && last <= 65535) return { ok: true, value: { first, last } };
      }
      return { ok: false, expected: 'a queue number 0-65535 or a range such as 0-3' };
    }
    case 'ipset_type': {
      const m = /^([a-z]+):(.+)$/.exec(v.trim());
      const storage = m?.[1];
      const datatype = m?.[2];
      const okStorage = storage !== undefined && (IPSET_STORAGE as readonly string[]).includes(storage);
      const okType = datatype !== undefined && (IPSET_DATATYPES as readonly string[]).includes(datatype);
      return okStorage && okType
        ? { ok: true, value: v.trim() }
        : { ok: false, expected: `storage:datatype with storage ${IPSET_STORAGE.join('/')} and datatype ${IPSET_DATATYPES.join(' | ')}` };
    }
    case 'tc_class':
      return /^[0-9a-f]{1,4}:[0-9a-f]{1,4}$/i.test(v.trim())
        ? { ok: true, value: v.trim() }
        : { ok: false, expected: 'a tc class MAJOR:MINOR in hexadecimal (e.g. 1:10)' };
    case 'time_of_day': {
      const w = parseTimeWindow(v);
      return w.ok ? { ok: true, value: w.window } : { ok: false, expected: TIME_WINDOW_HELP, problem: w.error };
    }
  }
}
