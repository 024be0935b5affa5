/**
 * The most frequent keys of a stream in bounded memory (Space-Saving, with eviction in batches).
 * Up to `capacity` keys are counted exactly. When a new key arrives at a full table, the least
 * counted half is dropped at once (so an eviction costs O(log n) per key, amortized), and every
 * key that enters later starts from the highest count dropped so far: its count is then an upper
 * bound, and `overcount` says by how much it may exceed the truth. A key seen more often than
 * the dropped ones always stays.
 *
 * @module
 */

import { detach } from "./detach.ts";

/** One counted key and what the caller keeps beside it. */
export interface Counted<T> {
  key: string;
  count: number;
  /** How much of `count` may belong to keys dropped before this one entered. */
  overcount: number;
  data: T;
}

/** Counts keys in at most `capacity` entries. */
export class HeavyHitters<T> {
  #entries = new Map<string, Counted<T>>();
  #floor = 0;
  #entered = 0;
  #evicted = false;

  constructor(readonly capacity: number, readonly create: (key: string) => T) {}

  /** Counts `key` once (or `weight` times) and returns its entry, to update its data. */
  add(key: string, weight = 1): Counted<T> {
    let entry = this.#entries.get(key);
    if (entry) {
      entry.count += weight;
      return entry;
    }
    if (this.#entries.size >= this.capacity) this.#evict();
    this.#entered++;
    key = detach(key);
    entry = { key, count: this.#floor + weight, overcount: this.#floor, data: this.create(key) };
    this.#entries.set(key, entry);
    return entry;
  }

  /** The entry for `key`, when it is counted. */
  get(key: string): Counted<T> | undefined {
    return this.#entries.get(key);
  }

  /**
   * The counted keys, most counted first; keys counted alike in `order` (by their text unless
   * told: remote addresses, say, go by their bytes).
   */
  top(limit = Infinity, order: (a: string, b: string) => number = compareText): Counted<T>[] {
    return [...this.#entries.values()].sort((a, b) => b.count - a.count || order(a.key, b.key))
      .slice(0, limit);
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * How many distinct keys were counted: exact until the first eviction; after it an upper bound
   * (a key dropped and seen again counts twice).
   */
  get distinct(): { total: number; exact: boolean } {
    return { total: this.#entered, exact: this.#floor === 0 && !this.#evicted };
  }

  #evict(): void {
    const sorted = [...this.#entries.values()].sort((a, b) => a.count - b.count);
    const dropped = sorted.slice(0, Math.ceil(sorted.length / 2));
    this.#evicted = true;
    for (const entry of dropped) this.#entries.delete(entry.key);
    this.#floor = Math.max(this.#floor, dropped.at(-1)?.count ?? 0);
  }
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A small count of names, keeping at most `limit` of them (the first ones seen), each counted
 * once (or `weight` times) a call.
 */
export function countInto<K>(counts: Map<K, number>, key: K, limit = 32, weight = 1): void {
  const count = counts.get(key);
  if (count !== undefined) counts.set(key, count + weight);
  else if (counts.size < limit) {
    counts.set(typeof key === "string" ? detach(key) as K : key, weight);
  }
}

/** The keys of `counts`, most counted first, at most `limit`. */
export function topKeys<K>(counts: Map<K, number>, limit: number): K[] {
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, limit).map(([key]) => key);
}
