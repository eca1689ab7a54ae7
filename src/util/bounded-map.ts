/**
 * The one bounded map: a Map kept in least-recently-touched order. A JS Map keeps insertion
 * order, so touching a key (delete + set) moves it to the back and the stale entries gather
 * at the front; past `capacity` the front one goes. Expiry by age is the caller's: it pops
 * from the front (`oldest`) and stops at the first live entry, O(expired).
 *
 * Used for DNS names and endpoint hints, the classifier's remembered catalogue answers,
 * the detection values complete flows share, and recent certificates.
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  /** `capacity`: most entries kept; the least recently touched go first. */
  constructor(readonly capacity = Infinity) {}

  /** Set `key` and move it to the back (most recent). */
  touch(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  /**
   * The value, without changing the order; undefined when absent. The Map's own `get`,
   * bound: under txiki.js a method that forwards the call costs a JS call more per lookup.
   */
  readonly get: (key: K) => V | undefined = this.map.get.bind(this.map);

  delete(key: K): boolean {
    return this.map.delete(key);
  }

  /** The least recently touched value, or undefined when empty. */
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
