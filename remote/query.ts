/**
 * A remote query: every target port probed, a bounded number at a time, and the findings in
 * the targets' order.
 *
 * @module
 */

import type { UdpProber } from "../collectors/probe.ts";
import type { PortResult } from "./port_result.ts";
import type { ResolvedTarget } from "./resolve.ts";
import { serviceName, type ServiceNames } from "./services_file.ts";
import { type ConnectAttempt, probeTcp } from "./tcp_probe.ts";
import type { Target } from "./targets.ts";
import { probeUdp } from "./udp_port.ts";

/**
 * Probes in flight at once. Each holds a socket (and a UDP probe a worker thread while it
 * waits), so this stays far below the usual 1024 open-file limit and Deno's pool of blocking
 * threads; and a burst much larger looks like a SYN flood to the target's defences, which then
 * drop connection attempts and turn open ports into false FILTERED. Against loopback, 64 was
 * also the fastest measured (1-65535 in about 7 s on 2 cores; 16 and 256 took 8-9 s).
 */
export const MAX_IN_FLIGHT = 64;

/** How long each probe waits; `-sl` multiplies the UDP wait and the banner wait. */
export interface QueryTiming {
  /** Per TCP connection attempt: a LAN answers in well under a millisecond, a WAN in 300 ms. */
  tcpTimeoutMs: number;
  /** TCP attempts before a silent port is FILTERED, as PortQry makes. */
  tcpTries: number;
  /** How long a UDP probe waits for an answer (or an ICMP error). */
  udpWaitMs: number;
  /** How long a TCP probe of an SMTP/POP3/IMAP/FTP port waits for the greeting line. */
  greetingWaitMs: number;
}

/** The defaults: 1 s per TCP try, 3 tries, 1 s UDP wait, 1 s for a greeting. */
export const DEFAULT_TIMING: QueryTiming = {
  tcpTimeoutMs: 1000,
  tcpTries: 3,
  udpWaitMs: 1000,
  greetingWaitMs: 1000,
};

/** `-sl`: for slow links, UDP and greeting waits three times as long. */
export const SLOW_LINK_FACTOR = 3;

/** What to probe and how. */
export interface QueryOptions {
  /** Numeric address to probe. */
  address: string;
  targets: readonly Target[];
  sourcePort: number | null;
  slowLink: boolean;
  community: string;
  services: ServiceNames;
  /** Needed when any target is UDP. */
  udpProber: UdpProber | null;
  timing?: Partial<QueryTiming>;
  /** How TCP connection attempts are made; tests of the retry logic pass their own. */
  tcpAttempt?: ConnectAttempt;
}

/** A query's whole finding, as the report shows it. */
export interface QueryReport extends ResolvedTarget {
  results: PortResult[];
}

/**
 * Probes every target; the results come in the targets' order whatever order the probes end
 * in. A probe that cannot be made at all (a source port taken, say) fails the whole query.
 */
export async function queryPorts(options: QueryOptions): Promise<PortResult[]> {
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const slow = options.slowLink ? SLOW_LINK_FACTOR : 1;
  const probe = async ({ protocol, port }: Target): Promise<PortResult> => {
    const service = serviceName(options.services, protocol, port);
    if (protocol === "tcp") {
      const { state, detail } = await probeTcp({
        address: options.address,
        port,
        sourcePort: options.sourcePort,
        timeoutMs: timing.tcpTimeoutMs,
        tries: timing.tcpTries,
        greetingWaitMs: timing.greetingWaitMs * slow,
        attempt: options.tcpAttempt,
      });
      return { protocol, port, service, state, detail };
    }
    if (!options.udpProber) throw new Error("a UDP target needs a UDP prober");
    const { state, detail } = await probeUdp(options.udpProber, {
      address: options.address,
      port,
      sourcePort: options.sourcePort,
      waitMs: timing.udpWaitMs * slow,
      community: options.community,
    });
    return { protocol, port, service, state, detail };
  };
  return await mapBounded(options.targets, MAX_IN_FLIGHT, probe);
}

/**
 * `task` over `items` with at most `limit` running at once; results in the items' order. The
 * first failure rejects at once and no further task starts (those running finish on their own).
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
