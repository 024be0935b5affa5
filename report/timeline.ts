/**
 * The report's timeline, built while the logs stream by: changes counted in equal time buckets,
 * and for listening ports the seconds of each bucket they were open. The first bucket starts where
 * the window does; buckets start one second wide, and when a time falls past the last bucket,
 * neighbouring buckets are merged into the next width of a ladder of round ones (5 s, 10 s,
 * 30 s, 1 min, 5 min … 1 day, 1 week), so a month of logs keeps as few buckets as a minute's and
 * the chart's ticks fall on round times.
 *
 * @module
 */

import { LOG_CHANGE_KINDS, type LogChangeKind, type Timeline } from "./model.ts";
import { formatLogTime } from "../port_reporter/log_time.ts";

/** The most buckets kept: enough for a readable chart at any window length. */
export const MAX_BUCKETS = 480;
/** Bucket widths, in seconds, each a whole multiple of the one before. */
const WIDTHS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200, 86400, 172800, 604800];

/**
 * Lanes (listening ports) followed at once. When a longer-listening port comes and the table is
 * full, the shortest lane gives way to it: ephemeral listeners of a few seconds are followed
 * only while nothing longer needs the room.
 */
const MAX_LANES = 256;
/** Lanes kept for flagged ports whatever their length; more flagged ports than this go unpinned. */
const MAX_PINNED = 64;

/** Builds a {@linkcode Timeline}; `Key` names a lane (a port). */
export class TimelineBuilder<Key = string> {
  #start: number | null = null;
  #width = WIDTHS[0];
  #counts: Record<LogChangeKind, number>[] = [];
  #lanes = new Map<Key, number[]>();
  /** Seconds each lane has been open in all, to choose which lanes to keep and draw. */
  #totals = new Map<Key, number>();
  #pinned = new Set<Key>();

  /** Starts the timeline at `time` (the window's start), unless it has started already. */
  begin(time: number): void {
    this.#start ??= time;
  }

  /** Counts one change at `time`. */
  count(time: number, kind: LogChangeKind): void {
    const index = this.#index(time);
    this.#counts[index][kind]++;
  }

  /** Keeps and draws lane `key` whatever its length (a flagged port). */
  pin(key: Key): void {
    if (this.#pinned.size < MAX_PINNED) this.#pinned.add(key);
  }

  /** Records that lane `key` was open from `from` to `to` (seconds). */
  cover(key: Key, from: number, to: number): void {
    if (to <= from) return;
    let coverage = this.#lanes.get(key);
    if (!coverage) {
      if (this.#lanes.size >= MAX_LANES && !this.#makeRoom(key, to - from)) return;
      coverage = [];
      this.#lanes.set(key, coverage);
    }
    this.#totals.set(key, (this.#totals.get(key) ?? 0) + (to - from));
    // Make room for `to` first: coarsening replaces the lane's array. (Log times are whole
    // seconds: half a second before `to` is inside the last second covered.)
    this.#index(to - 0.5);
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

  /**
   * The timeline up to `end` (the window's end), with `laneLimit` lanes (the pinned ones, then
   * those open longest), described by `describe`. A lane's coverage is the share of each bucket's time within the
   * window, so a port open to the end of a window that ends mid-bucket shows fully open.
   */
  build(
    laneLimit: number,
    end: number | null,
    describe: (key: Key) => Omit<Timeline["lanes"][number], "coverage" | "flagged">,
  ): Timeline {
    if (end !== null && this.#start !== null && end > this.#start) this.#index(end - 0.5);
    const length = this.#counts.length;
    const start = this.#start ?? 0;
    const span = (i: number) =>
      Math.max(1e-9, Math.min(this.#width, (end ?? Infinity) - (start + i * this.#width)));
    const total = (key: Key) => this.#totals.get(key) ?? 0;
    // Flagged ports first, then the ports that listened longest.
    const lanes = [...this.#lanes]
      .sort((a, b) =>
        Number(this.#pinned.has(b[0])) - Number(this.#pinned.has(a[0])) || total(b[0]) - total(a[0])
      )
      .slice(0, laneLimit);
    return {
      start: this.#start === null ? null : formatLogTime(this.#start),
      bucketSeconds: this.#width,
      buckets: this.#counts,
      lanes: lanes.map(([key, coverage]) => ({
        ...describe(key),
        flagged: this.#pinned.has(key),
        coverage: Array.from(
          { length },
          (_, i) => Math.min(1, Math.round(((coverage[i] ?? 0) / span(i)) * 1000) / 1000),
        ),
      })),
    };
  }

  /**
   * Frees a lane for `key`, open `seconds` so far: the shortest lane that is not pinned goes when
   * it is shorter (or when `key` is pinned). False when none can go.
   */
  #makeRoom(key: Key, seconds: number): boolean {
    let shortest: Key | undefined;
    let least = Infinity;
    for (const lane of this.#lanes.keys()) {
      if (this.#pinned.has(lane)) continue;
      const total = this.#totals.get(lane) ?? 0;
      if (total < least) [shortest, least] = [lane, total];
    }
    if (shortest === undefined || (least >= seconds && !this.#pinned.has(key))) return false;
    this.#lanes.delete(shortest);
    this.#totals.delete(shortest);
    return true;
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

  /** Merges buckets into the next width of the ladder (or twice the width past its end). */
  #coarsen(): void {
    const next = WIDTHS.find((width) => width > this.#width) ?? this.#width * 2;
    const factor = next / this.#width;
    const counts: Record<LogChangeKind, number>[] = [];
    for (let i = 0; i < this.#counts.length; i += factor) {
      const merged = emptyCounts();
      for (const bucket of this.#counts.slice(i, i + factor)) {
        for (const kind of LOG_CHANGE_KINDS) merged[kind] += bucket[kind];
      }
      counts.push(merged);
    }
    this.#counts = counts;
    for (const [key, coverage] of this.#lanes) {
      const merged: number[] = [];
      for (let i = 0; i < coverage.length; i += factor) {
        let seconds = 0;
        for (let j = i; j < i + factor; j++) seconds += coverage[j] ?? 0;
        merged.push(seconds);
      }
      this.#lanes.set(key, merged);
    }
    this.#width = next;
  }
}

function emptyCounts(): Record<LogChangeKind, number> {
  return { listen: 0, bind: 0, connect: 0, state: 0, owner: 0, close: 0, seen: 0 };
}
