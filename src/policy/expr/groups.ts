/**
 * Address groups: named lists of IP addresses, CIDR prefixes and MAC addresses that
 * expressions reference as `@name` (`other_ip == @blocklist`, `local_mac == @kids`).
 *
 * File format (text), one group per header line, entries separated by commas or blanks:
 *
 *     # comment to end of line
 *     kids: 192.168.1.20, 192.168.1.21, 00:11:22:33:44:55
 *     servers: 10.0.0.0/8 2001:db8::/32
 *         172.16.0.0/12          # a line without a `name:` header continues the group above
 *     everyone: @kids, @servers  # a group may include other groups
 *
 * A header is `name:` (optionally `@name:`) followed by a blank or the end of the line; names
 * are letters, digits, `_`, `.` and `-` and compare case-insensitively. The same content may
 * be given as JSON: `{"kids": ["192.168.1.20", "00:11:22:33:44:55"], ...}`.
 */
import { parseCidr, parseMac, type Cidr } from '../../net/address.js';
import { PrefixSet } from '../../net/prefix-tree.js';

export interface AddressGroup {
  readonly name: string;
  readonly prefixes: PrefixSet;
  /** Lower-case, colon-separated MAC addresses. */
  readonly macs: ReadonlySet<string>;
  /** Line of the group's header (0 for groups not read from a text file). */
  readonly line: number;
}

/** Groups by lower-case name. */
export type AddressGroups = ReadonlyMap<string, AddressGroup>;

export interface GroupsError {
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export type GroupsResult =
  | { readonly ok: true; readonly groups: AddressGroups }
  | { readonly ok: false; readonly errors: GroupsError[] };

/** One group as written, before entries are checked and includes resolved. */
export interface GroupDefinition {
  readonly name: string;
  readonly entries: readonly GroupEntryText[];
  readonly line?: number;
}

export interface GroupEntryText {
  readonly text: string;
  readonly line?: number;
  readonly column?: number;
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
const HEADER = /^(\s*)@?([A-Za-z0-9_][A-Za-z0-9_.-]*)\s*:(?=\s|$)/;

export function parseGroupsFile(text: string): GroupsResult {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) return parseGroupsJson(trimmed);
  const defs: { name: string; entries: GroupEntryText[]; line: number }[] = [];
  const errors: GroupsError[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let current: { name: string; entries: GroupEntryText[]; line: number } | null = null;
  for (let li = 0; li < lines.length; li++) {
    const lineNo = li + 1;
    let line = lines[li]!;
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    if (line.trim() === '') continue;
    let rest = 0;
    const h = HEADER.exec(line);
    if (h) {
      current = { name: h[2]!, entries: [], line: lineNo };
      defs.push(current);
      rest = h[0].length;
    } else if (current === null) {
      const col = line.length - line.trimStart().length + 1;
      errors.push({ line: lineNo, column: col, message: 'entry before any group header (write `name: entries`)' });
      continue;
    }
    const entryRe = /[^\s,]+/g;
    entryRe.lastIndex = rest;
    for (let m = entryRe.exec(line); m !== null; m = entryRe.exec(line)) {
      current!.entries.push({ text: m[0], line: lineNo, column: m.index + 1 });
    }
  }
  if (errors.length > 0) return { ok: false, errors };
  return buildGroups(defs);
}

function parseGroupsJson(text: string): GroupsResult {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [{ line: 1, column: 1, message: `invalid JSON: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, errors: [{ line: 1, column: 1, message: 'JSON groups file must be an object of name: [entries]' }] };
  }
  const defs: GroupDefinition[] = [];
  const errors: GroupsError[] = [];
  for (const [name, list] of Object.entries(data as { [k: string]: unknown })) {
    if (!Array.isArray(list) || !list.every((x): x is string => typeof x === 'string')) {
      errors.push({ line: 0, column: 0, message: `group '${name}': value must be an array of strings` });
      continue;
    }
    defs.push({ name: name.replace(/^@/, ''), entries: list.map((t) => ({ text: t.trim() })) });
  }
  if (errors.length > 0) return { ok: false, errors };
  return buildGroups(defs);
}

/**
 * Check entries, resolve `@other` includes and build each group's prefix tree. Also the entry
 * point for groups that come from elsewhere (UCI sections, tests).
 */
export function buildGroups(defs: readonly GroupDefinition[]): GroupsResult {
  const errors: GroupsError[] = [];
  const byName = new Map<string, GroupDefinition>();
  for (const d of defs) {
    const key = d.name.toLowerCase();
    if (!NAME.test(d.name)) {
      errors.push({ line: d.line ?? 0, column: 1, message: `invalid group name '${d.name}'` });
      continue;
    }
    const prev = byName.get(key);
    if (prev) {
      errors.push({
        line: d.line ?? 0,
        column: 1,
        message: `group '${d.name}' is defined twice` + (prev.line ? ` (first on line ${prev.line})` : ''),
      });
      continue;
    }
    byName.set(key, d);
  }

  // Resolve one group's entries, following includes depth-first; `stack` catches cycles.
  const resolved = new Map<string, { cidrs: Cidr[]; macs: Set<string> }>();
  const resolve = (key: string, stack: string[]): { cidrs: Cidr[]; macs: Set<string> } => {
    const done = resolved.get(key);
    if (done) return done;
    const def = byName.get(key)!;
    const out = { cidrs: [] as Cidr[], macs: new Set<string>() };
    resolved.set(key, out); // provisional: a cycle sees a partial group but reports the error
    for (const e of def.entries) {
      const where = { line: e.line ?? def.line ?? 0, column: e.column ?? 0 };
      if (e.text.startsWith('@')) {
        const ref = e.text.slice(1).toLowerCase();
        if (!byName.has(ref)) {
          errors.push({ ...where, message: `group '${def.name}': unknown group '${e.text}'` });
        } else if (stack.includes(ref)) {
          errors.push({ ...where, message: `group '${def.name}': '${e.text}' includes itself (cycle)` });
        } else {
          const inner = resolve(ref, [...stack, ref]);
          out.cidrs.push(...inner.cidrs);
          for (const m of inner.macs) out.macs.add(m);
        }
        continue;
      }
      const mac = parseMac(e.text);
      if (mac !== null) {
        out.macs.add(mac);
        continue;
      }
      const cidr = parseCidr(e.text);
      if (cidr === null) {
        errors.push({ ...where, message: `group '${def.name}': '${e.text}' is not an IP address, CIDR prefix, MAC address or @group` });
        continue;
      }
      out.cidrs.push(cidr);
    }
    return out;
  };

  const groups = new Map<string, AddressGroup>();
  for (const [key, def] of byName) {
    const r = resolve(key, [key]);
    groups.set(key, { name: def.name, prefixes: PrefixSet.of(r.cidrs), macs: r.macs, line: def.line ?? 0 });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, groups };
}

/** Convenience for callers holding plain lists (`{kids: ['192.168.1.20', …]}`). */
export function groupsFromLists(lists: { readonly [name: string]: readonly string[] }): GroupsResult {
  return buildGroups(Object.entries(lists).map(([name, entries]) => ({ name, entries: entries.map((text) => ({ text })) })));
}
