/**
 * One UDP port's state: an empty datagram where no protocol query is known (a service that
 * answers anything answers that), the protocol's own query where one is; an answer is LISTENING,
 * an ICMP port unreachable NOT LISTENING, any other ICMP error or OS error FILTERED, silence
 * LISTENING or FILTERED.
 *
 * @module
 */

import type { UdpProbeOutcome, UdpProber } from "../collectors/probe.ts";
import { describeFailure, describeIcmp } from "./failure_text.ts";
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

/** What a UDP probe found. */
export interface UdpFinding {
  state: PortState;
  reason: string | null;
  /** The protocol query sent (`DNS`, `SNMP`, ...), or null when an empty datagram was. */
  query: string | null;
  /** The answer's meaning, line by line. */
  detail: string[];
}

/** Why a UDP port whose probe reached its own socket has its state. */
export const UDP_SELF_REASON = "the probe reached its own socket: the source port is the " +
  "target port on this host";

/** Probes one UDP port with `prober`. */
export async function probeUdp(prober: UdpProber, options: UdpPortOptions): Promise<UdpFinding> {
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

/** The state (and reason) a UDP probe's outcome stands for; `address` is the target's. */
export function findingOf(outcome: UdpProbeOutcome, address: string): UdpFinding {
  const finding = (state: PortState, reason: string | null = null): UdpFinding => ({
    state,
    reason,
    query: null,
    detail: [],
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
