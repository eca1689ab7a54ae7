import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import {
  buildPolicyConfig,
  formatConfigDiagnostic,
  loadConfig,
  netifyJsonToUci,
  parseTimeWindow,
  parseUci,
  validateConfig,
  writeUci,
  type ConfigDiagnostic,
  type LoadResult,
  type PolicyConfig,
  type UciPackage,
} from '../src/config/index.js';
import { parseLenientJson, type JsonNode } from '../src/config/lenient-json.js';
import { compileCriteria } from '../src/policy/expr/index.js';
import { parseValue, SECTION_TYPES, TARGET_COMMON, TARGET_TYPES, targetField, type OptionSpec } from '../src/config/schema.js';
import { build as esbuild } from 'esbuild';
import { newQuickJSWASMModuleFromVariant } from 'quickjs-emscripten-core';
import variant from '@jitl/quickjs-ng-wasmfile-release-sync';

const FIX = new URL('./fixtures/config/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, FIX), 'utf8');
const DEFAULT_CONFIG = readFileSync(new URL('../files/etc/config/flowsieve', import.meta.url), 'utf8');

function loaded(r: LoadResult): PolicyConfig {
  if (!r.ok) throw new Error(`load failed:\n${r.errors.map(formatConfigDiagnostic).join('\n')}`);
  return r.config;
}

const fmt = (ds: readonly ConfigDiagnostic[]): string[] => ds.map(formatConfigDiagnostic);

/** Load a small config and return its errors (formatted). */
function errorsOf(text: string): string[] {
  const r = loadConfig(text, 'test.conf');
  assert.is(r.ok, false, 'expected errors');
  return r.ok ? [] : fmt(r.errors);
}

function warningsOf(text: string): string[] {
  return fmt(loadConfig(text, 'test.conf').warnings);
}

const TARGET = "config target 't1'\n\toption target_type 'log'\n\toption prefix 'x'\n";

// ------------------------------------------------------------------ the reference's UCI sample

test('the seed UCI sample loads; its typos are warnings', () => {
  const r = loadConfig(read('netify-uci-sample.uci'), 'netify-uci-sample.uci');
  const c = loaded(r);
  assert.equal(fmt(r.warnings), [
    "netify-uci-sample.uci:32:15: warning: section 'ipset_games' (target) is opened again; its options merge into the one on line 23, as libuci does",
    "netify-uci-sample.uci:98:20: warning: section 'games' option 'halt_on_match': takes one value; written as 'list', read as 'option halt_on_match 1'",
  ]);
  // Evaluation order: priority (auto_label has none: 0), then file order.
  assert.equal(
    c.actions.map((a) => [a.name, a.priority]),
    [
      ['auto_label', 0],
      ['games', 100],
      ['external', 200],
    ],
  );
  const games = c.actions.find((a) => a.name === 'games')!;
  assert.is(games.enabled, false);
  assert.is(games.haltOnMatch, true);
  assert.equal(games.targets, ['log_games', 'ipset_games', 'ctlabel_games', 'nftset_games']);
  assert.equal(
    games.criteria.map((x) => (x.kind === 'file' ? `file ${x.path}` : x.text)),
    ["category == 'games';", 'file ${path_state_persistent}/nfa-games.d'],
  );
  assert.equal(games.criteria[0]!.source, { file: 'netify-uci-sample.uci', line: 91, column: 15, section: 'games', option: 'criteria' });
  // The action names the exemption section; its entries are inlined.
  assert.equal(
    games.exemptions.map((e) => [e.text, e.via]),
    [["app == 'netify.playstation';", 'playstation']],
  );
  assert.equal(
    c.globalExemptions.map((e) => e.text),
    ['192.168.1.1', "protocol == 'dns';", "app == 'netify.google';"],
  );
  const auto = c.actions[0]!;
  assert.is(auto.interface, 'lan');
  assert.equal(auto.criteria.map((x) => x.kind), ['expression']);
});

test('seed sample targets: own options, then target_default, then the reference defaults', () => {
  const c = loaded(loadConfig(read('netify-uci-sample.uci'), 'sample'));
  assert.equal([...c.targets.keys()], [
    'log_games',
    'log_external',
    'sink_games',
    'ipset_games',
    'ctlabel_auto',
    'ctlabel_games',
    'nftset_games',
  ]);
  const log = c.targets.get('log_games');
  assert.equal(log && log.type === 'log' && [log.enabled, log.prefix, log.path, log.suffix, log.interval], [false, 'netify-games', '/tmp', '.json', 60]);
  const ipset = c.targets.get('ipset_games');
  assert.ok(ipset && ipset.type === 'ipset');
  if (ipset?.type === 'ipset') {
    assert.equal(
      [ipset.setName, ipset.ipsetType, ipset.setFamily, ipset.ttl, ipset.flushOnDestroy, ipset.managed, ipset.maxElements, ipset.skbMark],
      ['nfa.games', 'hash:ip,port,ip', 'ipv4', 60, true, false, 65536, null],
    );
  }
  const nft = c.targets.get('nftset_games');
  if (nft?.type !== 'nftset') return assert.unreachable('nftset_games');
  assert.equal(nft.fields, ['local_addr', 'ip_proto', 'other_port', 'other_addr']);
  assert.equal(
    [nft.tableName, nft.tableFamily, nft.maxElements, nft.ttl, nft.managed, nft.flushOnCreate, nft.flushOnDestroy],
    ['netify', 'inet', 65535, 60, true, true, true],
  );
  const label = c.targets.get('ctlabel_games');
  assert.equal(label?.type === 'ctlabel' && [label.labels, label.autoLabel, label.logErrors], [['netify-games'], false, false]);
  const sink = c.targets.get('sink_games');
  assert.equal(sink?.type === 'sink' && [sink.sink, sink.channel, sink.flowEvents, sink.format, sink.header], [
    'sink-socket',
    'default',
    ['new', 'updated', 'expired'],
    'json',
    true,
  ]);
  assert.equal(c.targetDefaults.get('ipset')?.get('ttl'), 600);
  assert.equal(c.targetGlobals, { ctlabel: { maxBits: 127, connlabelConf: '/etc/xtables/connlabel.conf' }, pftable: { device: '/dev/pf' } });
  // No globals section: the schema defaults.
  assert.equal(c.globals.packetCap, 32);
  assert.equal(c.globals.queue, { first: 0, last: 0 });
});

// ------------------------------------------------------------------ the shipped default file

test('the default /etc/config/flowsieve loads without warnings, everything disabled', () => {
  const r = loadConfig(DEFAULT_CONFIG, '/etc/config/flowsieve');
  const c = loaded(r);
  assert.equal(fmt(r.warnings), []);
  assert.ok(c.actions.length >= 1);
  assert.ok(c.actions.every((a) => !a.enabled), 'actions ship disabled');
  assert.ok([...c.targets.values()].every((t) => !t.enabled), 'targets ship disabled');
  assert.is(c.globals.failOpen, true);
  assert.is(c.globals.packetCap, 32);
  assert.equal(c.globals.lan, ['br-lan']);
  // Its criteria and exemption expressions are valid flow expressions.
  for (const a of c.actions) {
    for (const cr of a.criteria) {
      assert.is(cr.kind, 'expression');
      if (cr.kind === 'expression') assert.ok(compileCriteria(cr.text).ok, cr.text);
    }
  }
  const gamesWindow = c.actions.find((a) => a.name === 'games')?.timeOfDay[0];
  assert.equal(gamesWindow?.days, ['sun', 'mon', 'tue', 'wed', 'thu']);
});

test('every schema default is itself a valid value (the file documents them)', async () => {
  const { SECTION_TYPES, TARGET_TYPES, TARGET_COMMON, parseValue } = await import('../src/config/schema.js');
  const all = [
    ...SECTION_TYPES.flatMap((s) => (Array.isArray(s.options) ? s.options : [])),
    ...TARGET_COMMON,
    ...Object.values(TARGET_TYPES).flatMap((t) => [...t.options, ...t.globals]),
  ];
  for (const o of all) {
    if (o.default === undefined) continue;
    for (const v of typeof o.default === 'string' ? [o.default] : o.default) {
      assert.ok(parseValue(o, v).ok, `${o.name} default ${v}`);
    }
  }
});

// ------------------------------------------------------------------ validation messages

test("unknown section type 'target_defauts' is a warning with a suggestion", () => {
  const w = warningsOf("config target_defauts 'ctlabel'\n\toption auto_label '0'\n");
  assert.equal(w, [
    "test.conf:1:8: warning: section 'ctlabel': unknown section type 'target_defauts' (did you mean 'target_defaults'?); ignored",
  ]);
});

test('unknown options are warnings with a suggestion', () => {
  const w = warningsOf(`${TARGET}\toption intreval '5'\n\toption zzz '1'\n`);
  assert.equal(w, [
    "test.conf:4:18: warning: section 't1' option 'intreval': unknown option 'intreval' (did you mean 'interval'?); ignored",
    "test.conf:5:13: warning: section 't1' option 'zzz': unknown option 'zzz'; ignored",
  ]);
});

test('bad values are errors naming file, section, option and what was expected', () => {
  const e = errorsOf(
    `${TARGET}config action 'a'\n\toption enabled 'maybe'\n\toption priority 'high'\n\tlist criteria '*'\n\tlist target 't1'\n\toption interface 'a/b'\n`,
  );
  assert.equal(e, [
    "test.conf:5:17: error: section 'a' option 'enabled': expected a boolean: '1'/'0' (also yes/no, on/off, true/false, enabled/disabled), got \"maybe\"",
    "test.conf:6:18: error: section 'a' option 'priority': expected an integer, got \"high\"",
    "test.conf:9:19: error: section 'a' option 'interface': expected '*', a role (lan, wan) or a network device name (up to 15 characters), got \"a/b\"",
  ]);
});

test('anonymous sections are named @type[i] in messages', () => {
  const e = errorsOf(`${TARGET}config action\n\tlist criteria '*'\n\tlist target 't1'\nconfig action\n\tlist criteria '*'\n\tlist target 'nope'\n`);
  assert.equal(e, ["test.conf:9:14: error: section '@action[1]' option 'target': no target section named 'nope'"]);
});

test('target references: missing (error when enabled, warning when disabled), wrong type, suggestions', () => {
  const base = `${TARGET}config exemption 'ex'\n\tlist exemption '10.0.0.1'\n`;
  assert.equal(errorsOf(`${base}config action 'a'\n\tlist criteria '*'\n\tlist target 't2'\n\tlist target 'ex'\n`), [
    "test.conf:8:14: error: section 'a' option 'target': no target section named 't2' (did you mean 't1'?)",
    "test.conf:9:14: error: section 'a' option 'target': 'ex' is a 'exemption' section, not a target",
  ]);
  const r = loadConfig(`${base}config action 'a'\n\toption enabled 0\n\tlist criteria '*'\n\tlist target 't2'\n`, 'test.conf');
  assert.ok(r.ok);
  assert.ok(fmt(r.warnings).includes("test.conf:9:14: warning: section 'a' option 'target': no target section named 't2' (did you mean 't1'?)"));
  // `targets` (the JSON spelling) is accepted as an alias and joins `target`.
  const c = loaded(loadConfig(`${TARGET}config target 't2'\n\toption target_type 'log'\nconfig action 'a'\n\tlist criteria '*'\n\tlist target 't1'\n\tlist targets 't2'\n`, 'x'));
  assert.equal(c.actions[0]!.targets, ['t1', 't2']);
});

test('target checks: missing target_type, unknown type with suggestion, required options, enum suggestions', () => {
  assert.equal(errorsOf("config target 'x'\n\toption set_name 's'\n"), [
    "test.conf:1:8: error: section 'x' option 'target_type': missing; expected one of ipset, nftset, ctlabel, ctmark, pftable, log, sink, ipfix",
  ]);
  assert.equal(errorsOf("config target 'x'\n\toption target_type 'nfset'\n"), [
    "test.conf:2:21: error: section 'x' option 'target_type': expected one of ipset, nftset, ctlabel, ctmark, pftable, log, sink, ipfix, got \"nfset\" (did you mean 'nftset'?)",
  ]);
  const e = errorsOf("config target 'x'\n\toption target_type 'nftset'\n");
  assert.is(e.length, 2);
  assert.match(e[0]!, /section 'x' option 'set_name': missing; a nftset target needs it/);
  assert.match(e[1]!, /section 'x' option 'type': missing/);
  // Required options may come from the type's target_default; disabled targets only warn.
  const ok = loadConfig(
    "config target 'x'\n\toption target_type 'nftset'\n\toption set_name 's'\nconfig target_default 'nftset'\n\tlist type 'other_addr'\n" +
      "config target 'y'\n\toption target_type 'ctmark'\n\toption target_enabled '0'\n",
    'test.conf',
  );
  assert.ok(ok.ok);
  assert.ok(fmt(ok.warnings).some((w) => /section 'y' option 'mark': missing/.test(w)));
  const c = loaded(ok);
  const x = c.targets.get('x');
  assert.equal(x?.type === 'nftset' && x.fields, ['other_addr']);
});

test('a list where one value is expected: one item warns, several are an error', () => {
  const e = errorsOf(`${TARGET}config action 'a'\n\tlist criteria '*'\n\tlist target 't1'\n\tlist priority '1'\n\tlist priority '2'\n`);
  assert.equal(e, ["test.conf:7:16: error: section 'a' option 'priority': takes one value, but is given as a list of 2"]);
});

test('time_of_day entries are checked and kept as data', () => {
  const c = loaded(
    loadConfig(`${TARGET}config action 'a'\n\tlist criteria '*'\n\tlist target 't1'\n\tlist time_of_day 'mon-fri 9:00-17:30:15'\n\tlist time_of_day 'sat,sun 22:00-06:00 exclusive'\n`, 'x'),
  );
  assert.equal(c.actions[0]!.timeOfDay, [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: 9 * 3600, end: 17 * 3600 + 30 * 60 + 15, policy: 'inclusive', text: 'mon-fri 9:00-17:30:15' },
    { days: ['sun', 'sat'], start: 22 * 3600, end: 6 * 3600, policy: 'exclusive', text: 'sat,sun 22:00-06:00 exclusive' },
  ]);
  assert.equal(errorsOf(`${TARGET}config action 'a'\n\tlist criteria '*'\n\tlist target 't1'\n\tlist time_of_day 'mon 25:00-26:00'\n`), [
    "test.conf:7:19: error: section 'a' option 'time_of_day': start \"25:00\" is out of range (00:00 to 23:59:59); expected '[days] [hh:mm-hh:mm] [inclusive|exclusive]', e.g. 'mon-fri 09:00-17:00'",
  ]);
  assert.equal(parseTimeWindow('fri-mon').ok && parseTimeWindow('fri-mon'), {
    ok: true,
    window: { days: ['sun', 'mon', 'fri', 'sat'], start: 0, end: 86400, policy: 'inclusive', text: 'fri-mon' },
  });
  assert.is(parseTimeWindow('funday').ok, false);
  assert.is(parseTimeWindow('24:00-10:00').ok, false);
  assert.is(parseTimeWindow('10:00-24:00').ok, true);
});

