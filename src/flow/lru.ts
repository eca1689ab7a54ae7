/**
 * Flows of one timeout class in least-recently-seen order. A JS Map keeps insertion order,
 * so touching a flow (delete + set) moves it to the back and the idle ones gather at the
 * front: expiry pops from the front and stops at the first live flow, O(expired).
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  touch(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
  }

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** The least recently touched entry, or undefined when empty. */
  oldest(): V | undefined {
    for (const v of this.map.values()) return v;
    return undefined;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  get size(): number {
    return this.map.size;
  }
}
