/**
 * A remote query: every target port probed, TCP and UDP side by side, a bounded number at a time,
 * and the findings in the targets' order. Every per-port outcome, OS errors included, becomes
 * that port's answer; only a probe that cannot be made at all (a source port taken, no sockets
 * left) ends the query.
 *
 * @module
 */

import type { TcpProber, UdpProber } from "../collectors/probe.ts";
import type { Transport } from "../model/endpoint.ts";
import { mapBounded } from "./bounded.ts";
import type { PortFinding, PortResult } from "./port_result.ts";
import {
  describeLookup,
  ENDPOINT_MAPPER_QUERY,
  EndpointMapperError,
  EPMAP_PORT,
  lookupEndpointsTcp,
} from "./endpoint_mapper/mod.ts";
import type { ResolvedTarget } from "./resolve.ts";
import { type ServiceNames, servicesOf } from "./services_file.ts";
import { probeTcpPorts } from "./tcp_probe.ts";
import { probeUdp } from "./udp_port.ts";

/**
 * TCP connection attempts in flight at once. Each holds a socket, so this stays far below the
 * usual 1024 open-file limit; a burst much larger looks like a SYN flood to a target's defences,
 * which then drop connection attempts and turn open ports into false FILTERED.
 */
const TCP_IN_FLIGHT = 128;

/**
 * UDP probes in flight at once: each also holds one of Deno's blocking threads while it waits
 * for its answer.
 */
const UDP_IN_FLIGHT = 64;

/** How long each probe waits; `-sl` multiplies the UDP wait and the greeting wait. */
export interface QueryTiming {
  /** Per TCP connection attempt: a LAN answers in well under a millisecond, a WAN in 300 ms. */
  tcpTimeoutMs: number;
  /** TCP attempts before a silent port is FILTERED, as PortQry makes. */
  tcpTries: number;
  /** How long a UDP probe waits for an answer (or an ICMP error). */
  udpWaitMs: number;
  /** How long a TCP probe of an SMTP/POP3/IMAP/FTP port waits for the whole greeting. */
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
const SLOW_LINK_FACTOR = 3;

/** What to probe and how. */
export interface QueryOptions {
  /** Numeric address to probe. */
  address: string;
  /** `-p`: tcp, udp or both; with both, each port's TCP result comes before its UDP one. */
  protocols: readonly Transport[];
  /** The ports, in the order to report them. */
  ports: readonly number[];
  /** `-sp`: the local port every probe is sent from; null lets the OS pick. */
  sourcePort: number | null;
  /** `-sl`: UDP and greeting waits {@linkcode SLOW_LINK_FACTOR} times as long. */
  slowLink: boolean;
  /** `-cn`: the SNMP community a UDP probe of port 161 asks with. */
  community: string;
  /** Service names by `protocol/port`, to name each result's port. */
  services: ServiceNames;
  /** Makes the TCP connection attempts: the running OS's, from `createTcpProber`. */
  tcpProber: TcpProber;
  /** Needed when any target is UDP. */
  udpProber: UdpProber | null;
  /** Waits and tries that differ from {@linkcode DEFAULT_TIMING}. */
  timing?: Partial<QueryTiming>;
  /**
   * Whether a listening port 135 is asked for its endpoint map; PortQry does not for `-r`
   * ranges.
   */
  endpointMapper: boolean;
}

/** A query's whole finding, as the report shows it. */
export interface QueryReport extends ResolvedTarget {
  /** `-cn`: the SNMP community the query used. */
  community: string;
  /** One result per port and protocol, in the order asked ({@linkcode QueryResults}). */
  results: Iterable<PortResult>;
}

/**
 * The findings of a query, port by port in the order asked, each port's TCP result before its
 * UDP one. Kept as the probes left them (most ports of a range share one finding object) and
 * made into {@linkcode PortResult} records one at a time as they are read: a 65,535-port range
 * then never holds 65,535 records at once.
 */
export class QueryResults implements Iterable<PortResult> {
  readonly #ports: readonly number[];
  readonly #protocols: readonly Transport[];
  /** Service names by protocol, then port: looked up once per result of a long range. */
  readonly #services: ReadonlyMap<string, ReadonlyMap<number, string>>;
  readonly #tcp: readonly PortFinding[];
  readonly #udp: readonly PortFinding[];

