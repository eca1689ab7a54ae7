/**
 * The LuCI app's content: logic.js loaded the way LuCI's loader loads a class module and
 * run under Node (formatting, chart slices, queue health, the text `check` validates —
 * checked against flowsieve's real config loader); every option the forms edit exists
 * in the config schema; menu entries point at views that exist; the rpcd ACL names only
 * methods the daemon's object has; the po template holds every string.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createNodeRuntime } from '../src/runtime/node.js';
import { loadPolicy } from '../src/policy/load.js';
import { sectionSpec, TARGET_COMMON, TARGET_TYPES } from '../src/config/schema.js';
import { UbusClient } from '../src/ubus/client.js';
import { FlowsieveBus } from '../src/ubus/flowsieve-object.js';
import type { DaemonState } from '../src/live/daemon-state.js';

const APP = new URL('../luci-app/', import.meta.url);
const read = (p: string): string => readFileSync(new URL(p, APP), 'utf8');

/** LuCI's loader: the file's 'require x as y' strings name its arguments after window, document, L. */
export function loadLuciModule(source: string, deps: Record<string, unknown>): Record<string, (...a: never[]) => unknown> {
  const names: string[] = [];
  for (const m of source.matchAll(/^'require ([\w.]+)(?: as (\w+))?';$/gm)) names.push(m[2] ?? m[1]!.replace(/[^a-zA-Z0-9_]/g, '_'));
  const factory = new Function('window', 'document', 'L', ...names, source) as (...a: unknown[]) => new () => Record<string, (...a: never[]) => unknown>;
  const cls = factory(undefined, undefined, undefined, ...names.map((n) => deps[n]));
  return new cls();
}

/** What LuCI's baseclass.extend does for a plain set of methods: a class with them on its prototype. */
const baseclass = {
  extend(props: object) {
    const C = function (this: object) {} as unknown as { prototype: object };
    Object.assign(C.prototype, props);
    return C;
  },
};

type Logic = {
  formatBytes(n: number): string;
  formatDuration(s: number): string;
  slices(e: { name: string; flows: number; bytes: number }[], max: number): { name: string; share: number; bytes: number; flows: number; other?: boolean; colour: string }[];
  queueHealth(cur: object[], prev: object[] | null): { queue: number; state: string; text: string }[];
  deviceName(f: object, hints: object): string;
  quoteUci(v: string): string;
  actionCheckText(criteria: string[], exemptions: string[]): string;
  checkMessages(r: object | null): string[];
  criterionSyntax(t: string): true | string;
  renderOverview(E: unknown, d: object): unknown[];
};
const logic = loadLuciModule(read('htdocs/luci-static/resources/flowsieve/logic.js'), { baseclass }) as unknown as Logic;

test('formatting: bytes in binary units, durations, counts', () => {
  assert.equal([0, 512, 1536, 10 * 1024 * 1024, 5 * 1024 ** 3].map(logic.formatBytes), ['0 B', '512 B', '1.5 KiB', '10 MiB', '5.0 GiB']);
  assert.equal([5, 65, 300, 3700, 90000].map(logic.formatDuration), ['5s', '1m 5s', '5m', '1h 1m', '1d 1h']);
});

test('chart slices: top entries by bytes, the rest folded into one, shares summing to 1, colours stable', () => {
  const entries = Array.from({ length: 10 }, (_, i) => ({ name: `app${i}`, flows: i + 1, bytes: (i + 1) * 100 }));
  const s = logic.slices(entries, 8);
  assert.is(s.length, 8);
  assert.equal(s.slice(0, 7).map((x) => x.name), ['app9', 'app8', 'app7', 'app6', 'app5', 'app4', 'app3']);
  assert.ok(s[7]!.other && s[7]!.name === '3 others' && s[7]!.bytes === 600 && s[7]!.flows === 6);
  assert.ok(Math.abs(s.reduce((n, x) => n + x.share, 0) - 1) < 1e-9);
  assert.is(logic.slices(entries, 8)[0]!.colour, s[0]!.colour);
  assert.is(new Set(s.map((x) => x.colour)).size, s.length, 'no two slices share a colour');
  assert.equal(logic.slices([], 8), []);
});

test('queue health compares two polls: drops since the last one are bad, waiting packets busy', () => {
  const q = (queue: number, waiting: number, qd: number, ud: number) => ({ queue, waiting, queue_dropped: qd, user_dropped: ud });
  const h = logic.queueHealth([q(0, 0, 5, 0), q(1, 3, 0, 0), q(2, 0, 9, 2)], [q(0, 0, 5, 0), q(1, 0, 0, 0), q(2, 0, 4, 1)]);
  assert.equal(h.map((x) => x.state), ['ok', 'busy', 'bad']);
  assert.match(h[2]!.text, /^6 packets dropped/);
  // the first poll has nothing to compare with: old drops are not news
  assert.equal(logic.queueHealth([q(0, 0, 5, 0)], null).map((x) => x.state), ['ok']);
});

