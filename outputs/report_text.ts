/**
 * `portset report` as text: what the logs cover, the flags first, then where the time went
 * (ports, processes), who was talked to, who ran what, when, and which services share a process.
 *
 * @module
 */

import type { Flag, ListCount, Report } from "../report/model.ts";
import { VERSION } from "../version.ts";
import { printableField } from "../text/printable.ts";
import { formatTable } from "../text/table.ts";
import { formatBytes, formatDurationFull } from "../text/units.ts";

/** How much to show. */
export interface ReportTextOptions {
  /** Rows per ranking (ports, processes, remote addresses, users), and warnings and notes. */
  top?: number;
}

/** The rule between a text report's sections. */
export const RULE = " " + "=".repeat(72);

/**
 * The report as text. Everything the logs (or the command line) gave shows control characters,
 * line breaks and tabs included, as `?`, field by field: a process's name or path is chosen by
 * whoever ran it, and must neither add a line to the report nor reach the terminal as an escape.
 */
export function formatReportText(report: Report, options: ReportTextOptions = {}): string {
  const top = options.top ?? 20;
  const lines: string[] = [` portset ${VERSION}: Port Reporter log report`, ""];
  const files = report.files;
  const bytes = files.reduce((sum, file) => sum + file.bytes, 0);
  // Which programs wrote the logs, as far as any was read: a file of noise was written by neither.
  const dialects = [
    ...new Set(
      files.filter((file) => file.records > 0 || file.skipped === 0).map((file) => file.dialect),
    ),
  ].map((dialect) => dialect === "portset" ? "portset's" : "the original Port Reporter's");
  // The operating systems the logs' headers name, once each.
  const systems = [
    ...new Set(files.flatMap((file) => file.operatingSystem ? [file.operatingSystem] : [])),
  ];
  lines.push(
    ` Logs: ${field(report.directory)} (${files.length} files, ${formatBytes(bytes)}; ${
      dialects.join(" and ") || "none readable"
    }${
      report.totals.unreadFiles
        ? `; ${report.totals.unreadFiles} could not be read, or not to their end`
        : ""
    })`,
    ` Computer: ${fields(report.computers) || "not named in the logs"}${
      systems.length ? ` (${fields(systems)})` : ""
    }`,
    ` Window: ${report.window.start ?? "-"} to ${report.window.end ?? "-"}, ${
      formatDurationFull(report.window.seconds)
    } observed`,
    ` Changes: ${report.totals.changes}; sockets at start: ${report.totals.initialSockets}; ` +
      `process records: ${report.totals.pidsRecords}; unreadable lines: ${report.totals.skippedLines}`,
    ` Interests: ${field(report.interests)}; baseline: ${field(report.baseline ?? "none")}`,
  );
  if (report.timeBasis === "upper-bound") {
    lines.push(
      " Note: the original Port Reporter logs openings, not closes: times in use are upper bounds",
    );
  }
  if (report.utcOffsets.assumed.length > 0) {
    lines.push(
      " Note: the original Port Reporter's logs do not state their UTC offset: their times " +
        `assume this machine's (UTC${report.utcOffsets.assumed.join(", UTC")})`,
    );
  }

  formatFlags(lines, report, top);

  section(lines, heading("Local ports by time in use", top, report.ports, report.counts.ports));
  lines.push(...formatTable([
    ["Port", "Service", "In use", "Share", "Listening", "Changes", "Connections", "Processes"],
    ...report.ports.slice(0, top).map((port) => [
      `${port.transport.toUpperCase()} ${port.port}`,
      field(port.service ?? ""),
      formatDurationFull(port.seconds),
      formatShare(port.share),
      port.listening ? "yes" : "",
      String(port.changes),
      String(port.connections),
      fields(port.processes),
    ]),
  ]));

  section(
    lines,
    heading("Processes by time in use", top, report.processes, report.counts.processes),
  );
  lines.push(...formatTable([
    ["Process", "In use", "Share", "PIDs", "Ports", "Changes", "Users", "Path"],
    ...report.processes.slice(0, top).map((process) => [
      field(process.process),
      formatDurationFull(process.seconds),
      formatShare(process.share),
      String(process.pidCount),
      String(process.ports),
      String(process.changes),
      fields(process.users),
      field(process.path ?? ""),
    ]),
  ]));

  section(
    lines,
    heading(
      "Remote addresses by connections",
      top,
      report.remoteAddresses,
      report.counts.remoteAddresses,
    ),
  );
  if (report.remoteAddresses.length === 0) lines.push(" No connections in the logs.");
  else {
    lines.push(...formatTable([
      ["Address", "Connections", "Remote ports", "Processes", "First", "Last"],
      ...report.remoteAddresses.slice(0, top).map((remote) => [
        field(remote.address),
        remote.overcount > 0 ? `≤${remote.connections}` : String(remote.connections),
        remote.remotePorts.join(", "),
        fields(remote.processes),
        remote.firstSeen,
        remote.lastSeen,
      ]),
    ]));
  }

  section(lines, heading("User contexts", top, report.users, report.counts.users));
  lines.push(...formatTable([
    ["User", "Changes", "At start-up", "Processes"],
    ...report.users.slice(0, top).map((user) => [
      field(user.user),
      String(user.changes),
      user.startupSockets > 0 ? `${user.startupSockets} socket(s)` : "",
      fields(user.processes),
    ]),
  ]));

  section(lines, "Port use by hour of day (every day summed)");
  const busiest = Math.max(1, ...report.hours.map((hour) => hour.changes));
  lines.push(...formatTable([
    ["Hour", "Changes", "Connections", "Listeners", "Ports", ""],
    ...report.hours.map((hour) => [
      `${String(hour.hour).padStart(2, "0")}:00`,
      String(hour.changes),
      String(hour.connections),
      String(hour.listeners),
      String(hour.ports),
      "#".repeat(Math.round((hour.changes / busiest) * 40)),
    ]),
  ]));

  section(
    lines,
    heading(
      "Services per shared host process",
      Infinity,
      report.sharedProcesses,
      report.counts.sharedProcesses,
    ),
  );
  if (report.sharedProcesses.length === 0) lines.push(" No process hosting several services.");
  for (const host of report.sharedProcesses) {
    lines.push(
      ` ${field(host.process)} (PID ${host.pid})${host.path ? ` ${field(host.path)}` : ""}`,
    );
    for (const service of host.services) {
      lines.push(
        `   ${field(service.name)}${
          service.displayName !== service.name ? ` (${field(service.displayName)})` : ""
        }`,
      );
    }
  }

  if (report.problems.length > 0) {
    const unreadFiles = report.totals.unreadFiles;
    section(
      lines,
      `Unreadable lines (${report.totals.skippedLines})` +
        (unreadFiles ? ` and files (${unreadFiles})` : ""),
    );
    for (const problem of report.problems) lines.push(` ${field(problem)}`);
  }
  lines.push("", RULE, "", " End of portset report", "");
  return lines.join("\n");
}

