/**
 * The heaviest keys of a stream of weighted counts, in bounded memory: Space-Saving as in
 * report/heavy_hitters.ts, with a weight per addition (a host's count of connections with an
 * address). Up to `capacity` keys are counted exactly; when a new key arrives at a full table, the
 * lighter half is dropped at once, and every key that enters later starts from the heaviest count
 * dropped so far, which its `overcount` says may not be its own.
 *
 * @module
 */

import { detach } from "./detach.ts";

/** One counted key and what the caller keeps beside it. */
export interface Weighted<T> {
  /** The key. */
  key: string;
  /** Its weight so far (an upper bound when `overcount` is not 0). */
  count: number;
  /** How much of `count` may belong to keys dropped before this one entered, or to others. */
  overcount: number;
  /** What the caller keeps with the key. */
  data: T;
}

/** Sums weights per key in at most `capacity` entries. */
export class WeightedCounter<T> {
  #entries = new Map<string, Weighted<T>>();
  #floor = 0;
  #entered = 0;
  #evicted = false;

  /** A counter of at most `capacity` keys. */
  constructor(readonly capacity: number) {}

  /** Adds `weight` to `key` (made with `create` when new) and returns its entry. */
  add(key: string, weight: number, create: () => T): Weighted<T> {
    const known = this.#entries.get(key);
    if (known) {
      known.count += weight;
      return known;
    }
    if (this.#entries.size >= this.capacity) this.#evict();
    this.#entered++;
    const entry = {
      key: detach(key),
      count: weight + this.#floor,
      overcount: this.#floor,
      data: create(),
    };
    this.#entries.set(entry.key, entry);
    return entry;
  }

  /** Keys that entered the table, counting a key again when it came back after being dropped. */
  get entered(): number {
    return this.#entered;
  }

  /** Whether any key was dropped: counts are then upper bounds. */
  get evicted(): boolean {
    return this.#evicted;
  }

  /** The `limit` heaviest entries, heaviest first, ties by key. */
  top(limit: number): Weighted<T>[] {
    return [...this.#entries.values()]
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .slice(0, limit);
  }

  /** Drops the lighter half; later keys start from the heaviest count dropped. */
  #evict(): void {
    const sorted = [...this.#entries.values()].sort((a, b) => a.count - b.count);
    const dropped = sorted.slice(0, Math.ceil(sorted.length / 2));
    for (const entry of dropped) {
      this.#entries.delete(entry.key);
      if (entry.count > this.#floor) this.#floor = entry.count;
    }
    this.#evicted = true;
  }
}
