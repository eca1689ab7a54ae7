/**
 * Compiled flow actions: which actions match a flow record, in evaluation order, and which
 * targets that fires. Pure: time and interface roles come in as arguments; the caller
 * (daemon, `flowsieve explain`) performs the targets.
 *
 * Order and semantics follow Netify's Flow Actions reference:
 *  - actions run by `priority` (lower first); equal priorities keep configuration order;
 *  - a disabled action, an action whose interface filter does not match, or one outside
 *    its time-of-day windows is skipped;
 *  - global exemptions skip every action; an action's own exemptions skip that action;
 *    an exemption is an address/CIDR (either side of the flow) or a flow expression;
 *  - a match with `halt_on_match` stops the evaluation of later actions.
 */
import type { ActionConfig } from '../config/policy-config.js';
import type { FlowRecord } from '../record/flow-record.js';
import { compileCriteria, formatDiagnostic, type CompileContext, type ExprDiagnostic } from './expr/index.js';
import { PrefixSet } from '../net/prefix-tree.js';

/** What an interface named in `globals` is to the policy. */
export type InterfaceRole = 'lan' | 'wan';

/**
 * A configured action (ActionConfig) ready to compile: its criteria files read into
 * expressions, exemption sections expanded to their entries' text, its time-of-day windows
 * resolved in the policy's zone. The other fields are the configuration's, as documented there.
 */
export interface ActionSpec extends Pick<ActionConfig, 'name' | 'enabled' | 'targets' | 'interface' | 'priority' | 'haltOnMatch'> {
  /** Flow expressions; several are an OR. */
  readonly criteria: readonly string[];
  /** Addresses, CIDRs or expressions. */
  readonly exemptions: readonly string[];
  /** When the action applies; null: always. */
  readonly window: ActiveWindow | null;
}

/** A compiled time-of-day rule: is the action active at this instant? */
export interface ActiveWindow {
  isActive(utcMs: number): boolean;
  /** The first instant after `utcMs` when isActive changes; null: never. */
  nextChange(utcMs: number): number | null;
  /** Human form for `flowsieve check`. */
  describe(): string;
}

export interface PolicySpec {
  readonly actions: readonly ActionSpec[];
  /** Exemptions that apply to every action. */
  readonly globalExemptions: readonly string[];
}

/** Where a message about the policy comes from, e.g. `action 'games' criteria`. */
export interface PolicyMessage {
  readonly where: string;
  readonly message: string;
  /**
   * For a problem in an expression: which list it is in and the compiler's diagnostic,
   * whose `index` is the entry of that list (criteria or exemptions as given), so the
   * caller can point at the place the entry came from.
   */
  readonly expr?: { readonly part: 'criteria' | 'exemptions'; readonly diagnostic: ExprDiagnostic };
}

export type Matcher = (r: FlowRecord) => boolean;

export interface CompiledExemptions {
  /** Addresses/CIDRs, checked against both local and other address. */
  readonly addresses: PrefixSet;
  readonly expression: Matcher | null;
  /** The entries as given, for display. */
  readonly entries: readonly string[];
}

export interface CompiledAction {
  readonly spec: ActionSpec;
  readonly matches: Matcher;
  readonly exemptions: CompiledExemptions;
  /** Position in configuration order (tie-break for equal priorities). */
  readonly order: number;
}

export interface EvaluationContext {
  /** Wall-clock time, ms since the epoch (for time-of-day windows). */
  readonly now: number;
  /** Role of each interface the daemon listens on. */
  readonly roles: ReadonlyMap<string, InterfaceRole>;
}

export type SkipReason = 'disabled' | 'interface' | 'time' | 'global-exemption' | 'exemption' | 'no-match' | 'halted';

export interface ActionOutcome {
  readonly action: string;
  readonly matched: boolean;
  /** Why the action did not fire; null when it matched. */
  readonly skipped: SkipReason | null;
  readonly targets: readonly string[];
}

export interface CompiledPolicy {
  /** Actions in evaluation order. */
  readonly actions: readonly CompiledAction[];
  readonly globalExemptions: CompiledExemptions;
  /** Every action's outcome for this flow, in evaluation order (for `explain`). */
  explain(record: FlowRecord, ctx: EvaluationContext): ActionOutcome[];
  /** Only the actions that fire, in order (the daemon's hot path). */
  evaluate(record: FlowRecord, ctx: EvaluationContext): CompiledAction[];
}

export type PolicyResult =
  | { readonly ok: true; readonly policy: CompiledPolicy; readonly warnings: readonly PolicyMessage[] }
  | { readonly ok: false; readonly errors: readonly PolicyMessage[]; readonly warnings: readonly PolicyMessage[] };

/** Exemption entries: address or CIDR text goes to a prefix set, the rest is an expression. */
export function compileExemptions(
  entries: readonly string[],
  where: string,
  ctx: CompileContext,
  errors: PolicyMessage[],
  warnings: PolicyMessage[],
): CompiledExemptions {
  const addresses = new PrefixSet();
  const expressions: string[] = [];
  /** Entry index of each expression. */
  const entryOf: number[] = [];
  entries.forEach((e, i) => {
    const text = e.trim();
    if (text === '' || addresses.addText(text)) return;
    expressions.push(text);
    entryOf.push(i);
  });
  let expression: Matcher | null = null;
  if (expressions.length) {
    const c = compileCriteria(expressions, ctx);
    const message = (d: ExprDiagnostic): PolicyMessage => ({
      where,
      message: formatDiagnostic(d),
      expr: { part: 'exemptions', diagnostic: { ...d, index: entryOf[d.index]! } },
    });
    for (const w of c.warnings) warnings.push(message(w));
    if (c.ok) expression = c.evaluate;
    else for (const err of c.errors) errors.push(message(err));
  }
  return { addresses, expression, entries };
}

