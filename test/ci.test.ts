/** The test harness itself: it cannot quietly pass. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_DIR } from './helpers/corpus.js';

test('run-tests fails when its pattern matches no test file', () => {
  const r = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'no-such-test-file-xyz'], { cwd: REPO_DIR, encoding: 'utf8' });
  assert.is(r.status, 1);
  assert.match(r.stderr, /no test file in test\/ matches "no-such-test-file-xyz"/);
  assert.match(r.stdout, /0 passed, 1 failed/);
});

test('a missing corpus fails the corpus tests when FLOWSIEVE_REQUIRE_CORPUS=1 (as .ci/run sets it)', () => {
  const env = { ...process.env, FLOWSIEVE_CORPUS: '/nonexistent/corpus', FLOWSIEVE_REQUIRE_CORPUS: '1' };
  const r = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'replay-corpus'], { cwd: REPO_DIR, encoding: 'utf8', env });
  assert.is(r.status, 1);
  assert.match(r.stdout + r.stderr, /shared corpus is missing/);
  assert.match(readFileSync(join(REPO_DIR, '.ci', 'run'), 'utf8'), /FLOWSIEVE_REQUIRE_CORPUS=1/);
});

test('the type check covers every test and script written in TypeScript', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const configs = [...pkg.scripts['typecheck']!.matchAll(/-p (\S+)/g)].map((m) => m[1]!);
  const listed = new Set<string>();
  for (const c of configs) {
    const one = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '--listFilesOnly', '-p', c], { cwd: REPO_DIR, encoding: 'utf8' });
    for (const line of one.stdout.split('\n')) if (line.startsWith(REPO_DIR)) listed.add(line.slice(REPO_DIR.length + 1));
  }
  const wanted = [
    ...readdirSync(join(REPO_DIR, 'test'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `test/${f}`),
    ...readdirSync(join(REPO_DIR, 'scripts'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => `scripts/${f}`),
  ];
  assert.equal(wanted.filter((f) => !listed.has(f)), []);
});

test('the test suite needs neither tshark nor ndpiReader; setup talks on stderr only', () => {
  const setup = readFileSync(join(REPO_DIR, 'scripts', 'setup-debian.sh'), 'utf8');
  const packages = /packages=\(([^)]*)\)/.exec(setup)?.[1] ?? '';
  assert.not.match(packages, /\btshark\b|\blibndpi-bin\b/);
  assert.match(packages, /\bnftables\b/);
  // Before any command runs, stdout is sent to stderr.
  const body = setup.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  assert.equal(body.slice(0, 2), ['set -euo pipefail', 'exec 1>&2']);
  const pkg = JSON.parse(readFileSync(join(REPO_DIR, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts['bench:dpi']!, /need-debian-packages\.sh libndpi-bin/);
});

test.run();
