/**
 * `portset report DIR DIR…` as text: the hosts, one row each (what their logs cover, their flags
 * by severity, the ports of interest they listened on, their new listeners and programs from
 * unexpected directories), then every flag with its host, which hosts listen on each port, and
 * the busiest remote addresses across the fleet.
 *
 * @module
 */

import type { FleetHost, FleetReport } from "../report/fleet_model.ts";
import { VERSION } from "../version.ts";
import { formatTable } from "../text/table.ts";
import { formatBytes, formatDurationFull } from "../text/units.ts";
import { field, fields, formatFlagList, heading, RULE, section } from "./report_text.ts";

/** How much to show. */
export interface FleetTextOptions {
  /** Rows per ranking (ports, remote addresses), and warnings and notes. */
  top?: number;
}

/**
 * The fleet report as text. Names from the logs show control characters as `?`, field by field,
 * as in the one-host report (outputs/report_text.ts).
 */
export function formatFleetText(report: FleetReport, options: FleetTextOptions = {}): string {
  const top = options.top ?? 20;
  const hosts = report.hosts;
  const files = hosts.reduce((sum, host) => sum + host.files, 0);
  const bytes = hosts.reduce((sum, host) => sum + host.bytes, 0);
  const folders = hosts.reduce((sum, host) => sum + host.directories.length, 0);
  const lines: string[] = [` portset ${VERSION}: Port Reporter log report across hosts`, ""];
  lines.push(
    ` Logs: ${fields(report.directories)} (${hosts.length} host(s) in ${folders} director${
      folders === 1 ? "y" : "ies"
    }; ${files} files, ${formatBytes(bytes)})`,
    ` Hosts: ${fields(hosts.map((host) => host.name))}`,
  );
  for (const host of hosts) {
    if (host.nameFrom === "folder") {
      lines.push(
        ` Note: ${field(host.name)} is named by its folder: its logs' headers name no computer`,
      );
    }
    if (host.directories.length > 1) {
      lines.push(
        ` Note: ${field(host.name)}'s logs are in ${fields(host.directories)}, read as one`,
      );
    }
    if (host.computers.length > 1) {
      lines.push(
        ` Note: ${field(host.name)}'s logs name several computers: ${fields(host.computers)}`,
      );
    }
  }
  lines.push(
    ` Interests: ${field(report.interests)}; baseline: ${
      field(report.baseline ?? "each host's first start-up snapshot")
    }`,
  );
  if (hosts.some((host) => host.timeBasis === "upper-bound")) {
    lines.push(
      " Note: the original Port Reporter logs openings, not closes: its hosts' times in use are " +
        "upper bounds",
    );
  }
  if (report.utcOffsets.assumed.length > 0) {
    lines.push(
      " Note: the original Port Reporter's logs do not state their UTC offset: their times " +
        `assume this machine's (UTC${report.utcOffsets.assumed.join(", UTC")})`,
    );
  }

  section(lines, `Hosts (${hosts.length})`);
  lines.push(...formatTable([
    [
      "Host",
      "Observed",
      "Changes",
      "Alerts",
      "Warnings",
      "Notes",
      "Ports of interest listening",
      "New listeners",
      "Unexpected programs",
    ],
    ...hosts.map((host) => [
      field(host.name) + (host.nameFrom === "folder" ? " (folder)" : ""),
      formatDurationFull(host.window.seconds),
      String(host.totals.changes),
      String(host.flags.alert),
      String(host.flags.warning),
      String(host.flags.info),
      fields(host.listeningPortsOfInterest),
      newListeners(host),
      unexpected(host),
    ]),
  ]));

  // Every alert, with its host; then warnings and notes up to `top` more rows. What the hosts'
  // reports left out is not the fleet's cap: it is counted, not said to be past one.
  formatFlagList(lines, "Flags across hosts", report.flags, {
    total: report.counts.flags.total,
    top,
    omitted: report.flagsOmitted,
    omittedAtCap: false,
  });

  const ofInterest = report.listeningPorts.filter((port) => port.ofInterest);
  section(lines, `Hosts listening on ports of interest (${ofInterest.length} port(s))`);
  if (ofInterest.length === 0) lines.push(" No host listened on a port of interest.");
  for (const port of ofInterest) {
    lines.push(` ${portName(port)}: ${fields(port.hosts)}${more(port.hostCount, port.hosts)}`);
  }

  section(
    lines,
    heading(
      "Listening ports across hosts",
      top,
      report.listeningPorts,
      report.counts.listeningPorts,
    ),
  );
  if (report.listeningPorts.length === 0) lines.push(" No listeners in the logs.");
  else {
    lines.push(...formatTable([
      ["Port", "Service", "Hosts", "Host names"],
      ...report.listeningPorts.slice(0, top).map((port) => [
        portName(port) + (port.ofInterest ? " (of interest)" : ""),
        field(port.service ?? ""),
        String(port.hostCount),
        fields(port.hosts.slice(0, 8)) + more(port.hostCount, port.hosts.slice(0, 8)),
      ]),
    ]));
  }

  section(
    lines,
    heading(
      "Remote addresses across hosts by connections",
      top,
      report.remoteAddresses,
      report.counts.remoteAddresses,
    ),
  );
  if (report.remoteAddresses.length === 0) lines.push(" No connections in the logs.");
  else {
    lines.push(...formatTable([
      ["Address", "Connections", "Hosts", "Remote ports", "Processes", "First", "Last"],
      ...report.remoteAddresses.slice(0, top).map((remote) => [
        field(remote.address),
        remote.overcount > 0 ? `≤${remote.connections}` : String(remote.connections),
        `${remote.hostCount}: ${fields(remote.hosts.slice(0, 5))}${
          more(remote.hostCount, remote.hosts.slice(0, 5))
        }`,
        remote.remotePorts.join(", "),
        fields(remote.processes),
        remote.firstSeen,
        remote.lastSeen,
      ]),
    ]));
  }

  const problems = [
    ...report.problems,
    ...hosts.flatMap((host) => host.problems.map((problem) => `${host.name}: ${problem}`)),
  ];
  if (problems.length > 0) {
    const skipped = hosts.reduce((sum, host) => sum + host.totals.skippedLines, 0);
    section(lines, `Unreadable lines (${skipped}) and folders`);
    for (const problem of problems) lines.push(` ${field(problem)}`);
  }
  lines.push("", RULE, "", " End of portset report", "");
  return lines.join("\n");
}

/** ` and 3 more` when a list names fewer than `count`. */
function more(count: number, named: readonly string[]): string {
  return count > named.length ? ` and ${count - named.length} more` : "";
}

function portName(port: { transport: string; port: number }): string {
  return `${port.transport.toUpperCase()} ${port.port}`;
}

function newListeners(host: FleetHost): string {
  const { processes, listeners } = host.newListeners;
  return processes === 0 ? "" : `${listeners} by ${processes} process(es)`;
}

function unexpected(host: FleetHost): string {
  return fields(host.unexpectedPrograms.slice(0, 3)) +
    more(host.unexpectedProgramCount, host.unexpectedPrograms.slice(0, 3));
}
