/**
 * TCP probes: one connection attempt per port, and what the state is from how it ends. An
 * accepted connection is LISTENING, a reset (or ICMP port unreachable) NOT LISTENING, any other
 * error FILTERED with its reason, and no answer at all is tried again, up to the tries asked for,
 * before it is FILTERED. Attempts are made in rounds: every port once, then the silent ones again.
 *
 * @module
 */

import type { TcpConnectOutcome, TcpProber } from "../collectors/probe.ts";
import { greetingLines, greetingRead } from "./banners.ts";
import { describeFailure, describeIcmp } from "./failure_text.ts";
import type { PortState } from "./port_result.ts";

/** A TCP probe of several ports of one address. */
export interface TcpProbeOptions {
  address: string;
  ports: readonly number[];
  sourcePort: number | null;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts when nothing answers (PortQry's default is 3). */
  tries: number;
  /** How long to wait for a greeting on the ports whose servers greet first. */
  greetingWaitMs: number;
  /** Attempts in flight at once. */
  concurrency: number;
}

/** What a TCP probe found for one port. */
export interface TcpFinding {
  state: PortState;
  reason: string | null;
  /** The server's greeting, line by line, when one was read. */
  greeting: string[] | null;
}

/** Why a silent port is FILTERED. */
function silence(tries: number): string {
  return `no answer to ${tries} connection attempt${tries === 1 ? "" : "s"}`;
}

/** Why a port whose probe reached itself is NOT LISTENING. */
export const SELF_CONNECT_REASON = "the probe connected to itself: the source port is the " +
  "target port on this host, so nothing else listens on it";

/** Probes every port of `options` with `prober`; findings in the ports' order. */
export async function probeTcpPorts(
  prober: TcpProber,
  options: TcpProbeOptions,
): Promise<TcpFinding[]> {
  const findings = new Array<TcpFinding>(options.ports.length);
  let pending = options.ports.map((_, index) => index);
  for (let attempt = 1; pending.length > 0; attempt++) {
    const outcomes = await prober.connectAll({
      address: options.address,
      ports: pending.map((index) => options.ports[index]),
      sourcePort: options.sourcePort,
      timeoutMs: options.timeoutMs,
      concurrency: options.concurrency,
      greeting: (port) => greetingRead(port, options.greetingWaitMs),
    });
    const silent: number[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.kind === "timeout" && attempt < options.tries) silent.push(pending[i]);
      else findings[pending[i]] = findingOf(outcome, attempt);
    });
    pending = silent;
  }
  return findings;
}

/** Findings without a payload, shared across ports. */
const LISTENING: TcpFinding = Object.freeze({ state: "LISTENING", reason: null, greeting: null });
const CLOSED: TcpFinding = Object.freeze({ state: "NOT LISTENING", reason: null, greeting: null });

/** The finding an attempt's outcome stands for; `attempts` made so far. */
export function findingOf(outcome: TcpConnectOutcome, attempts: number): TcpFinding {
  switch (outcome.kind) {
    case "connected":
      return outcome.greeting?.length
        ? { state: "LISTENING", reason: null, greeting: greetingLines(outcome.greeting) }
        : LISTENING;
    case "refused":
      return outcome.icmp
        ? { state: "NOT LISTENING", reason: describeIcmp(outcome.icmp), greeting: null }
        : CLOSED;
    case "self":
      return { state: "NOT LISTENING", reason: SELF_CONNECT_REASON, greeting: null };
    case "failed":
      return { state: "FILTERED", reason: describeFailure(outcome.failure), greeting: null };
    case "timeout":
      return { state: "FILTERED", reason: silence(attempts), greeting: null };
  }
}
