/**
 * The interface every platform's collector implements. The rest of portset talks only to this,
 * never asking which OS it runs on.
 *
 * @module
 */

import type { Snapshot } from "../model/endpoint.ts";

/** What a caller wants beyond endpoints and their owners. */
export interface CollectOptions {
  /** Read each owning process's loaded modules (costly; `-local -v` asks for it). */
  modules?: boolean;
}

/** Reads the host's TCP and UDP endpoints and their owners from the OS. */
export interface Collector {
  /** One complete snapshot of the host's sockets. */
  collect(options?: CollectOptions): Snapshot;
  /** Releases OS handles (netlink sockets, library handles). */
  close(): void;
}

/** The collector cannot run on this system at all; the message says why, for the user. */
export class CollectorUnavailableError extends Error {
  override name = "CollectorUnavailableError";
}
