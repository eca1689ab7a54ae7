import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BoundedMap } from '../src/util/bounded-map.js';

test('past its capacity the least recently touched entry goes', () => {
  const m = new BoundedMap<string, number>(2);
  m.touch('a', 1);
  m.touch('b', 2);
  m.touch('a', 3); // a is now the most recent
  m.touch('c', 4);
  assert.equal([m.get('a'), m.get('b'), m.get('c'), m.size], [3, undefined, 4, 2]);
});

test('get does not reorder; oldest and values follow touch order', () => {
  const m = new BoundedMap<string, string>();
  m.touch('x', 'X');
  m.touch('y', 'Y');
  m.get('x');
  assert.is(m.oldest(), 'X');
  m.touch('x', 'X2');
  assert.equal([...m.values()], ['Y', 'X2']);
  assert.ok(m.delete('y'));
  assert.is(m.oldest(), 'X2');
});

test.run();
