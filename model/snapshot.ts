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

/**
 * Each process's sockets, by pid in ascending order: a socket several processes hold (after a
 * fork) is listed under each of them; one no process owns, under none.
 */
export function endpointsByOwner(endpoints: readonly Endpoint[]): Map<number, Endpoint[]> {
  const byOwner = new Map<number, Endpoint[]>();
  for (const [pid, indexes] of endpointIndexesByOwner(endpoints)) {
    byOwner.set(pid, indexes.map((index) => endpoints[index]));
  }
  return byOwner;
}

/**
 * As {@linkcode endpointsByOwner}, each socket given by its index in `endpoints`: for a writer
 * that has already made something of each endpoint, in an array of the same order.
 */
export function endpointIndexesByOwner(endpoints: readonly Endpoint[]): Map<number, number[]> {
  const byOwner = new Map<number, number[]>();
  for (let index = 0; index < endpoints.length; index++) {
    const endpoint = endpoints[index];
    if (endpoint.owners) {
      for (const owner of endpoint.owners) addTo(byOwner, owner.pid, index);
    } else if (endpoint.pid !== null) {
      addTo(byOwner, endpoint.pid, index);
    }
  }
  return new Map([...byOwner].sort((a, b) => a[0] - b[0]));
}

function addTo(byOwner: Map<number, number[]>, pid: number, index: number): void {
  const list = byOwner.get(pid);
  if (list) list.push(index);
  else byOwner.set(pid, [index]);
}

/** Whether `pid` is the only process holding `endpoint`. */
export function heldOnlyBy(endpoint: Endpoint, pid: number): boolean {
  return endpoint.owners
    ? endpoint.owners.every((owner) => owner.pid === pid)
    : endpoint.pid === pid;
}

/**
 * `snapshot` without the sockets `pid` alone holds and without that process: the host as a
 * monitor reports it, leaving itself out. A socket it shares with another process stays.
 */
export function withoutProcess(snapshot: Snapshot, pid: number): Snapshot {
  const processes = new Map(snapshot.processes);
  processes.delete(pid);
  return {
    ...snapshot,
    endpoints: snapshot.endpoints.filter((endpoint) => !heldOnlyBy(endpoint, pid)),
    processes,
  };
}