test('globals: types, ranges and the lan/wan overlap warning', () => {
  const c = loaded(loadConfig("config globals\n\toption queue '2-5'\n\toption packet_cap '16'\n\tlist lan 'br-lan'\n\tlist wan 'eth1'\n\toption timezone 'Europe/Berlin'\n", 'x'));
  assert.equal([c.globals.queue, c.globals.packetCap, c.globals.wan, c.globals.timezone], [{ first: 2, last: 5 }, 16, ['eth1'], 'Europe/Berlin']);
  assert.equal(errorsOf("config globals\n\toption queue '5-2'\n\toption packet_cap '0'\n"), [
    "test.conf:2:15: error: section '@globals[0]' option 'queue': expected a queue number 0-65535 or a range such as 0-3, got \"5-2\"",
    "test.conf:3:20: error: section '@globals[0]' option 'packet_cap': expected an integer, at least 1, got \"0\"",
  ]);
  assert.equal(warningsOf("config globals\n\tlist lan 'eth0'\n\tlist wan 'eth0'\nconfig globals\n"), [
    "test.conf:4:8: warning: section '@globals[1]': only one 'globals' section is used; this one is ignored",
    "test.conf:3:11: warning: section '@globals[0]' option 'wan': 'eth0' is listed as both lan and wan",
  ]);
});

