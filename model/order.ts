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
