/**
 * A queue of flows, oldest at the front (the flow table keeps one per timeout class):
 * an array of the flows, each flow carrying its place in it (`queued`). One number per
 * flow where neighbour links took two fields, which keeps FlowEntry within QuickJS's
 * 13-slot property step (entry.ts). Taking a flow out leaves a hole; holes and the
 * consumed front are squeezed out once they are half the array, so the array stays
 * within twice the flows queued (plus a little) and each operation is O(1) amortised.
 * No hole keeps a flow alive: it is a null.
 */

/** What a queued item carries: its index in its queue's array; -1 while in no queue. */
export interface Queued {
  queued: number;
}

/** Waste (holes and consumed front) never squeezed out below this many slots. */
const MIN_WASTE = 64;

export class IdleQueue<T extends Queued> {
  private readonly items: (T | null)[] = [];
  /** Index of the front; the slots before it are consumed. */
  private head = 0;
  /** Nulls at or after `head`. */
  private holes = 0;

  /** The oldest item, or null when empty. */
  oldest(): T | null {
    const items = this.items;
    let h = this.head;
    while (h < items.length && items[h] === null) {
      h++;
      this.holes--;
    }
    this.head = h;
    if (h < items.length) return items[h]!;
    items.length = 0;
    this.head = 0;
    this.holes = 0;
    return null;
  }

  /** Add `item` (in no queue) at the back. */
  append(item: T): void {
    item.queued = this.items.length;
    this.items.push(item);
  }

  /** Take `item` (in this queue) out. */
  remove(item: T): void {
    const at = item.queued;
    this.items[at] = null;
    item.queued = -1;
    if (at === this.head) this.head++;
    else this.holes++;
    this.squeeze();
  }

  /** Move `item` (in this queue) to the back. */
  requeue(item: T): void {
    if (item.queued === this.items.length - 1) return;
    this.remove(item);
    this.append(item);
  }

  /** How many items are queued. */
  get size(): number {
    return this.items.length - this.head - this.holes;
  }

  private squeeze(): void {
    const items = this.items;
    const waste = this.head + this.holes;
    if (waste < MIN_WASTE || waste * 2 < items.length) return;
    let w = 0;
    for (let r = this.head; r < items.length; r++) {
      const item = items[r];
      if (!item) continue;
      item.queued = w;
      items[w++] = item;
    }
    items.length = w;
    this.head = 0;
    this.holes = 0;
  }
}