test('priority ties keep file order; actions without criteria or targets are ignored with a warning', () => {
  const r = loadConfig(
    `${TARGET}config action 'b'\n\toption priority 5\n\tlist criteria '*'\n\tlist target 't1'\n` +
      `config action 'a'\n\toption priority 5\n\tlist criteria '*'\n\tlist target 't1'\n` +
      `config action 'first'\n\toption priority '-1'\n\tlist criteria '*'\n\tlist target 't1'\n` +
      `config action 'empty'\n\tlist target 't1'\n`,
    'test.conf',
  );
  const c = loaded(r);
  assert.equal(c.actions.map((a) => a.name), ['first', 'b', 'a']);
  assert.equal(c.ignoredActions, ['empty']);
  assert.equal(fmt(r.warnings), ["test.conf:16:8: warning: section 'empty' option 'criteria': missing: the action matches nothing and is ignored"]);
});

test('exemption sections: nesting expands, loops are errors, unknown names warn', () => {
  const base = `${TARGET}config exemption 'lan_hosts'\n\tlist exemption '192.168.1.0/24'\n\tlist exemption 'servers'\nconfig exemption 'servers'\n\tlist exemption '10.0.0.1'\n`;
  const c = loaded(loadConfig(`${base}config action 'a'\n\tlist criteria '*'\n\tlist target 't1'\n\tlist exemptions 'lan_hosts'\n\tlist exemption 'ai:dns'\n`, 'x'));
  assert.equal(
    c.actions[0]!.exemptions.map((e) => [e.text, e.via]),
    [
      ['192.168.1.0/24', 'lan_hosts'],
      ['10.0.0.1', 'servers'],
      ['ai:dns', null],
    ],
  );
  assert.equal(errorsOf("config exemption 'a'\n\tlist exemption 'b'\nconfig exemption 'b'\n\tlist exemption 'a'\n"), [
    "test.conf:4:17: error: section 'b' option 'exemption': exemption sections refer to each other in a loop through 'a'",
  ]);
  assert.equal(warningsOf(`${TARGET}config action 'a'\n\tlist criteria '*'\n\tlist target 't1'\n\tlist exemption 'nosuch'\n`), [
    "test.conf:7:17: warning: section 'a' option 'exemption': no exemption section named 'nosuch'; the entry is used as a flow expression",
  ]);
});

