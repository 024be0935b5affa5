/**
 * The monitor's loop: one snapshot per tick, reusing what it knows of owners, diffed with the
 * last, the rule evaluated on it, and all of it handed to each sink (the Port Reporter logs, the
 * event stream, syslog, metrics) until stopped.
 *
 * @module
 */

import type { Collector } from "../collectors/collector.ts";
import type { Snapshot } from "../model/endpoint.ts";
import { heldOnlyBy, withoutProcess } from "../model/snapshot.ts";
import type { RuleMonitor } from "./rule_monitor.ts";
import type { LookTiming, Sink } from "./sink.ts";
import { SocketTracker } from "./tracker.ts";

/** How the loop runs. */
export interface MonitorLoopOptions {
  collector: Collector;
  intervalSeconds: number;
  /** Where what the monitor sees goes, fed in this order. */
  sinks: readonly Sink[];
  /** The rule evaluated on each look, its events handed to every sink; none without `--rule`. */
  rule?: RuleMonitor | null;
  /** Called once every sink has started on the first look: from then on, every change is seen. */
  started?(): void;
  /** Read processes' modules (the Port Reporter's PR-PIDS records list them). */
  modules: boolean;
  /** Told what a snapshot could not see (missing privilege, missed notifications). */
  warn(message: string): void;
  stop: AbortSignal;
  /**
   * A process whose sockets no sink is told of: the monitor's own (its syslog connection, its
   * metrics listener), so that it never logs or flags itself.
   */
  ignorePid?: number;
}

/**
 * Runs until `stop` is aborted; returns how many ticks it made. Every sink is stopped on the way
 * out, with the stop's reason, or `stopped by an error` when the loop ends by throwing.
 */
export async function runMonitorLoop(options: MonitorLoopOptions): Promise<number> {
  const { sinks, stop } = options;
  let reason = "stopped by an error";
  try {
    const ticks = await loop(options);
    reason = String(stop.reason ?? "done");
    return ticks;
  } finally {
    // A stop asked for (a signal, the service manager), or an error that ends the monitor.
    if (stop.aborted) reason = String(stop.reason);
    for (const sink of sinks) await sink.stop(reason);
  }
}

async function loop(options: MonitorLoopOptions): Promise<number> {
  const { collector, sinks, stop, ignorePid } = options;
  const rule = options.rule ?? null;
  const collect = (): [Snapshot, LookTiming] => {
    const started = performance.now();
    const snapshot = collector.collect({ reuseOwners: true, modules: options.modules });
    const timing = { durationMs: performance.now() - started };
    return [ignorePid === undefined ? snapshot : withoutProcess(snapshot, ignorePid), timing];
  };
  const tracker = new SocketTracker();
  collector.takeDestroyed?.(); // subscribe before the first look, so nothing after it is missed
  const [first, firstTiming] = collect();
  collector.takeDestroyed?.(); // what closed before the first look is not news
  for (const warning of first.warnings) options.warn(warning);
  tracker.reset(first.endpoints);
  rule?.start(first);
  for (const sink of sinks) sink.start(first, firstTiming);
  options.started?.();
  let ticks = 0;
  while (!stop.aborted) {
    await sleep(options.intervalSeconds * 1000, stop);
    if (stop.aborted) break;
    const [snapshot, timing] = collect();
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
    for (const sink of sinks) sink.tick(changes, snapshot, timing);
    const events = rule?.tick(snapshot) ?? [];
    if (events.length > 0) { for (const sink of sinks) sink.events(events); }
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
