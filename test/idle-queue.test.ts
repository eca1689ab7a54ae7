/**
 * The flow table's idle queue (src/flow/idle-queue.ts): oldest first, flows taken out
 * from anywhere, the oldest moved to the back, and the array squeezed without changing
 * the order or keeping a removed flow.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { IdleQueue } from '../src/flow/idle-queue.js';

interface Item {
  queued: number;
  readonly id: number;
}

const item = (id: number): Item => ({ queued: -1, id });

/** Everything in the queue, oldest first, by taking the oldest out until none is left. */
function drain(q: IdleQueue<Item>): number[] {
  const out: number[] = [];
  for (let f = q.oldest(); f !== null; f = q.oldest()) {
    out.push(f.id);
    q.remove(f);
  }
  return out;
}

test('items come out oldest first; a removed one never does', () => {
  const q = new IdleQueue<Item>();
  const items = [1, 2, 3, 4].map(item);
  for (const i of items) q.append(i);
  q.remove(items[1]!);
  assert.is(items[1]!.queued, -1);
  assert.is(q.size, 3);
  assert.equal(drain(q), [1, 3, 4]);
  assert.is(q.oldest(), null);
  assert.is(q.size, 0);
});

test('requeue moves the oldest to the back', () => {
  const q = new IdleQueue<Item>();
  const items = [1, 2, 3].map(item);
  for (const i of items) q.append(i);
  q.requeue(q.oldest()!);
  q.requeue(items[0]!); // already at the back: stays
  assert.equal(drain(q), [2, 3, 1]);
});

test('squeezing out holes keeps the order and every index true, over many operations', () => {
  const q = new IdleQueue<Item>();
  const model: Item[] = [];
  let seed = 7;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  let next = 0;
  for (let step = 0; step < 20000; step++) {
    const r = rand(10);
    if (r < 5 || model.length === 0) {
      const it = item(next++);
      q.append(it);
      model.push(it);
    } else if (r < 8) {
      const victim = model.splice(rand(model.length), 1)[0]!;
      q.remove(victim);
    } else {
      const oldest = q.oldest()!;
      assert.is(oldest, model[0]);
      q.requeue(oldest);
      model.push(model.shift()!);
    }
    assert.is(q.size, model.length);
  }
  assert.ok(next > 9000);
  assert.equal(drain(q), model.map((i) => i.id));
});

test('the array holds at most about twice the queued items: holes do not accumulate', () => {
  const q = new IdleQueue<Item>();
  const live: Item[] = [];
  for (let i = 0; i < 10000; i++) {
    const it = item(i);
    q.append(it);
    live.push(it);
    // Keep 100 queued, taking out a random one of them each time.
    if (live.length > 100) q.remove(live.splice((i * 37) % live.length, 1)[0]!);
  }
  const slots = (q as unknown as { items: unknown[] }).items.length;
  assert.ok(slots <= 2 * 100 + 64, `${slots} slots for 100 items`);
  assert.equal(drain(q), live.map((i) => i.id).sort((a, b) => a - b).filter((id) => live.some((l) => l.id === id)));
});

test.run();