test('validation and loading never throw, whatever the model', () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const types = ['action', 'target', 'target_default', 'target_global', 'exemption', 'globals', 'junk'];
  const names = ['criteria', 'target', 'targets', 'exemption', 'target_type', 'type', 'ttl', 'mark', 'queue', 'time_of_day', 'priority', 'lan', 'enabled'];
  const values = ['', '1', 'x', '*', 'nftset', 'ipset', 'ctmark', '0x1', 'a', '@exemption[0]', 'mon', '1-2', '-5', 'a b c', "'"];
  for (let i = 0; i < 2000; i++) {
    const sections = Array.from({ length: rnd(5) }, (_, j) => {
      const type = types[rnd(types.length)]!;
      return {
        type,
        name: ['a', 'b', 'ipset', 'nftset', 'global', `s${j}`][rnd(6)]!,
        anonymous: rnd(4) === 0,
        loc: { line: 1, column: 1 },
        options: Array.from({ length: rnd(5) }, () => ({
          name: names[rnd(names.length)]!,
          value: rnd(2) ? values[rnd(values.length)]! : [values[rnd(values.length)]!, values[rnd(values.length)]!],
          loc: { line: 1, column: 1 },
        })),
      };
    });
    const pkg: UciPackage = { name: 'p', file: 'p', sections };
    const v = validateConfig(pkg);
    if (v.ok) buildPolicyConfig(v.config);
    loadConfig(writeUci(pkg), 'p');
  }
});

