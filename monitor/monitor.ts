/**
 * The monitor's loop: one snapshot per tick, reusing what it knows of owners, diffed with the
 * last, and handed to each part (the Port Reporter logs, the real-time rules) until stopped.
 *
 * @module
 */

import type { Collector } from "../collectors/collector.ts";
import type { Snapshot } from "../model/endpoint.ts";
import { heldOnlyBy, withoutProcess } from "../model/snapshot.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { SocketTracker } from "./tracker.ts";

/** A part of the monitor: told of the first snapshot, then of every tick's changes. */
export interface MonitorPart {
  start(snapshot: Snapshot): void;
  tick(changes: readonly SocketChange[], snapshot: Snapshot): void;
}

/** How the loop runs. */
export interface MonitorLoopOptions {
  collector: Collector;
  intervalSeconds: number;
  parts: readonly MonitorPart[];
  /** Read processes' modules (the Port Reporter's PR-PIDS records list them). */
  modules: boolean;
  /** Told what a snapshot could not see (missing privilege, missed notifications). */
  warn(message: string): void;
  stop: AbortSignal;
  /**
   * A process whose sockets no part is told of: the monitor's own (its syslog connection), so
   * that it never logs or flags itself.
   */
  ignorePid?: number;
}

/** Runs until `stop` is aborted; returns how many ticks it made. */
export async function runMonitorLoop(options: MonitorLoopOptions): Promise<number> {
  const { collector, parts, stop } = options;
  const { ignorePid } = options;
  const collect = () => {
    const snapshot = collector.collect({ reuseOwners: true, modules: options.modules });
    return ignorePid === undefined ? snapshot : withoutProcess(snapshot, ignorePid);
  };
  const tracker = new SocketTracker();
  collector.takeDestroyed?.(); // subscribe before the first look, so nothing after it is missed
  const first = collect();
  collector.takeDestroyed?.(); // what closed before the first look is not news
  for (const warning of first.warnings) options.warn(warning);
  tracker.reset(first.endpoints);
  for (const part of parts) part.start(first);
  let ticks = 0;
  while (!stop.aborted) {
    await sleep(options.intervalSeconds * 1000, stop);
    if (stop.aborted) break;
    const snapshot = collect();
    const destroyed = collector.takeDestroyed?.();
    if (destroyed?.overflowed) {
      snapshot.warnings.push(
        "sockets closed faster than reported: some short-lived ones were missed",
      );
    }
    const changes = tracker.update(
      snapshot.endpoints,
      ignorePid === undefined
        ? destroyed?.endpoints
        : destroyed?.endpoints.filter((endpoint) => !heldOnlyBy(endpoint, ignorePid)),
    );
    for (const warning of snapshot.warnings) options.warn(warning);
    for (const part of parts) part.tick(changes, snapshot);
    ticks++;
  }
  return ticks;
}

/** Waits `ms`, or until `stop` is aborted. */
function sleep(ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    stop.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      stop.removeEventListener("abort", done);
      resolve();
    }
  });
}
