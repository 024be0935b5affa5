/**
 * The report's timeline, built while the logs stream by: changes counted in equal time buckets,
 * and for listening ports the seconds of each bucket they were open. The first bucket starts at
 * the first time seen; when a time falls past the last bucket, neighbouring buckets are merged in
 * pairs and the width doubles, so a month of logs keeps as few buckets as an hour's.
 *
 * @module
 */

import { CHANGE_KINDS, type ChangeKind, type Timeline } from "./model.ts";
import { formatLogTime } from "./log_time.ts";

/** The most buckets kept: enough for a readable chart at any window length. */
export const MAX_BUCKETS = 480;
/** Lanes (listening ports) followed at once; more are not drawn. */
const MAX_LANES = 256;

/** Builds a {@linkcode Timeline}. */
export class TimelineBuilder {
  #start: number | null = null;
  #width = 60;
  #counts: Record<ChangeKind, number>[] = [];
  #lanes = new Map<string, number[]>();

  /** Counts one change at `time`. */
  count(time: number, kind: ChangeKind): void {
    const index = this.#index(time);
    this.#counts[index][kind]++;
  }

  /** Records that lane `key` was open from `from` to `to` (seconds). */
  cover(key: string, from: number, to: number): void {
    if (to <= from) return;
    let coverage = this.#lanes.get(key);
    if (!coverage) {
      if (this.#lanes.size >= MAX_LANES) return;
      coverage = [];
      this.#lanes.set(key, coverage);
    }
    // Make room for `to` first: coarsening replaces the lane's array.
    this.#index(to);
    this.#index(from);
    coverage = this.#lanes.get(key)!;
    const start = this.#start!;
    for (let time = Math.max(from, start); time < to;) {
      const index = Math.floor((time - start) / this.#width);
      const bucketEnd = start + (index + 1) * this.#width;
      const end = Math.min(to, bucketEnd);
      coverage[index] = (coverage[index] ?? 0) + (end - time);
      time = end;
    }
  }

  /** The timeline, with the `laneLimit` lanes open longest, described by `describe`. */
  build(
    laneLimit: number,
    describe: (key: string) => Omit<Timeline["lanes"][number], "coverage">,
  ): Timeline {
    const length = this.#counts.length;
    const total = (coverage: number[]) =>
      coverage.reduce((sum, seconds) => sum + (seconds ?? 0), 0);
    const lanes = [...this.#lanes].sort((a, b) => total(b[1]) - total(a[1])).slice(0, laneLimit);
    return {
      start: this.#start === null ? "" : formatLogTime(this.#start),
      bucketSeconds: this.#width,
      buckets: this.#counts,
      lanes: lanes.map(([key, coverage]) => ({
        ...describe(key),
        coverage: Array.from(
          { length },
          (_, i) => Math.min(1, Math.round(((coverage[i] ?? 0) / this.#width) * 1000) / 1000),
        ),
      })),
    };
  }

  /** The bucket of `time`, growing or coarsening the buckets to hold it. */
  #index(time: number): number {
    if (this.#start === null) this.#start = time;
    let index = Math.max(0, Math.floor((time - this.#start) / this.#width));
    while (index >= MAX_BUCKETS) {
      this.#coarsen();
      index = Math.floor((time - this.#start) / this.#width);
    }
    while (this.#counts.length <= index) this.#counts.push(emptyCounts());
    return index;
  }

  #coarsen(): void {
    const counts: Record<ChangeKind, number>[] = [];
    for (let i = 0; i < this.#counts.length; i += 2) {
      const merged = { ...this.#counts[i] };
      const next = this.#counts[i + 1];
      if (next) { for (const kind of CHANGE_KINDS) merged[kind] += next[kind]; }
      counts.push(merged);
    }
    this.#counts = counts;
    for (const [key, coverage] of this.#lanes) {
      const merged: number[] = [];
      for (let i = 0; i < coverage.length; i += 2) {
        merged.push((coverage[i] ?? 0) + (coverage[i + 1] ?? 0));
      }
      this.#lanes.set(key, merged);
    }
    this.#width *= 2;
  }
}

function emptyCounts(): Record<ChangeKind, number> {
  return { listen: 0, bind: 0, connect: 0, state: 0, owner: 0, close: 0, seen: 0 };
}
