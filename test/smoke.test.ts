import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HintCache } from '../src/classify/hints.js';

test('hint cache forgets names after their TTL', () => {
  const h = new HintCache(4);
  h.rememberName('10.0.0.1', 'example.com', 1000);
  assert.is(h.nameFor('10.0.0.1', 999), 'example.com');
  assert.is(h.nameFor('10.0.0.1', 1001), null);
});

test.run();
