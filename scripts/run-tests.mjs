#!/usr/bin/env node
// Runs the uvu suite (TypeScript through tsx) and ends with the one line CI reads:
// "N passed, N failed". An argument narrows the run to test files whose name matches
// it (a regex), never to fixtures beside them; a pattern that matches no test file is a
// failure, not an empty pass.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const narrow = process.argv[2];
const pattern = narrow ? `(${narrow}).*\\.test\\.ts$` : '\\.test\\.ts$';
const matching = readdirSync('test').filter((f) => new RegExp(pattern).test(f));
if (matching.length === 0) {
  process.stderr.write(`run-tests: no test file in test/ matches ${JSON.stringify(narrow ?? '')}\n`);
  process.stdout.write('\n0 passed, 1 failed\n');
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'node_modules/uvu/bin.js', 'test', pattern],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);

let out = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  out += chunk.toString();
});
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  // A crash before uvu printed its totals counts as one failure, never as success.
  const failed = Math.max(total - passed, code === 0 ? 0 : 1);
  process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
});
