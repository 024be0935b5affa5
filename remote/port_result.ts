/**
 * What a remote query finds for each port, and the exit code `-q` turns a set of findings into.
 *
 * @module
 */

import type { Transport } from "../model/endpoint.ts";

/**
 * A port's state, in PortQry's words:
 * - `LISTENING`: a process answered (TCP connection accepted, or a UDP reply);
 * - `NOT LISTENING`: the host said no process has it (TCP reset, ICMP port unreachable);
 * - `FILTERED`: no answer at all to TCP connection attempts (or an ICMP host/network
 *   unreachable): something in between drops them;
 * - `LISTENING or FILTERED`: a UDP port that stayed silent, which a listening service that does
 *   not answer unknown datagrams and a firewall that drops them both look like.
 */
export type PortState = "LISTENING" | "NOT LISTENING" | "FILTERED" | "LISTENING or FILTERED";

/** What a probe found for one port, whichever the protocol. */
export interface PortFinding {
  /** The port's state, in PortQry's words. */
  state: PortState;
  /**
   * Why the port has this state, when more is known than the state says: the ICMP message or OS
   * error behind a FILTERED, a firewall's ICMP port unreachable behind a NOT LISTENING, a probe
   * that reached itself. Null otherwise.
   */
  reason: string | null;
  /**
   * The question asked in the service's own protocol (`DNS`, `SNMP`, `RPC endpoint mapper`,
   * ...), or `greeting` where the server speaks first; null when only the port was probed.
   */
  query: string | null;
  /** What the service said (a protocol reply, a greeting), line by line; empty when nothing. */
  detail: readonly string[];
}

/** One probed port. */
export interface PortResult extends PortFinding {
  /** The transport probed: `tcp` or `udp`, whichever address family the target has. */
  protocol: Transport;
  /** The port probed. */
  port: number;
  /** Its name in the services file, or null. */
  service: string | null;
}

/**
 * `-q`'s exit code: 0 LISTENING, 1 NOT LISTENING, 2 LISTENING or FILTERED and FILTERED. For several
 * ports, the least certain one decides (2 over 1 over 0), so 0 means every port listens and a
 * script testing for 0 is never told "open" about a port that is not.
 */
export function quietExitCode(results: Iterable<Pick<PortFinding, "state">>): number {
  let code = 0;
  for (const result of results) code = Math.max(code, stateExitCode(result.state));
  return code;
}

function stateExitCode(state: PortState): number {
  switch (state) {
    case "LISTENING":
      return 0;
    case "NOT LISTENING":
      return 1;
    case "FILTERED":
    case "LISTENING or FILTERED":
      return 2;
  }
}