  /**
   * The findings of `ports` under `protocols`: `tcp[i]` and `udp[i]` are what the probes found
   * for `ports[i]` (a list is empty when its protocol was not asked), named from `services`.
   */
  constructor(
    ports: readonly number[],
    protocols: readonly Transport[],
    services: ServiceNames,
    tcp: readonly PortFinding[],
    udp: readonly PortFinding[],
  ) {
    this.#ports = ports;
    this.#protocols = protocols;
    this.#services = new Map(
      protocols.map((protocol) => [protocol, servicesOf(services, protocol)]),
    );
    this.#tcp = tcp;
    this.#udp = udp;
  }

  /** How many results: ports times protocols. */
  get length(): number {
    return this.#ports.length * this.#protocols.length;
  }

  /** Each port's results in order, its TCP result before its UDP one, made as they are read. */
  *[Symbol.iterator](): Iterator<PortResult> {
    for (let i = 0; i < this.#ports.length; i++) {
      const port = this.#ports[i];
      for (const protocol of this.#protocols) {
        const service = this.#services.get(protocol)!.get(port) ?? null;
        const { state, reason, query, detail } = (protocol === "tcp" ? this.#tcp : this.#udp)[i];
        yield { protocol, port, service, state, reason, query, detail };
      }
    }
  }

  /** The findings alone, in the same order, without making a record of each (for `-q`). */
  *findings(): Generator<PortFinding> {
    for (let i = 0; i < this.#ports.length; i++) {
      for (const protocol of this.#protocols) yield (protocol === "tcp" ? this.#tcp : this.#udp)[i];
    }
  }
}

/**
 * Probes every port under every protocol asked; the results come in the ports' order whatever
 * order the probes end in.
 */
export async function queryPorts(options: QueryOptions): Promise<QueryResults> {
  const timing = { ...DEFAULT_TIMING, ...options.timing };
  const slow = options.slowLink ? SLOW_LINK_FACTOR : 1;
  const { ports, protocols } = options;
  const [tcp, udp] = await Promise.all([
    !protocols.includes("tcp") ? [] : probeTcpPorts(options.tcpProber, {
      address: options.address,
      ports,
      sourcePort: options.sourcePort,
      timeoutMs: timing.tcpTimeoutMs,
      tries: timing.tcpTries,
      greetingWaitMs: timing.greetingWaitMs * slow,
      concurrency: TCP_IN_FLIGHT,
    }),
    !protocols.includes("udp") ? [] : probeUdpPorts(options, ports, timing.udpWaitMs * slow),
  ]);
  const epmap = ports.indexOf(EPMAP_PORT);
  if (options.endpointMapper && epmap >= 0 && tcp[epmap]?.state === "LISTENING") {
    tcp[epmap] = await queryEndpointMapper(options.address, ENDPOINT_MAPPER_WAIT_MS * slow);
  }
  return new QueryResults(ports, protocols, options.services, tcp, udp);
}

/** How long the whole endpoint map may take over TCP: connection, bind and every call. */
const ENDPOINT_MAPPER_WAIT_MS = 5000;

/** TCP 135 listens: its endpoint map, or why it could not be read. */
async function queryEndpointMapper(address: string, timeoutMs: number): Promise<PortFinding> {
  const finding = { state: "LISTENING" as const, reason: null, query: ENDPOINT_MAPPER_QUERY };
  try {
    return { ...finding, detail: describeLookup(await lookupEndpointsTcp({ address, timeoutMs })) };
  } catch (error) {
    if (!(error instanceof EndpointMapperError)) throw error;
    return { ...finding, detail: [error.message] };
  }
}

/**
 * The UDP probes. With `-sp`, the probe of the port equal to the source port runs after all the
 * others: it may reach its own socket, and only once no other probe holds the port can it tell
 * whether anything else does.
 */
async function probeUdpPorts(
  options: QueryOptions,
  ports: readonly number[],
  waitMs: number,
): Promise<PortFinding[]> {
  const prober = options.udpProber;
  if (!prober) throw new Error("a UDP target needs a UDP prober");
  const probe = (port: number) =>
    probeUdp(prober, {
      address: options.address,
      port,
      sourcePort: options.sourcePort,
      waitMs,
      community: options.community,
      endpointMapper: options.endpointMapper,
    });
  const last = ports.indexOf(options.sourcePort ?? -1);
  const others = last < 0 ? ports : ports.filter((_, i) => i !== last);
  const findings = await mapBounded(others, UDP_IN_FLIGHT, probe);
  if (last >= 0) findings.splice(last, 0, await probe(ports[last]));
  return findings;
}
