/**
 * One UDP port's state: an empty datagram where no protocol query is known (a service that
 * answers anything answers that), the protocol's own query where one is; an answer is LISTENING,
 * an ICMP port unreachable NOT LISTENING, silence LISTENING or FILTERED.
 *
 * @module
 */

import type { UdpProber } from "../collectors/probe.ts";
import type { PortState } from "./port_result.ts";
import { describeReply, UDP_QUERIES } from "./udp_queries.ts";

/** One UDP probe. */
export interface UdpPortOptions {
  address: string;
  port: number;
  sourcePort: number | null;
  waitMs: number;
  community: string;
}

/** Probes one UDP port with `prober`. */
export async function probeUdp(
  prober: UdpProber,
  options: UdpPortOptions,
): Promise<{ state: PortState; detail: string[] }> {
  const query = UDP_QUERIES.get(options.port);
  // Going straight to the protocol's query where there is one: a service of that protocol drops
  // an empty datagram, so sending one first would only add a wait.
  const payload = query
    ? query.request({ community: options.community, id: transactionId() })
    : new Uint8Array(0);
  const outcome = await prober.probe({
    address: options.address,
    port: options.port,
    sourcePort: options.sourcePort,
    payloads: [payload],
    waitMs: options.waitMs,
  });
  switch (outcome.kind) {
    case "reply":
      return {
        state: "LISTENING",
        detail: query ? describeReply(query, outcome.bytes) : [
          `answered with ${outcome.bytes.length} byte(s)`,
        ],
      };
    case "refused":
      return { state: "NOT LISTENING", detail: [] };
    case "unreachable":
      return { state: "FILTERED", detail: [outcome.reason] };
    case "silent":
      return {
        state: "LISTENING or FILTERED",
        detail: query ? [`no answer to a ${query.name} query`] : [],
      };
  }
}

/** A random 16-bit id (DNS, NetBIOS) or request id (SNMP, LDAP); never 0. */
function transactionId(): number {
  return 1 + Math.floor(Math.random() * 0xfffe);
}