// ------------------------------------------------------------------ Netify JSON

const jsonFixtures = readdirSync(FIX).filter((f) => f.startsWith('netify-') && f.endsWith('.json'));

test(`the seed's ${jsonFixtures.length} JSON examples convert, typos and fragments as warnings`, () => {
  assert.ok(jsonFixtures.length >= 12);
  for (const f of jsonFixtures) {
    const r = netifyJsonToUci(read(f), f);
    assert.ok(r.ok, `${f}: ${r.ok ? '' : fmt(r.errors).join('; ')}`);
    if (!r.ok) continue;
    // What is printed is valid UCI that reads back as the same sections.
    const back = parseUci(r.uciText, f);
    assert.ok(back.ok, f);
    if (back.ok) {
      const strip = (p: UciPackage): unknown => p.sections.map((s) => [s.type, s.name, s.options.map((o) => [o.name, o.value])]);
      assert.equal(strip(back.package), strip(r.package), f);
    }
  }
});

test('Netify JSON: the ctlabel example keeps its target_defauts typo as a warned, ignored section', () => {
  const r = netifyJsonToUci(read('netify-ctlabel.json'), 'netify-ctlabel.json');
  if (!r.ok) return assert.unreachable();
  assert.equal(r.problems, []);
  assert.ok(
    fmt(r.warnings).includes(
      "netify-ctlabel.json:14:5: warning: section 'ctlabel_2': unknown section type 'target_defauts' (did you mean 'target_defaults'?); ignored",
    ),
  );
  assert.ok(fmt(r.warnings).includes("netify-ctlabel.json:19:3: warning: missing ',' before this member"));
  const c = loaded(loadConfig(r.uciText, 'converted'));
  const t = c.targets.get('ctlabel_example');
  assert.equal(t?.type === 'ctlabel' && t.labels, ['netify-games']);
  assert.equal(c.targetGlobals.ctlabel, { maxBits: 127, connlabelConf: '/etc/xtables/connlabel.conf' });
});

