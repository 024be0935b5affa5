/**
 * One UDP port's state: an empty datagram where no protocol query is known (a service that
 * answers anything answers that), the protocol's own query where one is; an answer is LISTENING,
 * an ICMP port unreachable NOT LISTENING, any other ICMP error or OS error FILTERED, silence
 * LISTENING or FILTERED. Port 135 is asked for its endpoint map, a conversation of its own.
 *
 * @module
 */

import type { UdpProbeOutcome, UdpProber } from "../collectors/probe.ts";
import {
  describeLookup,
  ENDPOINT_MAPPER_QUERY,
  EndpointMapperError,
  EPMAP_PORT,
  lookupEndpointsUdp,
} from "./endpoint_mapper/mod.ts";
import { describeFailure, describeIcmp, UDP_SELF_REASON } from "./failure_text.ts";
import type { PortFinding, PortState } from "./port_result.ts";
import { describeReply, UDP_QUERIES } from "./udp_queries.ts";

/** One UDP probe. */
export interface UdpPortOptions {
  address: string;
  port: number;
  sourcePort: number | null;
  waitMs: number;
  community: string;
  /** Whether port 135 is asked for its endpoint map (not for `-r` ranges, as PortQry does). */
  endpointMapper: boolean;
}

/** Probes one UDP port with `prober`. */
export async function probeUdp(prober: UdpProber, options: UdpPortOptions): Promise<PortFinding> {
  if (options.port === EPMAP_PORT && options.endpointMapper) {
    return await probeEndpointMapper(prober, options);
  }
  const query = UDP_QUERIES.get(options.port) ?? null;
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
  const finding = findingOf(outcome, options.address);
  if (outcome.kind === "reply") {
    finding.detail = query
      ? describeReply(query, outcome.bytes)
      : [`answered with ${outcome.bytes.length} byte(s)`];
  }
  finding.query = query && (outcome.kind === "reply" || outcome.kind === "silent")
    ? query.name
    : null;
  return finding;
}

/**
 * UDP 135: the endpoint mapper's lookup is the probe. Whatever answered proves the port listens,
 * even an answer the lookup could not use; otherwise the port reads as any UDP port would.
 */
async function probeEndpointMapper(
  prober: UdpProber,
  options: UdpPortOptions,
): Promise<PortFinding> {
  const answered = (detail: string[]): PortFinding => ({
    state: "LISTENING",
    reason: null,
    query: ENDPOINT_MAPPER_QUERY,
    detail,
  });
  try {
    return answered(describeLookup(await lookupEndpointsUdp(prober, options)));
  } catch (error) {
    if (!(error instanceof EndpointMapperError)) throw error;
    if (error.answered || !error.outcome) return answered([error.message]);
    const finding = findingOf(error.outcome, options.address);
    if (error.outcome.kind === "silent") finding.query = ENDPOINT_MAPPER_QUERY;
    return finding;
  }
}

/** The state (and reason) a UDP probe's outcome stands for; `address` is the target's. */
export function findingOf(outcome: UdpProbeOutcome, address: string): PortFinding {
  const finding = (state: PortState, reason: string | null = null) => ({
    state,
    reason,
    query: null as string | null,
    detail: [] as readonly string[],
  });
  switch (outcome.kind) {
    case "reply":
      return finding("LISTENING");
    case "refused":
      // An ICMP port unreachable from the target itself is the plain answer; from anyone else
      // (a firewall on the way) it is worth saying who.
      return finding(
        "NOT LISTENING",
        outcome.icmp && outcome.icmp.from !== null && outcome.icmp.from !== address
          ? describeIcmp(outcome.icmp)
          : null,
      );
    case "self":
      return outcome.alone
        ? finding("NOT LISTENING", `${UDP_SELF_REASON}, and no other socket holds it`)
        : finding(
          "LISTENING or FILTERED",
          `${UDP_SELF_REASON}; another socket shares the port, so its state cannot be told ` +
            `from here (use another -sp)`,
        );
    case "failed":
      return finding("FILTERED", describeFailure(outcome.failure));
    case "silent":
      return finding("LISTENING or FILTERED");
  }
}

/** A random 16-bit id (DNS, NetBIOS) or request id (SNMP, LDAP); never 0. */
function transactionId(): number {
  return 1 + Math.floor(Math.random() * 0xfffe);
}
