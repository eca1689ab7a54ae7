/**
 * The typed configuration the daemon runs on (`PolicyConfig`): globals with defaults
 * applied, actions in evaluation order, targets with their type's options, exemption
 * sections expanded. build-policy-config.ts makes it from a validated UCI package.
 *
 * Criteria and exemptions stay source strings (with where they came from): compiling them
 * is the expression compiler's job, and reading criteria files is the caller's I/O.
 */
import type { ConfigValue, QueueRange } from './schema.js';
import type { TimeWindowSpec } from './time-window.js';

/** Where a value came from, for messages about it (e.g. an expression's compile error). */
export interface ConfigSource {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Section name or `@type[i]`. */
  readonly section: string;
  readonly option: string | null;
}

export type LogLevel = 'error' | 'warning' | 'notice' | 'info' | 'debug';

export interface GlobalsConfig {
  readonly enabled: boolean;
  readonly queue: QueueRange;
  readonly failOpen: boolean;
  /** Packets of a flow sent to the queue. */
  readonly packetCap: number;
  readonly lan: readonly string[];
  /** Empty: every device not in `lan`. */
  readonly wan: readonly string[];
  readonly maxFlows: number;
  readonly logLevel: LogLevel;
  /** Zone name or POSIX TZ string; null: the system's. */
  readonly timezone: string | null;
  readonly groupsFile: string | null;
  readonly reprocessFlows: boolean;
  readonly queueMaxLen: number;
  readonly copyRange: number;
  readonly bypassMark: number;
  readonly firewall: 'auto' | 'nft' | 'iptables';
  readonly flowOffload: boolean;
  readonly bridge: boolean;
  readonly keepRules: boolean;
  readonly ctLabels: { readonly init: string | null; readonly allow: string | null; readonly block: string | null };
}

export type CriterionConfig =
  | { readonly kind: 'expression'; readonly text: string; readonly source: ConfigSource }
  /** A file of expressions (the path as written; `${…}` variables are the caller's to expand). */
  | { readonly kind: 'file'; readonly path: string; readonly source: ConfigSource };

export interface ExemptionEntry {
  /** Address, CIDR prefix or flow expression. */
  readonly text: string;
  readonly source: ConfigSource;
  /** The exemption section it came from, when the action named one. */
  readonly via: string | null;
}

export interface ActionConfig {
  /** Section name, or `@action[i]`. */
  readonly name: string;
  readonly enabled: boolean;
  /** Alternatives: a flow matches when any matches. */
  readonly criteria: readonly CriterionConfig[];
  /** Names of target sections, in the order given. */
  readonly targets: readonly string[];
  /** The action's own exemptions, exemption sections expanded. */
  readonly exemptions: readonly ExemptionEntry[];
  /** `*`, `lan`, `wan` or a device. */
  readonly interface: string;
  readonly priority: number;
  readonly haltOnMatch: boolean;
  /** Empty: always active. */
  readonly timeOfDay: readonly TimeWindowSpec[];
  readonly reprocessFlows: boolean;
  /** Position in the file (tie-break for equal priorities). */
  readonly order: number;
  readonly source: ConfigSource;
}

interface TargetBase {
  readonly name: string;
  readonly enabled: boolean;
  readonly source: ConfigSource;
}

export type SetFamily = 'ipv4' | 'ipv6' | '*';

export interface IpsetTarget extends TargetBase {
  readonly type: 'ipset';
  readonly setName: string;
  /** e.g. `hash:ip,port,ip`. */
  readonly ipsetType: string;
  readonly setFamily: SetFamily;
  readonly ttl: number;
  readonly managed: boolean;
  readonly maxElements: number;
  readonly flushOnCreate: boolean;
  readonly flushOnDestroy: boolean;
  readonly skbMark: number | null;
  /** 0xffffffff when a mark is set without a mask. */
  readonly skbMask: number | null;
  readonly skbPrio: string | null;
  readonly skbQueue: number | null;
}

export interface NftsetTarget extends TargetBase {
  readonly type: 'nftset';
  readonly setName: string;
  readonly tableName: string;
  readonly tableFamily: string;
  readonly setFamily: SetFamily;
  readonly ttl: number;
  /** Flow fields of an element, in order. */
  readonly fields: readonly string[];
  readonly managed: boolean;
  readonly maxElements: number;
  readonly flushOnCreate: boolean;
  readonly flushOnDestroy: boolean;
}

export interface CtlabelTarget extends TargetBase {
  readonly type: 'ctlabel';
  readonly labels: readonly string[];
  readonly autoLabel: boolean;
  readonly logErrors: boolean;
}

export interface CtmarkTarget extends TargetBase {
  readonly type: 'ctmark';
  readonly mark: number;
  readonly mask: number;
  readonly shift: number;
}

export interface PftableTarget extends TargetBase {
  readonly type: 'pftable';
  readonly tableName: string;
  readonly anchorName: string | null;
  readonly addressType: 'local' | 'other';
  readonly ttl: number;
  readonly managed: boolean;
}

export interface LogTarget extends TargetBase {
  readonly type: 'log';
  readonly prefix: string | null;
  readonly path: string;
  readonly suffix: string;
  readonly interval: number;
}

export interface SinkTarget extends TargetBase {
  readonly type: 'sink';
  readonly sink: string | null;
  readonly channel: string | null;
  readonly format: 'json' | 'msgpack' | null;
  readonly compressor: 'none' | 'gz' | null;
  readonly flowEvents: readonly string[];
  readonly header: boolean | null;
  /** `unix:<path>` or `tcp:<host>:<port>`. */
  readonly endpoint: string;
  readonly bufferSize: number;
}

export interface IpfixTarget extends TargetBase {
  readonly type: 'ipfix';
  /** `<host>:<port>`. */
  readonly collector: string;
  readonly transport: 'udp' | 'tcp';
  readonly templateInterval: number;
  readonly observationDomain: number;
  readonly enterpriseNumber: number;
  readonly bufferSize: number;
}

export type TargetConfig = IpsetTarget | NftsetTarget | CtlabelTarget | CtmarkTarget | PftableTarget | LogTarget | SinkTarget | IpfixTarget;

export interface TargetGlobals {
  readonly ctlabel: { readonly maxBits: number; readonly connlabelConf: string };
  readonly pftable: { readonly device: string };
}

/** Checked values of a `target_default` section, by option name (lists for list options). */
export type TargetDefaults = ReadonlyMap<string, ReadonlyMap<string, ConfigValue | readonly ConfigValue[]>>;

export interface PolicyConfig {
  readonly globals: GlobalsConfig;
  /** Actions in evaluation order: priority, then file order. Ignored ones are left out. */
  readonly actions: readonly ActionConfig[];
  readonly targets: ReadonlyMap<string, TargetConfig>;
  /** Exemption sections by name, expanded (sections they name are inlined). */
  readonly exemptions: ReadonlyMap<string, readonly ExemptionEntry[]>;
  /** The `exemption 'global'` section: applies to every action. */
  readonly globalExemptions: readonly ExemptionEntry[];
  readonly targetDefaults: TargetDefaults;
  readonly targetGlobals: TargetGlobals;
  /** Actions left out because they have no criteria or no targets (validation warned). */
  readonly ignoredActions: readonly string[];
}
