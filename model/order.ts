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

/** Below this many endpoints a comparison sort is cheaper than the counting sort's table. */
const COUNTING_SORT_MIN = 4096;

/**
 * Sorts endpoints in place into {@linkcode compareEndpoints} order. Protocol and port are small
 * integers, so a counting sort on them does most of the work in linear time; only endpoints that
 * share both (an accepting listener's connections, say) are compared in full. On a 16,000-socket
 * host this is several times cheaper than a comparison sort of the whole list.
 */
export function sortEndpoints(endpoints: Endpoint[]): Endpoint[] {
  // The counting sort's table is a quarter of a million counters: on a quiet host, filling and
  // summing it (before the JIT has warmed up) costs more than sorting the few sockets there are.
  if (endpoints.length < COUNTING_SORT_MIN) return endpoints.sort(compareEndpoints);
  const bucketOf = (endpoint: Endpoint) =>
    PROTOCOL_RANK[endpoint.protocol] * 65536 + endpoint.localPort;
  const starts = new Uint32Array(4 * 65536 + 1);
  for (const endpoint of endpoints) starts[bucketOf(endpoint) + 1]++;
  for (let i = 1; i < starts.length; i++) starts[i] += starts[i - 1];
  const sorted = new Array<Endpoint>(endpoints.length);
  const next = starts.slice(0, -1);
  for (const endpoint of endpoints) sorted[next[bucketOf(endpoint)]++] = endpoint;
  for (let i = 0; i < sorted.length;) {
    let end = i + 1;
    const bucket = bucketOf(sorted[i]);
    while (end < sorted.length && bucketOf(sorted[end]) === bucket) end++;
    if (end - i > 1) {
      const run = sorted.slice(i, end).sort(compareEndpoints);
      for (let j = 0; j < run.length; j++) sorted[i + j] = run[j];
    }
    i = end;
  }
  for (let i = 0; i < sorted.length; i++) endpoints[i] = sorted[i];
  return endpoints;
}
