import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { llmnrDissector } from '../src/classify/naming/llmnr.js';
import { fromHex, run, type FlowSpec } from './fixtures/naming/harness.js';

// RFC 4795 messages built by hand (the corpus has no LLMNR): a query for "WPAD" and its answer.
const QUERY = fromHex('1a2b 0000 0001 0000 0000 0000 0457504144 00 0001 0001');
const RESPONSE = fromHex('1a2b 8000 0001 0001 0000 0000 0457504144 00 0001 0001 c00c 0001 0001 0000001e 0004 c0a80114');
const FLOW: FlowSpec = { proto: 17, client: '192.168.1.10', clientPort: 61000, server: '224.0.0.252', serverPort: 5355 };
const T0 = 1_700_000_000_000;

test('a query to 5355 is LLMNR, named in lower case', () => {
  const r = run(llmnrDissector, FLOW, [{ dir: 0, payload: QUERY }]);
  assert.is(r.claimedAt, 1);
  assert.is(r.out.protocol, 'LLMNR');
  assert.is(r.out.hostname, 'wpad');
  assert.equal(r.out.meta['llmnr'], { query: 'wpad', type: 1 });
});

test('the unicast answer completes the record and names the address', () => {
  const r = run(llmnrDissector, FLOW, [
    { dir: 0, payload: QUERY, t: T0 },
    { dir: 1, payload: RESPONSE, t: T0 + 2 },
  ]);
  assert.equal(r.steps, ['more', 'done']);
  assert.equal(r.out.meta['llmnr']!['answers'], [{ name: 'wpad', type: 'A', ttl: 30, address: '192.168.1.20' }]);
  assert.is(r.hints.nameFor('192.168.1.20', T0 + 10_000), 'wpad');
});

test('not LLMNR: two questions, answers in a query, other ports', () => {
  const twoQuestions = fromHex('1a2b 0000 0002 0000 0000 0000 0457504144 00 0001 0001 0457504144 00 001c 0001');
  const answerInQuery = fromHex('1a2b 0000 0001 0001 0000 0000 0457504144 00 0001 0001 c00c 0001 0001 0000001e 0004 c0a80114');
  for (const p of [twoQuestions, answerInQuery]) assert.equal(run(llmnrDissector, FLOW, [{ dir: 0, payload: p }]).steps, ['no']);
  assert.equal(run(llmnrDissector, { ...FLOW, serverPort: 53 }, [{ dir: 0, payload: QUERY }]).steps, ['no']);
});

test.run();
