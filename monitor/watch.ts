/**
 * `-wport PORT` and `-wpid PID`: poll the host's sockets, keep those of one local port or one
 * process, and report each change as it is seen, until stopped.
 *
 * @module
 */

import type { Collector } from "../collectors/collector.ts";
import type { Endpoint, Snapshot } from "../model/endpoint.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { runMonitorLoop } from "./monitor.ts";

/** What to watch: a local port (TCP and UDP), or a process. */
export type WatchTarget = { port: number; pid?: undefined } | { pid: number; port?: undefined };

/** Where the watch writes. */
export interface WatchSink {
  write(text: string): void;
}

/** What the watch saw at its first look, for its first words. */
export interface WatchStartFacts {
  /** This machine. */
  host: string;
  time: Date;
  /** `local port 80 (TCP and UDP)`, `process 812 (sshd)`. */
  watching: string;
  target: { localPort: number } | { pid: number };
  intervalSeconds: number;
  /** The watched sockets at the first look. */
  endpoints: readonly Endpoint[];
}

/**
 * How the watch's output reads, each method giving the text to write: PortQry's blocks, or JSON
 * lines (outputs/watch_views.ts). The watch decides what to say and when; a view, how.
 */
export interface WatchView {
  /** The first words, at the first look. */
  start(facts: WatchStartFacts): string;
  /** A look's changes to the watched sockets, and those sockets now. */
  changes(time: Date, changes: readonly SocketChange[], now: readonly Endpoint[]): string;
  /** The last words: why it stopped, and how many changes it saw. */
  end(time: Date, reason: string, changeCount: number): string;
}

/** How to watch. */
export interface WatchOptions {
  collector: Collector;
  target: WatchTarget;
  intervalSeconds: number;
  /** How the output reads (text or JSON lines). */
  view: WatchView;
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
  // The watched process's start: once it exits, the kernel may give its number to another
  // process, whose sockets are not the watched one's (null where the OS does not say).
  const startedAs = target.pid === undefined
    ? null
    : collector.processStarted?.(target.pid) ?? null;
  /** Whether `snapshot`'s process numbered as the target is the one the watch began with. */
  const sameProcess = (snapshot: Snapshot): boolean => {
    const started = snapshot.processes.get(target.pid!)?.started ?? null;
    return startedAs === null || started === null || started === startedAs;
  };
  /** Whether the process the watch began with has gone, its number free or another's. */
  const targetGone = (): boolean =>
    startedAs === null
      ? !collector.processExists(target.pid!)
      : collector.processStarted?.(target.pid!) !== startedAs; // null once it has gone
  /** Whether `endpoint`, seen in `snapshot`, is watched. */
  const isWatched = (endpoint: Endpoint | undefined, snapshot: Snapshot): boolean =>
    endpoint !== undefined &&
    (target.port !== undefined
      ? endpoint.localPort === target.port
      : (endpoint.pid === target.pid ||
        endpoint.owners?.some((owner) => owner.pid === target.pid) === true) &&
        sameProcess(snapshot));
  const watched = (snapshot: Snapshot) =>
    snapshot.endpoints.filter((endpoint) => isWatched(endpoint, snapshot));
  const exited = new AbortController();
  const stop = AbortSignal.any([options.stop, exited.signal]);
  let changeCount = 0;
  let last!: Snapshot; // the look before this one

  await runMonitorLoop({
    collector,
    intervalSeconds: options.intervalSeconds,
    modules: false,
    stop,
    warn: options.warn ?? (() => {}),
    sinks: [{
      start(first) {
        last = first;
        sink.write(options.view.start({
          host: first.host,
          time: new Date(first.time),
          watching: target.port !== undefined
            ? `local port ${target.port} (TCP and UDP)`
            : `process ${target.pid} (${
              first.processes.get(target.pid)?.process ?? "no sockets yet"
            })`,
          target: target.port !== undefined ? { localPort: target.port } : { pid: target.pid },
          intervalSeconds: options.intervalSeconds,
          endpoints: watched(first),
        }));
      },
      tick(allChanges, snapshot) {
        // A close, a socket that came and went between looks, and a change's previous endpoint
        // are of the last look's sockets and owners; the rest, of this look's.
        const changes = allChanges.filter((c) =>
          isWatched(c.endpoint, c.kind === "close" || c.betweenLooks ? last : snapshot) ||
          isWatched(c.previous, last)
        );
        last = snapshot;
        if (changes.length > 0) {
          changeCount += changes.length;
          sink.write(options.view.changes(new Date(snapshot.time), changes, watched(snapshot)));
        }
        if (target.pid !== undefined && targetGone()) {
          exited.abort(`process ${target.pid} exited`);
        }
      },
      events() {}, // a watch runs no rule
      stop() {}, // its end line, below, says why it stopped
    }],
  });
  sink.write(options.view.end(new Date(), String(stop.reason ?? "stopped"), changeCount));
}