function exempt(x: CompiledExemptions, r: FlowRecord): boolean {
  if (x.addresses.size > 0 && (x.addresses.has(r.local_ip) || x.addresses.has(r.other_ip))) return true;
  return x.expression !== null && x.expression(r);
}

function interfaceMatches(filter: string, iface: string | null, roles: ReadonlyMap<string, InterfaceRole>): boolean {
  if (filter === '*' || filter === '') return true;
  if (iface === null) return false;
  if (filter === 'lan' || filter === 'wan') return roles.get(iface) === filter || iface === filter;
  return iface === filter;
}

export function compilePolicy(spec: PolicySpec, ctx: CompileContext = {}): PolicyResult {
  const errors: PolicyMessage[] = [];
  const warnings: PolicyMessage[] = [];
  const globalExemptions = compileExemptions(spec.globalExemptions, 'global exemptions', ctx, errors, warnings);
  const names = new Set<string>();
  const actions: CompiledAction[] = [];
  spec.actions.forEach((a, order) => {
    const where = `action '${a.name}'`;
    if (names.has(a.name)) errors.push({ where, message: 'defined twice' });
    names.add(a.name);
    if (a.targets.length === 0) errors.push({ where, message: 'has no targets (every action needs at least one)' });
    const c = compileCriteria(a.criteria.length ? a.criteria : [], ctx);
    const message = (d: ExprDiagnostic): PolicyMessage => ({
      where: `${where} criteria`,
      message: formatDiagnostic(d),
      expr: { part: 'criteria', diagnostic: d },
    });
    for (const w of c.warnings) warnings.push(message(w));
    if (!c.ok) for (const e of c.errors) errors.push(message(e));
    const exemptions = compileExemptions(a.exemptions, `${where} exemptions`, ctx, errors, warnings);
    if (c.ok) actions.push({ spec: a, matches: c.evaluate, exemptions, order });
  });
  if (errors.length) return { ok: false, errors, warnings };
  actions.sort((x, y) => x.spec.priority - y.spec.priority || x.order - y.order);

  const outcome = (a: CompiledAction, r: FlowRecord, c: EvaluationContext): SkipReason | null => {
    const s = a.spec;
    if (!s.enabled) return 'disabled';
    if (!interfaceMatches(s.interface, r.interface, c.roles)) return 'interface';
    if (s.window && !s.window.isActive(c.now)) return 'time';
    if (!a.matches(r)) return 'no-match';
    if (exempt(a.exemptions, r)) return 'exemption';
    return null;
  };

  const policy: CompiledPolicy = {
    actions,
    globalExemptions,
    explain(r, c) {
      const out: ActionOutcome[] = [];
      const globallyExempt = exempt(globalExemptions, r);
      let halted = false;
      for (const a of actions) {
        const skipped: SkipReason | null = halted ? 'halted' : globallyExempt ? 'global-exemption' : outcome(a, r, c);
        out.push({ action: a.spec.name, matched: skipped === null, skipped, targets: skipped === null ? a.spec.targets : [] });
        if (skipped === null && a.spec.haltOnMatch) halted = true;
      }
      return out;
    },
    evaluate(r, c) {
      if (exempt(globalExemptions, r)) return [];
      const fired: CompiledAction[] = [];
      for (const a of actions) {
        if (outcome(a, r, c) !== null) continue;
        fired.push(a);
        if (a.spec.haltOnMatch) break;
      }
      return fired;
    },
  };
  return { ok: true, policy, warnings };
}

/**
 * What the flow looks like to policy: when this changes, actions are evaluated again;
 * when it does not, an action that already fired for the flow does not fire again.
 */
export function policyState(r: FlowRecord): string {
  const ssl = r['ssl'] as { version?: unknown; cipher_suite?: unknown } | undefined;
  return [
    r.detected_protocol_name,
    r.detected_application_name ?? '',
    r.host_server_name ?? '',
    r.dns_host_name ?? '',
    r.category.application ?? '',
    r.category.protocol ?? '',
    r.detection_guessed ? 1 : 0,
    r.detection_complete ? 1 : 0,
    r.interface ?? '',
    r.fwmark,
    r.ip_nat ? 1 : 0,
    String(ssl?.version ?? ''),
    String(ssl?.cipher_suite ?? ''),
  ].join('|');
}

/**
 * Per-flow memory of fired actions: `shouldFire` is true once per (action, flow state), so
 * re-evaluation after a metadata update fires an action again only if the flow changed.
 */
export class FiringMemo {
  private readonly fired = new Map<string, string>();

  shouldFire(action: string, state: string): boolean {
    if (this.fired.get(action) === state) return false;
    this.fired.set(action, state);
    return true;
  }

  /** After a reload with reprocess_flows: everything may fire again. */
  reset(): void {
    this.fired.clear();
  }
}
