/**
 * Sums up a fleet, one host at a time: each host's one-host {@linkcode Report} is folded into the
 * fleet's bounded tallies ({@linkcode FleetAggregator.add}) and can then be dropped, so memory
 * grows with the number of hosts (a row and a few flags each), never with their logs.
 *
 * - Flags keep their host: every alert, and each host's first warnings and notes (its most
 *   serious first) up to a share, so one noisy host cannot push the others' out.
 * - Listening ports are keyed by transport and port (at most the port space), with the hosts that
 *   listened on each.
 * - Remote addresses: each host's busiest (the ones its report keeps) are summed in a weighted
 *   Space-Saving table ({@linkcode HeavyHitters}, weighted by connections): exact until it is full, upper bounds after.
 *
 * @module
 */

import { VERSION } from "../version.ts";
import type {
  FleetFlag,
  FleetHost,
  FleetPort,
  FleetRemoteAddress,
  FleetReport,
} from "./fleet_model.ts";
import { FLEET_FORMAT } from "./fleet_model.ts";
import type { HostLogs } from "./log_hosts.ts";
import type { Flag, Report } from "./model.ts";
import { countInto, HeavyHitters, topKeys } from "./heavy_hitters.ts";

/** The fleet report's caps. */
export const FLEET_LIMITS = {
  /** Warnings and notes kept per host (its alerts are all kept). */
  flagsPerHost: 100,
  /** Hosts named per listening port. */
  hostsPerPort: 50,
  /** Remote addresses tracked across the fleet, and shown. */
  remoteAddressesTracked: 20000,
  remoteAddresses: 200,
  /** Hosts named per remote address. */
  hostsPerRemote: 20,
  /** Unexpected programs named per host. */
  unexpectedPrograms: 20,
} as const;

/** What the fleet keeps of a remote address beside its count. */
interface RemoteTally {
  hosts: { host: string; connections: number }[];
  hostCount: number;
  remotePorts: Map<number, number>;
  processes: Map<string, number>;
  firstSeen: string;
  lastSeen: string;
}

