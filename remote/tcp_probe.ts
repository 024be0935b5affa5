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
import { describeFailure, describeIcmp, SELF_CONNECT_REASON } from "./failure_text.ts";
import type { PortFinding } from "./port_result.ts";

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

/** Why a silent port is FILTERED. */
function silence(tries: number): string {
  return `no answer to ${tries} connection attempt${tries === 1 ? "" : "s"}`;
}

/** Probes every port of `options` with `prober`; findings in the ports' order. */
export async function probeTcpPorts(
  prober: TcpProber,
  options: TcpProbeOptions,
): Promise<PortFinding[]> {
  const findings = new Array<PortFinding>(options.ports.length);
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
const LISTENING: PortFinding = Object.freeze({
  state: "LISTENING",
  reason: null,
  query: null,
  detail: Object.freeze([]),
});
const CLOSED: PortFinding = Object.freeze({ ...LISTENING, state: "NOT LISTENING" });

/** The finding an attempt's outcome stands for; `attempts` made so far. */
export function findingOf(outcome: TcpConnectOutcome, attempts: number): PortFinding {
  switch (outcome.kind) {
    case "connected":
      return outcome.greeting?.length
        ? { ...LISTENING, query: "greeting", detail: greetingLines(outcome.greeting) }
        : LISTENING;
    case "refused":
      return outcome.icmp ? { ...CLOSED, reason: describeIcmp(outcome.icmp) } : CLOSED;
    case "self":
      return { ...CLOSED, reason: SELF_CONNECT_REASON };
    case "failed":
      return { ...LISTENING, state: "FILTERED", reason: describeFailure(outcome.failure) };
    case "timeout":
      return { ...LISTENING, state: "FILTERED", reason: silence(attempts) };
  }
}
