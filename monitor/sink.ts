/**
 * What the monitor loop feeds: a destination of what it sees (the Port Reporter logs, the rule
 * event stream, syslog, metrics). The loop owns the order of calls; a sink owns where its output
 * goes. The interface lives beside the loop that calls it, so that the sinks, which format with
 * `outputs/`, depend on the monitor and never the other way round.
 *
 * @module
 */

import type { Snapshot } from "../model/endpoint.ts";
import type { SocketChange } from "../model/socket_change.ts";
import type { ChangeEvent } from "../rules/changes.ts";

/** How one look went, besides what it saw. */
export interface LookTiming {
  /** How long taking the snapshot took, in milliseconds. */
  durationMs: number;
}

/**
 * A destination the monitor loop feeds, in this order: `start` with the first look, then for each
 * later look `tick` and, when a rule ran and found something, `events`; `stop` once at the end,
 * whether or not `start` was reached (a sink opened before the loop must still be closed).
 */
export interface Sink {
  /** The first look: every socket open when the monitor starts. */
  start(snapshot: Snapshot, timing: LookTiming): void;
  /** A later look and the changes since the one before. */
  tick(changes: readonly SocketChange[], snapshot: Snapshot, timing: LookTiming): void;
  /** The rule's Created / Updated / Deleted events of the look just told of. */
  events(events: readonly ChangeEvent[]): void;
  /** The monitor stops (`SIGTERM`, `stopped by an error`); called once, may be awaited. */
  stop(reason: string): void | Promise<void>;
}