/** Folds hosts' reports into a {@linkcode FleetReport}. */
export class FleetAggregator {
  #hosts: FleetHost[] = [];
  #alerts: FleetFlag[] = [];
  #others: FleetFlag[] = [];
  #flagsOmitted = 0;
  #ports = new Map<string, FleetPort>();
  #remotes = new HeavyHitters<RemoteTally>(FLEET_LIMITS.remoteAddressesTracked, () => ({
    hosts: [],
    hostCount: 0,
    remotePorts: new Map(),
    processes: new Map(),
    // Set from the first host's report that names the address (hostCount is 0 until then).
    firstSeen: "",
    lastSeen: "",
  }));
  #stated = new Set<string>();
  #assumed = new Set<string>();

  /** Adds one host: its logs as found, and the report of them. */
  add(logs: HostLogs, report: Report, duplicates: readonly string[] = []): void {
    const host = logs.name;
    const count = (severity: Flag["severity"]) =>
      report.flags.filter((flag) => flag.severity === severity).length;
    const listening = report.flags.filter((flag) =>
      flag.kind === "port-of-interest" && flag.severity === "alert"
    ).map((flag) => flag.subject);
    const newListeners = report.flags.filter((flag) => flag.kind === "new-listener");
    const unexpected = report.flags.filter((flag) => flag.kind === "unexpected-directory")
      .map((flag) => flag.subject);
    this.#hosts.push({
      name: host,
      nameFrom: logs.nameFrom,
      directories: [...logs.directories],
      computers: report.computers,
      operatingSystems: [
        ...new Set(report.files.flatMap((file) => file.operatingSystem ?? [])),
      ],
      dialects: [...new Set(report.files.map((file) => file.dialect))],
      files: report.files.length,
      bytes: report.files.reduce((sum, file) => sum + file.bytes, 0),
      duplicateFiles: [...duplicates],
      window: report.window,
      timeBasis: report.timeBasis,
      totals: report.totals,
      flags: {
        alert: count("alert"),
        warning: count("warning"),
        info: count("info") + report.flagsOmitted,
      },
      listeningPortsOfInterest: listening,
      newListeners: {
        processes: newListeners.length,
        listeners: newListeners.reduce((sum, flag) => sum + flag.portCount, 0),
      },
      unexpectedPrograms: unexpected.slice(0, FLEET_LIMITS.unexpectedPrograms),
      unexpectedProgramCount: unexpected.length,
      problems: report.problems,
    });
    for (const offset of report.utcOffsets.stated) this.#stated.add(offset);
    for (const offset of report.utcOffsets.assumed) this.#assumed.add(offset);

    // The report lists alerts first, then warnings, then notes.
    let others = 0;
    for (const flag of report.flags) {
      if (flag.severity === "alert") this.#alerts.push({ host, ...flag });
      else if (others++ < FLEET_LIMITS.flagsPerHost) this.#others.push({ host, ...flag });
      else this.#flagsOmitted++;
    }
    this.#flagsOmitted += report.flagsOmitted;

    const ofInterest = new Set(listening);
    for (const port of report.ports) {
      if (!port.listening) continue;
      const key = `${port.transport.toUpperCase()} ${port.port}`;
      let row = this.#ports.get(key);
      if (!row) {
        row = {
          transport: port.transport,
          port: port.port,
          service: port.service,
          ofInterest: false,
          hostCount: 0,
          hosts: [],
        };
        this.#ports.set(key, row);
      }
      row.hostCount++;
      if (row.hosts.length < FLEET_LIMITS.hostsPerPort) row.hosts.push(host);
      if (ofInterest.has(key)) row.ofInterest = true;
    }

    for (const remote of report.remoteAddresses) {
      const entry = this.#remotes.add(remote.address, remote.connections);
      if (entry.data.hostCount === 0) {
        entry.data.firstSeen = remote.firstSeen;
        entry.data.lastSeen = remote.lastSeen;
      }
      entry.overcount += remote.overcount;
      const tally = entry.data;
      tally.hostCount++;
      tally.hosts.push({ host, connections: remote.connections });
      if (tally.hosts.length > FLEET_LIMITS.hostsPerRemote) {
        tally.hosts.sort((a, b) => b.connections - a.connections);
        tally.hosts.length = FLEET_LIMITS.hostsPerRemote;
      }
      // A host lists its remote ports and processes most used first, without their counts:
      // each is weighted by the host's connections with the address.
      for (const port of remote.remotePorts) {
        countInto(tally.remotePorts, port, 32, remote.connections);
      }
      for (const name of remote.processes) {
        countInto(tally.processes, name, 32, remote.connections);
      }
      if (Date.parse(remote.firstSeen) < Date.parse(tally.firstSeen)) {
        tally.firstSeen = remote.firstSeen;
      }
      if (Date.parse(remote.lastSeen) > Date.parse(tally.lastSeen)) {
        tally.lastSeen = remote.lastSeen;
      }
    }
  }

  /** The fleet report. */
  finish(facts: {
    directories: readonly string[];
    problems: readonly string[];
    interests: string;
    baseline: string | null;
  }): FleetReport {
    const ports = [...this.#ports.values()].sort((a, b) =>
      Number(b.ofInterest) - Number(a.ofInterest) || b.hostCount - a.hostCount ||
      a.transport.localeCompare(b.transport) || a.port - b.port
    );
    const remotes = this.#remotes.top(FLEET_LIMITS.remoteAddresses);
    const remoteAddresses = remotes.map((entry): FleetRemoteAddress => ({
      address: entry.key,
      connections: entry.count,
      overcount: entry.overcount,
      hostCount: entry.data.hostCount,
      hosts: [...entry.data.hosts].sort((a, b) => b.connections - a.connections)
        .map((h) => h.host),
      remotePorts: topKeys(entry.data.remotePorts, 5),
      processes: topKeys(entry.data.processes, 5),
      firstSeen: entry.data.firstSeen,
      lastSeen: entry.data.lastSeen,
    }));
    const flags = [
      ...this.#alerts,
      ...this.#others.filter((flag) => flag.severity === "warning"),
      ...this.#others.filter((flag) => flag.severity === "info"),
    ];
    return {
      format: FLEET_FORMAT,
      portset: VERSION,
      host: Deno.hostname(),
      time: new Date().toISOString(),
      directories: [...facts.directories],
      hosts: this.#hosts,
      flags,
      flagsOmitted: this.#flagsOmitted,
      listeningPorts: ports,
      remoteAddresses,
      counts: {
        flags: { total: flags.length + this.#flagsOmitted, exact: true },
        listeningPorts: { total: ports.length, exact: true },
        remoteAddresses: this.#remotes.distinct,
      },
      utcOffsets: { stated: [...this.#stated].sort(), assumed: [...this.#assumed].sort() },
      problems: [...facts.problems],
      interests: facts.interests,
      baseline: facts.baseline,
    };
  }
}