test('Netify JSON: global settings, exemptions and defaults map onto the UCI sample layout', () => {
  const g = netifyJsonToUci(read('netify-global.json'), 'g.json');
  if (!g.ok) return assert.unreachable();
  assert.is(
    g.uciText,
    [
      '# flowsieve configuration converted from g.json (Netify Flow Actions JSON)',
      '',
      "config globals 'globals'",
      "\toption timezone 'America/Toronto'",
      "\toption reprocess_flows '1'",
      '',
      "config exemption 'global'",
      "\tlist exemption '192.168.1.1'",
      "\tlist exemption 'protocol == '\\''dns'\\'';'",
      '',
      '',
    ].join('\n'),
  );
  const c = loaded(loadConfig(g.uciText, 'x'));
  assert.equal([c.globals.timezone, c.globals.reprocessFlows, c.globalExemptions.map((e) => e.text)], [
    'America/Toronto',
    true,
    ['192.168.1.1', "protocol == 'dns';"],
  ]);

  const n = netifyJsonToUci(read('netify-nftset.json'), 'n.json');
  if (!n.ok) return assert.unreachable();
  const nc = loaded(loadConfig(n.uciText, 'x'));
  const t = nc.targets.get('nftset_example');
  if (t?.type !== 'nftset') return assert.unreachable();
  assert.equal([t.enabled, t.setName, t.tableName, t.setFamily, t.maxElements, t.ttl, t.fields, t.managed], [
    false,
    'nfa.example',
    'netify',
    'ipv4',
    65535,
    300,
    ['local_addr', 'ip_proto', 'other_port', 'other_addr'],
    true,
  ]);

  // target_default and target_global for the same type cannot share a UCI name.
  const p = netifyJsonToUci(read('netify-pftable.json'), 'p.json');
  if (!p.ok) return assert.unreachable();
  assert.match(p.uciText, /config target_global 'pftable_2'\n\toption target_type 'pftable'\n\toption device '\/dev\/pf'/);
});

test('Netify JSON: actions, target renames and time_of_day windows', () => {
  const f = netifyJsonToUci(read('netify-flow-action.json'), 'fa.json');
  if (!f.ok) return assert.unreachable();
  assert.match(f.uciText, /list target 'ipset_high'/);
  // The fragment calls a target it does not define: reported as a problem of the result.
  assert.equal(fmt(f.problems), ["fa.json:7:17: error: section 'social' option 'target': no target section named 'ipset_high'"]);

  const t = netifyJsonToUci(read('netify-time-of-day.json'), 'tod.json');
  if (!t.ok) return assert.unreachable();
  assert.match(t.uciText, /list time_of_day 'mon,tue,wed,thu,fri 9:00-17:00 inclusive'\n\tlist time_of_day '0:00-12:00 exclusive'/);
  assert.ok(fmt(t.warnings).includes("tod.json:12:7: warning: missing ',' before this member"));

  const full = netifyJsonToUci(
    JSON.stringify({
      version: 1,
      actions: {
        'block.games': {
          criteria: ["category == 'games';"],
          targets: ['ipset.block'],
          exemptions: '10.0.0.1',
          priority: 10,
          time_of_day: { day: ['sat'], time_start: '08:00' },
        },
      },
      targets: { 'ipset.block': { target_type: 'ipset', set_name: 'blk', ttl: 900, target_enabled: true } },
    }),
    'full.json',
  );
  if (!full.ok) return assert.unreachable();
  assert.equal(full.problems, []);
  const c = loaded(loadConfig(full.uciText, 'x'));
  const a = c.actions[0]!;
  assert.equal([a.name, a.targets, a.exemptions.map((e) => e.text), a.priority, a.timeOfDay.map((w) => w.text)], [
    'block_games',
    ['ipset_block'],
    ['10.0.0.1'],
    10,
    ['sat 08:00-24:00'],
  ]);
});

test('Netify JSON: unreadable input is an error with a position; odd keys are warnings', () => {
  const bad = netifyJsonToUci('{\n  "targets": {\n    "x": "unterminated\n', 'bad.json');
  assert.equal(bad.ok ? [] : fmt(bad.errors), ['bad.json:3:10: error: unterminated string (line break inside it)']);
  const arr = netifyJsonToUci('[1, 2]', 'arr.json');
  assert.equal(arr.ok ? [] : fmt(arr.errors), ['arr.json:1:1: error: expected a JSON object at the top (a Netify Flow Actions configuration)']);
  const odd = netifyJsonToUci('{"version": 2, "actoins": {}, "time_of_day": []}', 'odd.json');
  assert.equal(odd.ok ? fmt(odd.warnings) : [], [
    'odd.json:1:13: warning: version: flowsieve reads version 1 of the format; converting anyway',
    'odd.json:1:16: warning: unknown key "actoins" (did you mean \'actions\'?); ignored',
    'odd.json:1:31: warning: unknown key "time_of_day" (an action property: it belongs inside "actions"); ignored',
  ]);
  const w = netifyJsonToUci(read('netify-time-of-day-workday.json'), 'w.json');
  assert.ok(w.ok);
});

