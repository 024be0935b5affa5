/**
 * The interface every platform's collector implements. The rest of portset talks only to this,
 * never asking which OS it runs on.
 *
 * @module
 */

import type { Endpoint, Snapshot } from "../model/endpoint.ts";

/** What a caller wants beyond endpoints and their owners. */
export interface CollectOptions {
  /** Read each owning process's loaded modules (costly; `-local -v` asks for it). */
  modules?: boolean;
  /**
   * For repeated snapshots (watch modes, the monitor): reuse the owners the previous snapshot
   * found, and look owners up again only when a socket not seen before appears, an owner has
   * exited, or a while has passed. Costs a little accuracy (a process that inherits a known
   * socket is noticed at the next full look) for a tick near the cost of the socket dump alone.
   */
  reuseOwners?: boolean;
}

/** Reads the host's TCP and UDP endpoints and their owners from the OS. */
export interface Collector {
  /** One complete snapshot of the host's sockets. */
  collect(options?: CollectOptions): Snapshot;
  /**
   * Sockets the OS reported destroyed since the last call (the first call subscribes and returns
   * nothing), so a socket that opened and closed between two snapshots is still seen. Null where
   * the OS offers no such report or it cannot be had (no privilege); `overflowed` when some were
   * lost because they came faster than they were read.
   */
  takeDestroyed?(): { endpoints: Endpoint[]; overflowed: boolean } | null;
  /** True while a process with this pid exists. */
  processExists(pid: number): boolean;
  /**
   * When the process now numbered `pid` started, as its `ProcessInfo.started` says;
   * null when there is none or the OS will not say. A pid is reused once its process exits, so
   * the start tells the process a watch began with from another given its number since.
   */
  processStarted?(pid: number): string | null;
  /** Releases OS handles (netlink sockets, library handles). */
  close(): void;
}

/**
 * What each OS's collector folder exports from its `mod.ts`, for collectors/platform.ts to load
 * the running OS's alone.
 */
export interface PlatformCollectors {
  /** A collector for repeated snapshots (the watch modes, the monitor) or one. */
  createCollector(): Collector | Promise<Collector>;
  /**
   * One snapshot for a command that looks once and exits (`-local`, `scan`, `baseline`,
   * `check`), made however is quickest on this OS: on Linux, with a second thread on a busy host.
   */
  collectOnce(options: CollectOptions): Promise<Snapshot>;
}

/**
 * One snapshot from a collector made for it and closed after it: `collectOnce` where an OS has
 * nothing quicker for a single look.
 */
export function collectOnceWith(
  create: () => Collector,
  options: CollectOptions,
): Promise<Snapshot> {
  return Promise.try(() => {
    const collector = create();
    try {
      return collector.collect(options);
    } finally {
      collector.close();
    }
  });
}

/** The collector cannot run on this system at all; the message says why, for the user. */
export class CollectorUnavailableError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "CollectorUnavailableError";
}