test('devices are named from the router\'s host hints, by MAC, then by address', () => {
  const hints = { 'AA:BB:CC:00:11:22': { name: 'laptop' }, '10.0.0.9': { name: 'tv' } };
  assert.is(logic.deviceName({ local_mac: 'aa:bb:cc:00:11:22', local_ip: '10.0.0.5' }, hints), 'laptop');
  assert.is(logic.deviceName({ local_mac: null, local_ip: '10.0.0.9' }, hints), 'tv');
  assert.is(logic.deviceName({ local_mac: null, local_ip: '10.0.0.7' }, hints), '10.0.0.7');
});

test('the text `check` gets for an action is what flowsieve\'s config loader accepts, and reports a bad criterion', async () => {
  const rt = await createNodeRuntime();
  const check = async (text: string) => {
    const r = await loadPolicy({ ...rt, readTextFile: async () => text }, '<check>');
    return r.ok ? { ok: true, errors: [], warnings: [] } : { ok: false, errors: r.errors, warnings: [] };
  };
  const good = await check(logic.actionCheckText(["category == 'games';", "app == 'netify.netflix';"], ['192.168.1.10']));
  assert.equal(good, { ok: true, errors: [], warnings: [] });
  const bad = await check(logic.actionCheckText(["category == 'it''s';", 'category == ;'], []));
  assert.is(bad.ok, false);
  const msgs = logic.checkMessages(bad);
  assert.ok(msgs.length > 0);
  for (const m of msgs) assert.not.match(m, /^<check>:/);
  assert.equal(logic.checkMessages(null), ['the daemon did not answer']);
  assert.is(logic.quoteUci("it's"), "'it'\\''s'");
});

test('criteria are checked while typing: quotes and parentheses must balance', () => {
  assert.is(logic.criterionSyntax("(category == 'games' || app == 'x');"), true);
  assert.match(String(logic.criterionSyntax("app == 'x")), /not closed/);
  assert.match(String(logic.criterionSyntax('(a == 1;')), /\( is not closed/);
  assert.match(String(logic.criterionSyntax('a == 1);')), /unbalanced \)/);
  assert.match(String(logic.criterionSyntax('  ')), /empty/);
});

// ---------------------------------------------------------------- the app's files agree with the rest

const VIEWS = new URL('htdocs/luci-static/resources/view/flowsieve/', APP);
const viewFiles = readdirSync(VIEWS).filter((f) => f.endsWith('.js'));

test('every option a form edits is an option of its section type in the config schema', () => {
  const targetOptions = new Set([...TARGET_COMMON, ...Object.values(TARGET_TYPES).flatMap((t) => t.options)].map((o) => o.name));
  let checked = 0;
  for (const f of viewFiles) {
    const src = readFileSync(new URL(f, VIEWS), 'utf8');
    const type = /m\.section\(form\.\w+, '(\w+)'/.exec(src)?.[1];
    if (!type) continue;
    const spec = sectionSpec(type)!;
    assert.ok(spec, `${f}: section type ${type}`);
    const names = Array.isArray(spec.options) ? new Set(spec.options.map((o) => o.name)) : targetOptions;
    for (const m of src.matchAll(/s\.option\([\w.]+, '(\w+)'/g)) {
      assert.ok(names.has(m[1]!), `${f}: '${m[1]}' is no option of ${type}`);
      checked++;
    }
  }
  assert.ok(checked > 30, `${checked} options`);
});

test('menu entries lead to views that exist; the rpcd ACL grants only methods the daemon\'s object has', () => {
  const menu = JSON.parse(read('root/usr/share/luci/menu.d/luci-app-flowsieve.json')) as Record<string, { action: { type: string; path: string } }>;
  for (const [path, e] of Object.entries(menu)) {
    if (e.action.type === 'view') assert.ok(existsSync(new URL(`htdocs/luci-static/resources/view/${e.action.path}.js`, APP)), path);
    if (e.action.type === 'alias') assert.ok(menu[e.action.path], path);
  }
  const acl = JSON.parse(read('root/usr/share/rpcd/acl.d/luci-app-flowsieve.json'))['luci-app-flowsieve'];
  const methods = Object.keys(new FlowsieveBus({} as DaemonState, new UbusClient(), { version: '0', clock: Date.now }).spec().methods);
  const granted = [...acl.read.ubus.flowsieve, ...acl.write.ubus.flowsieve];
  assert.equal([...granted].sort(), [...methods].sort());
  assert.ok(acl.write.ubus.flowsieve.includes('reload') && !acl.read.ubus.flowsieve.includes('reload'));
  assert.equal(acl.write.uci, ['flowsieve']);
  // views call only what the ACL grants
  for (const f of viewFiles) {
    const src = readFileSync(new URL(f, VIEWS), 'utf8');
    for (const m of src.matchAll(/object: '([\w-]+)', method: '(\w+)'/g)) assert.ok(acl.read.ubus[m[1]!]?.includes(m[2]) || acl.write.ubus[m[1]!]?.includes(m[2]), `${f}: ${m[1]}.${m[2]}`);
  }
  const daemonAcl = JSON.parse(readFileSync(new URL('../files/usr/share/acl.d/flowsieve.json', import.meta.url), 'utf8'));
  assert.equal(daemonAcl.publish, ['flowsieve']);
});

test('the po template holds every string of the app (node scripts/luci-pot.mjs writes it)', async () => {
  const { pot } = (await import('../scripts/luci-pot.mjs')) as { pot(): string };
  assert.is(read('po/templates/flowsieve.pot'), pot());
});

test.run();
