/** Reloading the configuration: a broken file never replaces the policy in force. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyManager } from '../src/policy/manager.js';
import { createNodeRuntime } from '../src/runtime/node.js';
import { record } from './helpers/records.js';

const GOOD = `config globals 'globals'\n\toption timezone 'UTC'\n\nconfig target 't'\n\toption target_type 'log'\n\nconfig action 'video'\n\tlist criteria "app == 'youtube';"\n\tlist target 't'\n`;

test('a failed reload reports where the problem is and keeps the last good policy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fs-reload-'));
  const path = join(dir, 'flowsieve');
  writeFileSync(path, GOOD);
  const m = new PolicyManager(await createNodeRuntime(), path);
  assert.ok((await m.reload()).ok);
  const first = m.current!;
  const ctx = { now: 0, roles: new Map() };
  assert.equal(first.policy.evaluate(record(), ctx).map((a) => a.spec.name), ['video']);

  for (const broken of [
    GOOD.replace("app == 'youtube';", "app == 'youtube' &&;"), // bad expression
    GOOD.replace("option timezone 'UTC'", "option timezone 'Nowhere/Atlantis'"), // unknown zone
    GOOD + "config action 'x\n", // UCI syntax error
  ]) {
    writeFileSync(path, broken);
    const r = await m.reload();
    assert.not.ok(r.ok);
    assert.ok(r.errors.length > 0 && r.errors.every((e) => e.includes(path)), r.errors.join('\n'));
    assert.is(m.current, first);
  }
  assert.is(m.failedReloads, 3);

  writeFileSync(path, GOOD.replace("'youtube'", "'netflix'"));
  assert.ok((await m.reload()).ok);
  assert.is.not(m.current, first);
  assert.equal(m.current!.policy.evaluate(record(), ctx), []);
});

test('a missing file on the first load leaves no policy, and says so', async () => {
  const m = new PolicyManager(await createNodeRuntime(), '/nonexistent/flowsieve');
  const r = await m.reload();
  assert.not.ok(r.ok);
  assert.match(r.errors[0]!, /^\/nonexistent\/flowsieve: error: cannot read: /);
  assert.is(m.current, null);
});

test.run();
