/**
 * The bundle step that makes a function's let/const a var where nothing can tell
 * (scripts/var-locals.mjs): which declarations it rewrites, which it must leave, and that
 * code behaves the same before and after.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { varLocals } from '../scripts/var-locals.mjs';

const rewrite = varLocals as (code: string) => { code: string; converted: number; kept: number };

/** The module's exports, from its text. */
async function load(code: string): Promise<Record<string, (...a: unknown[]) => unknown>> {
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)) as Record<string, (...a: unknown[]) => unknown>;
}

/** Each export called with `args` before and after the step gives the same result. */
async function sameBehaviour(code: string, args: unknown[][] = [[]]): Promise<string> {
  const after = rewrite(code).code;
  const [a, b] = [await load(code), await load(after)];
  for (const name of Object.keys(a)) for (const arg of args) assert.equal(b[name]!(...arg), a[name]!(...arg), `${name}(${JSON.stringify(arg)})`);
  return after;
}

test('plain locals, destructuring and loop heads become var, lengths kept', async () => {
  const code = `export function f(a) { let x = a + 1; const y = x * 2; const { p, q: [r] } = { p: 1, q: [2] }; let s = 0; for (const v of [1, 2]) s += v; for (let i = 0; i < 2; i++) s += i; return x + y + p + r + s; }`;
  const r = rewrite(code);
  assert.is(r.converted, 6);
  assert.is(r.kept, 0);
  assert.is(r.code.length, code.length);
  assert.not.match(r.code, /\b(let|const)\b/);
  await sameBehaviour(code, [[1], [5]]);
});

test('a loop variable a closure captures stays let: each turn has its own', async () => {
  const code = `export function g() { const fs = []; for (let i = 0; i < 3; i++) fs.push(() => i); return fs.map((f) => f()); }`;
  const after = await sameBehaviour(code);
  assert.match(after, /for \(let i/);
  assert.match(after, /var {3}fs/);
});

test('one name declared in sibling blocks (as a minifier names them) becomes one var; nested, or without a value, it stays', async () => {
  const code = [
    `export function t() { let s = 0; for (let i = 0; i < 2; i++) s += i; for (let i = 5; i < 7; i++) s += i; { const v = s * 2; s = v; } { const v = s + 1; s = v; } return s; }`,
    `export function u() { let r = []; { let a = 1; { let a = 2; r.push(a); } r.push(a); } return r; }`,
    `export function z() { let r = []; { let a; a = 1; r.push(a); } { let a; r.push(a); } return r; }`,
  ].join('\n');
  const after = await sameBehaviour(code);
  assert.match(after, /for \(var i = 0/);
  assert.match(after, /for \(var i = 5/);
  assert.match(after, /var {3}v = s \* 2/);
  assert.match(after, /var {3}v = s \+ 1/);
  assert.match(after, /let a = 1; \{ let a = 2/);
  // With var, the second block's `a` would start with the first block's 1.
  assert.match(after, /let a; a = 1/);
  assert.match(after, /\{ let a; r\.push/);
});

test('a name bound twice in a function, or used outside its block, stays', async () => {
  const code = [
    `export function h(c) { let r = 0; if (c) { let r = 5; r++; } return r; }`,
    `let x = 'outer';`,
    `export function k() { let s = x; { let x = 1; s += x; } return s; }`,
    `export function n() { let e = 1; try { throw 2; } catch (e) { return e + 1; } }`,
  ].join('\n');
  const after = await sameBehaviour(code, [[true], [false]]);
  assert.match(after, /let r = 0/);
  assert.match(after, /let r = 5/);
  assert.match(after, /let x = 1/);
  assert.match(after, /var s = x/);
  assert.match(after, /let e = 1/);
});

test('a name a nested function, method or field uses stays; one only its own uses does not', async () => {
  const code = [
    `export function p() { let a = 1; function q() { return a; } return q(); }`,
    `export function c() { let a = 2; class K { v = a; } return new K().v; }`,
    `export function m() { let a = 3; const o = { get v() { return a; } }; return o.v; }`,
    `export function o() { let a = 4; const f = (a) => a * 2; return f(a); }`,
  ].join('\n');
  const after = await sameBehaviour(code);
  assert.match(after, /let a = 1/);
  assert.match(after, /let a = 2/);
  assert.match(after, /let a = 3/);
  // The arrow's `a` is its own parameter: the outer one can be a var.
  assert.match(after, /var a = 4/);
});

test('an uninitialised let inside a loop body stays (it is undefined again each turn); outside one it goes', async () => {
  const code = `export function v() { const out = []; for (let i = 0; i < 3; i++) { let seen; if (i === 0) seen = 1; out.push(seen); } let last; last = out.length; return [out, last]; }`;
  const after = await sameBehaviour(code);
  assert.match(after, /let seen;/);
  assert.match(after, /var last;/);
});

test('switch cases and declarations with one disqualified declarator stay whole', async () => {
  const code = [
    `export function s(k) { switch (k) { case 0: let a = 1; return a; default: return -1; } }`,
    `export function d() { let a = 1, b = 2; return a + (() => b)(); }`,
  ].join('\n');
  const after = await sameBehaviour(code, [[0], [1]]);
  assert.match(after, /let a = 1;/);
  assert.match(after, /let a = 1, b = 2/);
});

test('top-level declarations are left alone', () => {
  const r = rewrite(`const A = 1; let B = 2; export function f() { return A + B; }`);
  assert.is(r.converted, 0);
  assert.match(r.code, /^const A = 1; let B = 2;/);
});

test.run();
