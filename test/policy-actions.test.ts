/** Actions: order, halting, exemptions, interface roles, time windows, fire-once. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compilePolicy, FiringMemo, policyState, type ActionSpec, type CompiledPolicy, type PolicySpec } from '../src/policy/actions.js';
import { record } from './helpers/records.js';

function action(name: string, over: Partial<ActionSpec> = {}): ActionSpec {
  return { name, enabled: true, criteria: ['*'], targets: [`t_${name}`], exemptions: [], interface: '*', priority: 0, haltOnMatch: false, window: null, ...over };
}

function compile(spec: PolicySpec): CompiledPolicy {
  const r = compilePolicy(spec);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.where}: ${e.message}`).join('\n'));
  return r.policy;
}

const ctx = { now: 0, roles: new Map([['br-lan', 'lan' as const], ['wan', 'wan' as const]]) };
const fired = (p: CompiledPolicy, r = record()) => p.evaluate(r, ctx).map((a) => a.spec.name);

test('lower priority runs first; equal priorities keep configuration order', () => {
  const p = compile({ actions: [action('b', { priority: 200 }), action('a', { priority: 100 }), action('c', { priority: 200 })], globalExemptions: [] });
  assert.equal(fired(p), ['a', 'b', 'c']);
});

test('halt_on_match stops later actions, and explain says so', () => {
  const p = compile({ actions: [action('first', { priority: 1, haltOnMatch: true }), action('second', { priority: 2 })], globalExemptions: [] });
  assert.equal(fired(p), ['first']);
  assert.equal(p.explain(record(), ctx).map((o) => [o.action, o.skipped]), [['first', null], ['second', 'halted']]);
});

test('a halting action that does not match does not halt', () => {
  const p = compile({ actions: [action('games', { criteria: ["category == 'games';"], haltOnMatch: true }), action('all')], globalExemptions: [] });
  assert.equal(fired(p), ['all']);
});

test('criteria decide; an array of criteria is an OR', () => {
  const p = compile({ actions: [action('video', { criteria: ["app == 'netflix';", "app == 'netify.youtube';"] })], globalExemptions: [] });
  assert.equal(fired(p), ['video']);
  assert.equal(fired(p, record({ detected_application_name: 'reddit' })), []);
});

test('disabled actions never fire', () => {
  const p = compile({ actions: [action('off', { enabled: false })], globalExemptions: [] });
  assert.equal(p.explain(record(), ctx)[0]!.skipped, 'disabled');
});

test('exemptions: addresses and CIDRs on either side, and expressions', () => {
  const p = compile({
    actions: [action('social', { exemptions: ['192.168.1.0/28', "app == 'netify.reddit';"] })],
    globalExemptions: [],
  });
  assert.equal(fired(p, record({ local_ip: '192.168.1.9' })), []);
  assert.equal(fired(p, record({ local_ip: '192.168.1.99' })), ['social']);
  assert.equal(fired(p, record({ local_ip: '192.168.1.99', detected_application_name: 'reddit' })), []);
  assert.equal(fired(p, record({ local_ip: '10.0.0.1', other_ip: '192.168.1.2' })), []);
});

test('global exemptions skip every action', () => {
  const p = compile({ actions: [action('a'), action('b')], globalExemptions: ['192.168.1.1', "protocol == 'dns';"] });
  assert.equal(fired(p, record({ local_ip: '192.168.1.1' })), []);
  assert.equal(fired(p, record({ detected_protocol_name: 'DNS' })), []);
  assert.equal(fired(p), ['a', 'b']);
  assert.equal(p.explain(record({ detected_protocol_name: 'DNS' }), ctx)[0]!.skipped, 'global-exemption');
});

test('interface filter: *, a name, or a role', () => {
  const p = compile({ actions: [action('any'), action('lan', { interface: 'lan' }), action('wan', { interface: 'wan' }), action('eth1', { interface: 'eth1' })], globalExemptions: [] });
  assert.equal(fired(p), ['any', 'lan']);
  assert.equal(fired(p, record({ interface: 'wan' })), ['any', 'wan']);
  assert.equal(fired(p, record({ interface: 'eth1' })), ['any', 'eth1']);
  assert.equal(fired(p, record({ interface: null })), ['any']);
});

test('time windows gate actions', () => {
  const window = { isActive: (t: number) => t >= 1000 && t < 2000, nextChange: (t: number) => (t < 1000 ? 1000 : t < 2000 ? 2000 : null), describe: () => 'test' };
  const p = compile({ actions: [action('timed', { window })], globalExemptions: [] });
  assert.equal(p.evaluate(record(), { ...ctx, now: 1500 }).length, 1);
  assert.equal(p.explain(record(), { ...ctx, now: 2500 })[0]!.skipped, 'time');
});

test('errors name the action and the column; all problems are reported at once', () => {
  const r = compilePolicy({ actions: [action('bad', { criteria: ["app == 'x' &&;"] }), action('none', { targets: [] }), action('bad')], globalExemptions: ['other_ip == ;'] });
  assert.ok(!r.ok);
  if (r.ok) return;
  const text = r.errors.map((e) => `${e.where}: ${e.message}`).join('\n');
  assert.match(text, /action 'bad' criteria: .*column \d+/);
  assert.match(text, /action 'none': has no targets/);
  assert.match(text, /action 'bad': defined twice/);
  assert.match(text, /global exemptions: /);
});

test('mixing && and || without parentheses is a warning naming the action', () => {
  const r = compilePolicy({ actions: [action('mix', { criteria: ["app == 'a' || app == 'b' && other_port == 443;"] })], globalExemptions: [] });
  assert.ok(r.ok);
  assert.ok(r.warnings.some((w) => w.where === "action 'mix' criteria"));
});

test('fire once per flow state; a metadata change fires again', () => {
  const memo = new FiringMemo();
  const r1 = record({ host_server_name: null, detection_complete: false });
  assert.ok(memo.shouldFire('a', policyState(r1)));
  assert.not.ok(memo.shouldFire('a', policyState(r1)));
  const r2 = record();
  assert.ok(memo.shouldFire('a', policyState(r2)));
  assert.ok(memo.shouldFire('b', policyState(r2)));
  memo.reset();
  assert.ok(memo.shouldFire('a', policyState(r2)));
});

test.run();
