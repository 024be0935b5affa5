/**
 * What `portset report DIR DIR…` answers about a fleet, as one plain object that the text, JSON
 * (schemas/fleet.schema.json) and HTML outputs render: per host, which ports of interest it
 * listened on, its new listeners and the programs it ran from unexpected directories, and its
 * flags; across the fleet, which hosts listen on each port and the busiest remote addresses.
 *
 * Each host is read on its own into a one-host {@linkcode Report} (report/model.ts), which is
 * summed up here and dropped before the next host is read: every list is bounded by a cap or by
 * the port space, and the hosts' rows by the number of hosts.
 *
 * @module
 */

import type { Transport } from "../model/endpoint.ts";
import type { Dialect } from "../port_reporter/layout.ts";
import type { Flag, ListCount, Report } from "./model.ts";

/**
 * The fleet report's `format` field. Version 1: hosts, flags with their host, listening ports and
 * remote addresses across hosts.
 */
export const FLEET_FORMAT = "portset-fleet/1";

/** One host of the fleet: what its logs cover and what was flagged on it. */
export interface FleetHost {
  /** Its name: the `Local computer name` its logs' headers give, or its folder's name. */
  name: string;
  /** `header`: a log's header named it; `folder`: no header did, so its folder names it. */
  nameFrom: "header" | "folder";
  /** Its log directories (two or more when its logs were kept in several places). */
  directories: string[];
  /** Every computer name its logs' headers give (one, unless the logs disagree). */
  computers: string[];
  /** The operating systems its logs' headers name. */
  operatingSystems: string[];
  /** Which programs wrote its logs. */
  dialects: Dialect[];
  /** Log files read. */
  files: number;
  /** Their bytes. */
  bytes: number;
  /** Files of the same name in two of its directories: the larger copy is read, these are not. */
  duplicateFiles: string[];
  /** From its first line or snapshot to its last; `seconds` the time its monitor ran. */
  window: Report["window"];
  /** How its times in use were reckoned (the original's logs give upper bounds). */
  timeBasis: Report["timeBasis"];
  /** Counts over its files. */
  totals: Report["totals"];
  /** Its flags by severity (those past the one-host report's cap counted among `info`). */
  flags: { alert: number; warning: number; info: number };
  /** Ports of interest it listened on (`TCP 4444`): the alerts of kind `port-of-interest`. */
  listeningPortsOfInterest: string[];
  /** Its new listeners: processes that opened listeners outside the baseline, and how many. */
  newListeners: { processes: number; listeners: number };
  /** Executables it ran from unexpected directories or suspicious places, the first 20. */
  unexpectedPrograms: string[];
  /** How many such executables in all. */
  unexpectedProgramCount: number;
  /** The first lines of its logs that could not be read, as `file:line: why`. */
  problems: string[];
}

/** A flag raised on one host. */
export interface FleetFlag extends Flag {
  /** The host it was raised on. */
  host: string;
}

/** A local port some host listened on (TCP) or was bound to unconnected (UDP). */
export interface FleetPort {
  /** The port's transport, either address family. */
  transport: Transport;
  /** The local port number. */
  port: number;
  /** From this machine's services file, when it names the port. */
  service: string | null;
  /** A port of interest: listening on it raised an alert. */
  ofInterest: boolean;
  /** How many hosts listened on it. */
  hostCount: number;
  /** The hosts, in the hosts' order, the first 50. */
  hosts: string[];
}

/** A remote address and how often the fleet's hosts contacted it. */
export interface FleetRemoteAddress {
  /** The remote address, as the logs write it. */
  address: string;
  /** Connections over every host that counted it among its busiest. */
  connections: number;
  /**
   * How much of `connections` may belong to other addresses: hosts' own Space-Saving bounds,
   * and the fleet counter's once it is full. 0: exact.
   */
  overcount: number;
  /** How many hosts counted it. */
  hostCount: number;
  /** Those hosts, most connections first, the first 20. */
  hosts: string[];
  /** Remote ports used with it, most used first, at most 5. */
  remotePorts: number[];
  /** Process names that talked to it, at most 5. */
  processes: string[];
  /** The first line that names it, on any host. */
  firstSeen: string;
  /** The last line that names it, on any host. */
  lastSeen: string;
}

/** Everything `portset report` says about several hosts' logs. */
export interface FleetReport {
  /** {@linkcode FLEET_FORMAT}: which report this is, and its version. */
  format: typeof FLEET_FORMAT;
  /** The portset version that made the report. */
  portset: string;
  /** This machine, which made the report. */
  host: string;
  /** When the report was made, ISO 8601. */
  time: string;
  /** The directories named on the command line. */
  directories: string[];
  /** Every host, by name. */
  hosts: FleetHost[];
  /** Every host's alerts, then warnings, then notes; by host within each severity. */
  flags: FleetFlag[];
  /** Warnings and notes not kept: past each host's share, or its own report's cap. */
  flagsOmitted: number;
  /** Listening ports across hosts, ports of interest first, then by how many hosts. */
  listeningPorts: FleetPort[];
  /** Remote addresses across hosts, most connections first. */
  remoteAddresses: FleetRemoteAddress[];
  /** How long each capped list was before it was cut. */
  counts: Record<"flags" | "listeningPorts" | "remoteAddresses", ListCount>;
  /** Lines of the hosts' UTC offsets: the logs' own, or assumed for the original's. */
  utcOffsets: Report["utcOffsets"];
  /** Folders below the named directories that could not be searched, as `folder: why`. */
  problems: string[];
  /** Where the interests came from: a file, or "defaults". */
  interests: string;
  /** The baseline new listeners were judged against; null: each host's first start-up snapshot. */
  baseline: string | null;
}
