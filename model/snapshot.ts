/**
 * Assembling a {@linkcode Snapshot} the same way for every collector: endpoints in report order,
 * processes by pid, stamped with the host and the time.
 *
 * @module
 */

import type { Endpoint, ProcessInfo, Snapshot } from "./endpoint.ts";
import { sortEndpoints } from "./order.ts";

/** A snapshot of `endpoints` (sorted in place) and the `processes` that own them. */
export function makeSnapshot(
  endpoints: Endpoint[],
  processes: Iterable<ProcessInfo>,
  warnings: string[],
  source: string,
): Snapshot {
  return {
    host: Deno.hostname(),
    time: new Date().toISOString(),
    endpoints: sortEndpoints(endpoints),
    processes: new Map([...processes].sort((a, b) => a.pid - b.pid).map((p) => [p.pid, p])),
    warnings,
    source,
  };
}