// ------------------------------------------------------------------ the lenient JSON reader

function toPlain(n: JsonNode): unknown {
  switch (n.kind) {
    case 'object':
      return Object.fromEntries(n.members.map((m) => [m.key, toPlain(m.value)]));
    case 'array':
      return n.items.map(toPlain);
    case 'null':
      return null;
    default:
      return n.value;
  }
}

test('lenient JSON reads strict JSON exactly as JSON.parse does, without warnings', () => {
  let seed = 3;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed % n;
  };
  const gen = (depth: number): unknown => {
    const k = rnd(depth > 3 ? 5 : 7);
    if (k === 0) return rnd(1000) - 500 + rnd(10) / 8;
    if (k === 1) return ['', 'a"b', 'é\\', '\n\t', 'x/y', '\u0001'][rnd(6)];
    if (k === 2) return rnd(2) === 0;
    if (k === 3) return null;
    if (k === 4) return -1e21;
    if (k === 5) return Array.from({ length: rnd(4) }, () => gen(depth + 1));
    return Object.fromEntries(Array.from({ length: rnd(4) }, (_, i) => [`k${i}${'"\\'[rnd(2)]}`, gen(depth + 1)]));
  };
  for (let i = 0; i < 500; i++) {
    const v = gen(0);
    const text = JSON.stringify(v, null, rnd(2) ? 2 : undefined);
    const r = parseLenientJson(text);
    assert.ok(r.ok, text);
    if (r.ok) {
      assert.equal(toPlain(r.value), JSON.parse(text));
      assert.equal(r.warnings, []);
    }
  }
});

test('lenient JSON: placeholders, missing and trailing commas, comments, fragments', () => {
  const r = parseLenientJson('// c\n"a": 1\n"b": [1, ..., 2,],\n...\n"c": {"d": ...}, /* x */');
  if (!r.ok) return assert.unreachable(r.error.message);
  assert.equal(toPlain(r.value), { a: 1, b: [1, 2], c: {} });
  assert.equal(
    r.warnings.map((w) => `${w.line}:${w.column} ${w.message}`),
    [
      '1:1 comment ignored (JSON has no comments)',
      '2:1 not a complete JSON object: read as the members of one (a documentation fragment?)',
      "3:1 missing ',' before this member",
      "3:10 '...' placeholder (elided content) ignored",
      "3:16 trailing ',' ignored",
      "4:1 '...' placeholder (elided content) ignored",
      "5:12 '...' placeholder (elided content) ignored",
      '5:18 comment ignored (JSON has no comments)',
      "5:16 trailing ',' ignored",
    ],
  );
  const e = parseLenientJson('{"a": tru}');
  assert.equal(e.ok ? null : e.error, { line: 1, column: 7, message: 'unexpected "t": a value expected' });
});

// ------------------------------------------------------------------ docs and runtimes

test('docs/configuration.md describes every section type and option of the schema', () => {
  const doc = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
  for (const s of SECTION_TYPES) assert.ok(doc.includes(`config ${s.type}`), s.type);
  const options = [
    ...SECTION_TYPES.flatMap((s) => (Array.isArray(s.options) ? s.options : [])),
    ...TARGET_COMMON,
    ...Object.values(TARGET_TYPES).flatMap((t) => [...t.options, ...t.globals]),
  ];
  for (const o of options) assert.ok(doc.includes(`| \`${o.name}\``), o.name);
  for (const t of Object.keys(TARGET_TYPES)) assert.ok(doc.includes(`#### ${t} `), t);
});

test('the configuration layer runs inside QuickJS-ng (no Node APIs)', async () => {
  const out = await esbuild({
    entryPoints: ['src/config/index.ts'],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
  });
  const qjs = await newQuickJSWASMModuleFromVariant(variant);
  const runtime = qjs.newRuntime();
  const ctx = runtime.newContext();
  try {
    const mod = ctx.unwrapResult(ctx.evalCode(out.outputFiles[0]!.text, 'config.js', { type: 'module' }));
    ctx.setProp(ctx.global, '__config', mod);
    mod.dispose();
    const script = `
      const r = __config.loadConfig(${JSON.stringify(read('netify-uci-sample.uci'))}, 'sample');
      const j = __config.netifyJsonToUci(${JSON.stringify(read('netify-ctlabel.json'))}, 'c.json');
      JSON.stringify([r.ok, r.ok && r.config.actions.map((a) => a.name), r.warnings.length, j.ok && j.uciText.length > 0, j.warnings.length]);
    `;
    const h = ctx.unwrapResult(ctx.evalCode(script));
    const result = JSON.parse(ctx.getString(h)) as unknown[];
    h.dispose();
    const node = loadConfig(read('netify-uci-sample.uci'), 'sample');
    const json = netifyJsonToUci(read('netify-ctlabel.json'), 'c.json');
    assert.equal(result, [true, ['auto_label', 'games', 'external'], node.warnings.length, true, json.warnings.length]);
  } finally {
    ctx.dispose();
    runtime.dispose();
  }
});


