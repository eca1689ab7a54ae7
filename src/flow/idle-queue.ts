/**
 * A queue of flows threaded through the flows themselves (each carries its `older` and
 * `newer` neighbour): the flow table keeps one per timeout class, oldest at the front.
 * Every live flow is in exactly one. Linking costs two fields per flow where a Map per
 * class cost an entry (about 110 bytes under txiki.js) and a delete + set per new flow.
 */

/** What a queued item carries; null links at the ends (and while it is in no queue). */
export interface Queued<T> {
  older: T | null;
  newer: T | null;
}

export class IdleQueue<T extends Queued<T>> {
  private front: T | null = null;
  private back: T | null = null;

  /** The oldest item, or null when empty. */
  oldest(): T | null {
    return this.front;
  }

  /** Add `item` (in no queue) at the back. */
  append(item: T): void {
    const back = this.back;
    item.older = back;
    item.newer = null;
    if (back === null) this.front = item;
    else back.newer = item;
    this.back = item;
  }

  /** Take `item` (in this queue) out. */
  remove(item: T): void {
    const { older, newer } = item;
    if (older === null) this.front = newer;
    else older.newer = newer;
    if (newer === null) this.back = older;
    else newer.older = older;
    item.older = item.newer = null;
  }

  /** Move `item` (in this queue) to the back. */
  requeue(item: T): void {
    if (this.back === item) return;
    this.remove(item);
    this.append(item);
  }
}