/** A field from the logs or the command line, on its one line: control characters as `?`. */
export const field = printableField;

/** A list of such fields, joined by commas. */
export function fields(list: readonly string[]): string {
  return list.map(printableField).join(", ");
}

/** A section's title between two rules. */
export function section(lines: string[], title: string): void {
  lines.push("", RULE, ` ${title}`, RULE, "");
}

/**
 * A ranking's title with how much of it is shown: `(top 20 of 2,731)`, where 2,731 is how many
 * the logs had, not how many the report kept (`(…, the report keeps 500)` says that cut too).
 */
export function heading(
  title: string,
  top: number,
  kept: readonly unknown[],
  count: ListCount,
): string {
  const total = `${count.exact ? "" : "about "}${count.total.toLocaleString("en-US")}`;
  const shown = Math.min(top, kept.length);
  const cut = kept.length < count.total ? `; the report keeps ${kept.length}` : "";
  return shown < count.total ? `${title} (top ${shown} of ${total}${cut})` : `${title} (${total})`;
}

/**
 * The flags: every alert, whatever `--top` says; then warnings and notes up to `top` more rows,
 * and how many were left out. A flag grouping new listeners lists the first of them.
 */
function formatFlags(lines: string[], report: Report, top: number): void {
  formatFlagList(lines, "Flags", report.flags, {
    total: report.counts.flags.total,
    top,
    omitted: report.flagsOmitted,
    omittedAtCap: true,
  });
}

/**
 * A list of flags under its section title (`Flags (12: 3 alert(s))`): every alert, then
 * warnings and notes up to `top` more rows, and how many were left out (`omitted` more, said to
 * be past the report's cap when `omittedAtCap`). Flags that name their host (the fleet's) get a
 * Host column and their host before each detail line.
 */
export function formatFlagList(
  lines: string[],
  title: string,
  flags: readonly (Flag & { host?: string })[],
  options: { total: number; top: number; omitted: number; omittedAtCap: boolean },
): void {
  const { top, omitted } = options;
  const alerts = flags.filter((flag) => flag.severity === "alert");
  const others = flags.filter((flag) => flag.severity !== "alert");
  const shown = [...alerts, ...others.slice(0, top)];
  const left = others.length - Math.min(top, others.length) + omitted;
  const withHost = flags.some((flag) => flag.host !== undefined);
  section(lines, `${title} (${options.total.toLocaleString("en-US")}: ${alerts.length} alert(s))`);
  if (shown.length === 0) {
    lines.push(" Nothing of interest found.");
    return;
  }
  lines.push(...formatTable([
    ["Severity", ...(withHost ? ["Host"] : []), "Kind", "Subject", "Seen", "First", "Last"],
    ...shown.map((flag) => [
      flag.severity.toUpperCase(),
      ...(withHost ? [field(flag.host ?? "")] : []),
      flag.kind,
      field(flag.subject),
      `${flag.count}×`,
      flag.firstSeen,
      flag.lastSeen,
    ]),
  ]));
  if (left > 0) {
    lines.push(
      ` … and ${left.toLocaleString("en-US")} more warnings and notes` +
        (options.omittedAtCap && omitted > 0
          ? ` (${omitted.toLocaleString("en-US")} past the report's cap)`
          : "") +
        "; --top sets how many are shown, --json lists all that were kept",
    );
  }
  lines.push("");
  for (const flag of shown) {
    const listeners = flag.ports.length === 0
      ? ""
      : `: ${fields(flag.ports)}${
        flag.portCount > flag.ports.length
          ? ` and ${(flag.portCount - flag.ports.length).toLocaleString("en-US")} more`
          : ""
      }`;
    const host = withHost ? `${field(flag.host ?? "")}: ` : "";
    lines.push(` ${host}${field(flag.subject)}: ${field(flag.detail)}${listeners}`);
  }
}

/** `0.1234` → `12.34%`. */
function formatShare(share: number): string {
  return `${(share * 100).toFixed(2)}%`;
}
