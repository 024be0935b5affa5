/**
 * `-wport PORT` and `-wpid PID`: poll the host's sockets, keep those of one local port or one
 * process, and report each change as it is seen, until stopped.
 *
 * @module
 */

import type { Collector } from "../collectors/collector.ts";
import type { Endpoint, Snapshot } from "../model/endpoint.ts";
import { formatWatchBlock, formatWatchEnd, formatWatchHeader } from "../outputs/watch_report.ts";
import { watchChangeLines, watchEndLine, watchStartLine } from "../outputs/watch_json.ts";
import { runMonitorLoop } from "./monitor.ts";

/** What to watch: a local port (TCP and UDP), or a process. */
export type WatchTarget = { port: number; pid?: undefined } | { pid: number; port?: undefined };

/** Where the watch writes. */
export interface WatchSink {
  write(text: string): void;
}

/** How to watch. */
export interface WatchOptions {
  collector: Collector;
  target: WatchTarget;
  intervalSeconds: number;
  /** Text (PortQry's blocks) or JSON lines, one per change. */
  format: "text" | "json";
  verbose: boolean;
  /** The command line, for the header. */
  command: string;
  sink: WatchSink;
  /** Aborted to stop; its reason (`SIGINT`, say) goes in the end line. */
  stop: AbortSignal;
  /**
   * Told what a look could not see (other users' owners, without root), once per message: a
   * watch that shows no owner must say why, as `-local` does.
   */
  warn?: (message: string) => void;
}

/** A watched process that does not exist. */
export class NoSuchProcessError extends Error {
  override name = "NoSuchProcessError";
}

/**
 * Runs the watch until `stop` is aborted or the watched process exits: a part of the monitor's
 * loop (monitor.ts), which takes the looks, tracks the changes and catches sockets that come and
 * go between looks; the watch keeps the changes of its port or process.
 */
export async function watch(options: WatchOptions): Promise<void> {
  const { collector, target, sink } = options;
  if (target.pid !== undefined && !collector.processExists(target.pid)) {
    throw new NoSuchProcessError(`no process with PID ${target.pid}`);
  }
  const isWatched = (endpoint: Endpoint | undefined): boolean =>
    endpoint !== undefined &&
    (target.port !== undefined ? endpoint.localPort === target.port : endpoint.pid === target.pid ||
      endpoint.owners?.some((owner) => owner.pid === target.pid) === true);
  const watched = (snapshot: Snapshot) => snapshot.endpoints.filter(isWatched);
  const exited = new AbortController();
  const stop = AbortSignal.any([options.stop, exited.signal]);
  const text = options.format === "text";
  let changeCount = 0;

  await runMonitorLoop({
    collector,
    intervalSeconds: options.intervalSeconds,
    modules: false,
    stop,
    warn: options.warn ?? (() => {}),
    sinks: [{
      start(first) {
        const endpoints = watched(first);
        const description = target.port !== undefined
          ? `local port ${target.port} (TCP and UDP)`
          : `process ${target.pid} (${
            first.processes.get(target.pid)?.process ?? "no sockets yet"
          })`;
        const time = new Date(first.time);
        if (!text) {
          sink.write(watchStartLine({
            host: first.host,
            time,
            watching: description,
            target: target.port !== undefined ? { localPort: target.port } : { pid: target.pid },
            intervalSeconds: options.intervalSeconds,
            endpoints,
          }));
          return;
        }
        sink.write(formatWatchHeader({
          watching: description,
          command: options.command,
          host: first.host,
          intervalSeconds: options.intervalSeconds,
          time,
        }));
        sink.write(formatWatchBlock(
          time,
          `starting state: ${endpoints.length} socket${endpoints.length === 1 ? "" : "s"}`,
          [],
          endpoints,
          options.verbose,
        ));
      },
      tick(allChanges, snapshot) {
        const changes = allChanges.filter((c) => isWatched(c.endpoint) || isWatched(c.previous));
        if (changes.length > 0) {
          changeCount += changes.length;
          const time = new Date(snapshot.time);
          sink.write(
            text
              ? formatWatchBlock(
                time,
                `${changes.length} change${changes.length === 1 ? "" : "s"}`,
                changes,
                watched(snapshot),
                options.verbose,
              )
              : watchChangeLines(time, changes),
          );
        }
        if (target.pid !== undefined && !collector.processExists(target.pid)) {
          exited.abort(`process ${target.pid} exited`);
        }
      },
      events() {}, // a watch runs no rule
      stop() {}, // its end line, below, says why it stopped
    }],
  });
  const reason = String(stop.reason ?? "stopped");
  sink.write(
    text
      ? formatWatchEnd(new Date(), reason, changeCount)
      : watchEndLine(new Date(), reason, changeCount),
  );
}
