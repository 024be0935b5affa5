/**
 * nmap as the oracle for port states: a connect scan (`-sT`) or a UDP scan (`-sU`) of a few
 * ports inside a test's namespace, its XML report read into portset's words.
 *
 * @module
 */

import type { Namespace } from "./netns.ts";
import type { Transport } from "../../../model/endpoint.ts";
import type { PortState } from "../../../remote/port_result.ts";

/** nmap's state names in portset's: the two tools draw the same distinctions. */
const STATES: Record<string, PortState> = {
  "open": "LISTENING",
  "closed": "NOT LISTENING",
  "filtered": "FILTERED",
  "open|filtered": "LISTENING or FILTERED",
};

/**
 * A connect scan waits 2 s per try, and tries twice. Over IPv6 loopback an ICMPv6 rejection of
 * the first SYN does not end connect() (seen on Linux 6.18: most likely it arrives while the
 * connecting call still holds the socket, and is kept as a soft error); the refusal comes with
 * the SYN's retransmission 1 s later, which nmap's default 1 s timeout misses, calling the port
 * filtered.
 */
const TCP_PATIENCE = ["--min-rtt-timeout", "2000ms", "--max-retries", "1"];

/** What nmap found: each port's state in portset's words, and the XML for failure messages. */
export interface NmapScan {
  /** Each port's state, in portset's words. */
  states: Map<number, PortState>;
  /** nmap's reason for each port (`conn-refused`, `host-unreach`, `no-response`, ...). */
  reasons: Map<number, string>;
  /** nmap's whole report. */
  xml: string;
}

/** Scans `ports` of `address` (IPv4 or IPv6) over `protocol` from inside `namespace`. */
export async function nmapStates(
  namespace: Namespace,
  protocol: Transport,
  address: string,
  ports: readonly number[],
): Promise<NmapScan> {
  const xml = await namespace.runOk([
    "nmap",
    ...(address.includes(":") ? ["-6"] : []),
    "-n",
    "-Pn",
    ...(protocol === "tcp" ? ["-sT", ...TCP_PATIENCE] : ["-sU"]),
    "-p",
    ports.join(","),
    "-oX",
    "-",
    address,
  ], { timeoutMs: 120_000 });
  const states = new Map<number, PortState>();
  const reasons = new Map<number, string>();
  const portPattern =
    /<port protocol="(\w+)" portid="(\d+)"><state state="([^"]+)" reason="([^"]*)"/g;
  for (const match of xml.matchAll(portPattern)) {
    if (match[1] !== protocol) continue;
    const state = STATES[match[3]];
    if (!state) throw new Error(`nmap state '${match[3]}' for port ${match[2]}:\n${xml}`);
    states.set(Number(match[2]), state);
    reasons.set(Number(match[2]), match[4]);
  }
  // nmap leaves out ports in its "extraports" summary when many share a state: with the few
  // ports these tests scan it lists each one, and a port it did not list is an error here.
  for (const port of ports) {
    if (!states.has(port)) throw new Error(`nmap did not report ${protocol} ${port}:\n${xml}`);
  }
  return { states, reasons, xml };
}
