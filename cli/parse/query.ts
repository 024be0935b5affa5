/**
 * `portset -n HOST`'s flags: PortQry's remote query of TCP/UDP ports.
 *
 * @module
 */

import type { Transport } from "../../model/endpoint.ts";
import { parsePortList, parsePortRange, PortSpecError } from "../../remote/targets.ts";
import { UsageError } from "../errors.ts";
import { atMostOne, type Given, numberOf, textOf } from "../flags.ts";

/** `-n HOST`: PortQry's remote query of TCP/UDP ports. */
export interface QueryCommand {
  mode: "query";
  host: string;
  protocols: Transport[];
  /** Ports in the order to report them: `-e`'s one, `-r`'s range, or `-o`'s list. */
  ports: number[];
  /** The ports came from `-r`: PortQry then skips the endpoint mapper's query. */
  range: boolean;
  /** `-q`: print nothing; the exit code tells. */
  quiet: boolean;
  /** `-sl`: wait longer for UDP answers. */
  slowLink: boolean;
  /** False with `-nr`. */
  reverseLookup: boolean;
  /** `-sp PORT`: the local port to probe from. */
  sourcePort: number | null;
  /** `-cn`: SNMP community. */
  community: string;
  format: "text" | "json";
  logFile: string | null;
  overwrite: boolean;
}

/** `-e`'s default, as PortQry's. */
const DEFAULT_QUERY_PORT = 80;
/** `-cn`'s default. */
const DEFAULT_COMMUNITY = "public";

/** A remote query from the flags portqry.ts read. */
export function parseQuery(given: Given): QueryCommand {
  for (const key of ["verbose", "csv", "wt"]) {
    if (given.has(key)) throw new UsageError(`${given.get(key)!.name} does not go with -n HOST`);
  }
  atMostOne(given, ["endpoint", "range", "ports"]);
  if (given.has("quiet")) {
    for (const key of ["json", "log"]) {
      if (given.has(key)) {
        throw new UsageError(`-q prints nothing: it does not go with ${given.get(key)!.name}`);
      }
    }
  }
  if (given.has("yes") && !given.has("log")) throw new UsageError("-y goes with -l FILE");
  const host = textOf(given, "host")!;
  const protocol = (textOf(given, "protocol") ?? "tcp").toLowerCase();
  const protocols: Transport[] | undefined = (
    { tcp: ["tcp"], udp: ["udp"], both: ["tcp", "udp"] } as Record<string, Transport[]>
  )[protocol];
  if (!protocols) {
    throw new UsageError(
      `-p PROTOCOL must be tcp, udp or both, not '${textOf(given, "protocol")}'`,
    );
  }
  let ports: number[];
  try {
    ports = given.has("range")
      ? parsePortRange(textOf(given, "range")!)
      : given.has("ports")
      ? parsePortList(textOf(given, "ports")!)
      : [numberOf(given, "endpoint") ?? DEFAULT_QUERY_PORT];
  } catch (error) {
    if (!(error instanceof PortSpecError)) throw error;
    const flag = given.get(given.has("range") ? "range" : "ports")!.name;
    throw new UsageError(`${flag}: ${error.message}`);
  }
  return {
    mode: "query",
    host,
    protocols,
    ports,
    range: given.has("range"),
    quiet: given.has("quiet"),
    slowLink: given.has("slowLink"),
    reverseLookup: !given.has("noReverse"),
    sourcePort: numberOf(given, "sourcePort"),
    community: textOf(given, "community") ?? DEFAULT_COMMUNITY,
    format: given.has("json") ? "json" : "text",
    logFile: textOf(given, "log"),
    overwrite: given.has("yes"),
  };
}
