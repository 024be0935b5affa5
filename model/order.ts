/**
 * The order endpoints are listed in: protocol (tcp, tcp6, udp, udp6), local port, local address,
 * then peer, so that two dumps of the same host read alike and diff cleanly.
 *
 * @module
 */

import type { Endpoint, Protocol } from "./endpoint.ts";

const PROTOCOL_RANK: Record<Protocol, number> = { tcp: 0, tcp6: 1, udp: 2, udp6: 3 };

/** Sort comparator for {@linkcode Endpoint}s. */
export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  return PROTOCOL_RANK[a.protocol] - PROTOCOL_RANK[b.protocol] ||
    a.localPort - b.localPort ||
    compareText(a.localAddress, b.localAddress) ||
    compareText(a.remoteAddress ?? "", b.remoteAddress ?? "") ||
    (a.remotePort ?? -1) - (b.remotePort ?? -1);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Endpoint indexes go in the low 32 bits of a sort key, below protocol and port. */
const INDEX_SPACE = 2 ** 32;

/** Runs of endpoints sharing protocol and port up to this long are sorted in place by insertion. */
const INSERTION_RUN_MAX = 8;

/**
 * Sorts endpoints in place into {@linkcode compareEndpoints} order. Protocol, port and the
 * endpoint's index pack into one number (below 2^50), so one native sort of a Float64Array
 * orders every endpoint by protocol and port with no JavaScript call per comparison, and stably;
 * only endpoints that share both (an accepting listener's connections, say) are then compared in
 * full. The first snapshot runs this cold, where every JavaScript step over 16,000 objects costs:
 * this takes half the time of the counting sort it replaced, which walked a 262,144-entry table.
 */
export function sortEndpoints(endpoints: Endpoint[]): Endpoint[] {
  const count = endpoints.length;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const endpoint = endpoints[i];
    keys[i] = (PROTOCOL_RANK[endpoint.protocol] * 65536 + endpoint.localPort) * INDEX_SPACE + i;
  }
  keys.sort();
  const unsorted = endpoints.slice();
  let runStart = 0, runBucket = -1;
  for (let i = 0; i < count; i++) {
    const bucket = Math.floor(keys[i] / INDEX_SPACE);
    endpoints[i] = unsorted[keys[i] - bucket * INDEX_SPACE];
    if (bucket !== runBucket) {
      if (i - runStart > 1) sortRun(endpoints, runStart, i);
      runStart = i;
      runBucket = bucket;
    }
  }
  if (count - runStart > 1) sortRun(endpoints, runStart, count);
  return endpoints;
}

/** Sorts `endpoints[start..end)`, which share protocol and port, by the comparator. */
function sortRun(endpoints: Endpoint[], start: number, end: number): void {
  if (end - start <= INSERTION_RUN_MAX) {
    // Most runs are two or three sockets: no array to allocate for them.
    for (let i = start + 1; i < end; i++) {
      const endpoint = endpoints[i];
      let j = i - 1;
      for (; j >= start && compareEndpoints(endpoints[j], endpoint) > 0; j--) {
        endpoints[j + 1] = endpoints[j];
      }
      endpoints[j + 1] = endpoint;
    }
    return;
  }
  const run = endpoints.slice(start, end).sort(compareEndpoints);
  for (let i = 0; i < run.length; i++) endpoints[start + i] = run[i];
}
