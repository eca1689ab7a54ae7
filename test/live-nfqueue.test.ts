/**
 * NFQUEUE through the native module on this machine's kernel, in a network namespace:
 * packets reach the daemon's queue with their metadata, verdicts go back in one batch
 * (accept, drop, accept with a mark) and the accepted packets leave in the order they came
 * (a packet with a verdict of its own does not overtake earlier ones), and the queue binds
 * with FAIL_OPEN.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { REPO_DIR } from './helpers/corpus.js';
import { isRoot, Namespaces, nsh } from './helpers/netns.js';

const nss = new Namespaces();

test.after(() => nss.cleanup());

test('queued packets are read in a batch and get their verdicts: accepted ones arrive, a dropped one does not', () => {
  if (!isRoot()) {
    console.log('  (skipped: needs root for network namespaces)');
    return;
  }
  const ns = nss.add('q');
  nsh(ns, ['iptables-nft', '-t', 'mangle', '-A', 'OUTPUT', '-p', 'udp', '--dport', '9999', '-j', 'NFQUEUE', '--queue-num', '7']);
  const out = nsh(ns, [process.execPath, '--import', 'tsx', join(REPO_DIR, 'test', 'helpers', 'nfq-roundtrip.ts'), '7', '9999']);
  const r = JSON.parse(out.trim().split('\n').pop()!) as {
    description: string;
    flags: number;
    seen: { payload: string; out: string | null; length: number }[];
    received: string[];
    counters: { batches: number; packets: number; verdicts: number; errors: number };
    errors: string[];
  };
  assert.equal(r.errors, []);
  assert.equal(r.seen.map((s) => s.payload), ['one', 'drop-me', 'mark-me', 'two']);
  assert.equal(r.received, ['one', 'mark-me', 'two'], 'accepted in the order they were queued');
  assert.is(r.counters.batches, 1, 'all four shared one batch');
  assert.ok(r.seen.every((s) => s.out === 'lo'), 'output interface is lo');
  assert.is(r.seen[0]!.length, 28 + 3);
  assert.is(r.counters.packets, 4);
  assert.is(r.counters.verdicts, 4);
  assert.ok(r.flags & 1, `FAIL_OPEN accepted (${r.description})`);
  assert.match(r.description, /^NFQUEUE 7 \(fail-open/);
});

test.run();