/** A valid value for an option that differs from its default (UCI text). */
function sampleValue(o: OptionSpec): string[] {
  switch (o.type) {
    case 'int':
    case 'duration':
      return [String(Math.min((o.min ?? 0) + 3, o.max ?? Infinity))];
    case 'hex32':
      return ['0x2'];
    case 'bool':
      return [o.default === '1' ? '0' : '1'];
    case 'enum': {
      const vs = o.values ?? [];
      return o.multiple ? [vs[1]!, vs[0]!] : [vs.find((v) => v !== o.default)!];
    }
    case 'flags':
      return ['new|expired'];
    case 'path':
      return ['/tmp/sample'];
    case 'ipset_type':
      return ['hash:ip,port'];
    case 'tc_class':
      return ['1:10'];
    default:
      return o.multiple ? ['one', 'two'] : ['sample'];
  }
}

test('a target carries every option its type declares in TARGET_TYPES, on the field the schema names', () => {
  for (const [type, spec] of Object.entries(TARGET_TYPES)) {
    let text = `config target 't'\n\toption target_type '${type}'\n`;
    for (const o of spec.options) {
      if (targetField(o) === null) continue;
      for (const v of sampleValue(o)) text += `\t${o.multiple ? 'list' : 'option'} ${o.name} '${v}'\n`;
    }
    const c = loaded(loadConfig(text, 'targets.conf'));
    const t = c.targets.get('t') as unknown as Record<string, unknown>;
    assert.is(t['type'], type);
    for (const o of spec.options) {
      const field = targetField(o);
      if (field === null) continue;
      const values = sampleValue(o).map((v) => {
        const r = parseValue(o, v);
        return r.ok ? r.value : assert.unreachable(`${type} ${o.name}: sample '${v}' invalid`);
      });
      assert.equal(t[field], o.multiple ? values : values[0], `${type} option ${o.name} → ${field}`);
    }
  }
  // Fields of options left out: null, or the schema default.
  const bare = loaded(loadConfig("config target 'l'\n\toption target_type 'log'\n", 'targets.conf')).targets.get('l');
  assert.equal(bare?.type === 'log' && [bare.prefix, bare.path, bare.suffix, bare.interval], [null, '/tmp', '.json', 60]);
});

test('time_of_day text: each malformed entry says what is wrong', () => {
  const cases: [string, RegExp][] = [
    ['mon-fri 9-17', /start "9" is not a time \(hh:mm or hh:mm:ss\)/],
    ['mon-fri 09:00-17:00 sometimes', /unexpected "sometimes"/],
    ['mon-fri 09:00-17:00 inclusive extra', /unexpected "extra"/],
    ['funday 09:00-17:00', /"funday" is not a day \(mon, tue/],
    ['mon-funday', /"mon-funday" is not a day range/],
    ['09:00', /"09:00" is not a time range/],
    ['  ', /empty entry/],
    ['9.00-17:00', /start "9\.00" is not a time/],
    ['12:60-13:00', /start "12:60" is out of range/],
    ['9:00-17:00:61', /end "17:00:61" is out of range/],
    ['24:00-10:00', /24:00 can only end a window/],
    ['9:00-24:30', /end "24:30" is out of range/],
  ];
  for (const [text, re] of cases) {
    const r = parseTimeWindow(text);
    assert.is(r.ok, false, text);
    if (!r.ok) assert.match(r.error, re, `${text} → ${r.error}`);
  }
});

test('Netify JSON: an unknown key in a time_of_day window is an error, as the docs say', () => {
  const r = netifyJsonToUci('{"actions": {"kids": {"criteria": "*", "targets": ["t"],\n "time_of_day": [{"time_start": "9:00", "time_stop": "17:00"}]}},\n "targets": {"t": {"target_type": "log"}}}', 'n.json');
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.equal(fmt(r.problems), [
    'n.json:2:41: error: action "kids" time_of_day[0]: unknown property "time_stop" (did you mean \'time_start\'?); expected day, time_start, time_end, policy',
  ]);
});

test.run();
