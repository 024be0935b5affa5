/**
 * The Port Reporter logs' text: the PR-PORTS CSV line and the PR-PIDS detail record for each
 * change, and the headers of the three files. The original's field order is kept; portset writes
 * zero-padded ISO dates and 24-hour times, says so in the header, and adds fields at the end.
 *
 * @module
 */

import type { Endpoint, ProcessInfo } from "../model/endpoint.ts";
import { isTcp } from "../model/endpoint.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { VERSION } from "../version.ts";
import { csvField } from "../text/csv.ts";
import { serviceLines } from "./local_report.ts";
import { printable } from "../text/printable.ts";
import { formatTable } from "../text/table.ts";

/** The PR-PORTS format line: the original's ten fields, then portset's. */
export const PORTS_FIELDS =
  "date,time,protocol,local port,local IP address,remote port,remote IP address,PID,module,user context,state,change,record";

/** `2026-11-22` and `00:55:06` in local time. */
export function localDateTime(time: Date): [string, string] {
  const pad = (n: number) => String(n).padStart(2, "0");
  return [
    `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`,
    `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`,
  ];
}

/** `20261122-005506`: the local date and time in a log file's name (`PR-PORTS-<stamp>.log`). */
export function logFileStamp(time: Date): string {
  const [date, clock] = localDateTime(time);
  return `${date.replaceAll("-", "")}-${clock.replaceAll(":", "")}`;
}

/** The PR-PORTS header: what the file is, its PR-PIDS partner, the time format, the fields. */
export function formatPortsHeader(pidsFile: string, host: string, time: Date): string {
  return [
    `portset ${VERSION} Port Reporter: port changes on ${printable(host)}`,
    `Details of each line: ${pidsFile} (record number = last field)`,
    `Times are local (UTC${utcOffset(time)}), dates ISO 8601 (YYYY-MM-DD), times 24-hour HH:MM:SS`,
    PORTS_FIELDS,
    "",
  ].join("\n");
}

/** The PR-PIDS header. */
export function formatPidsHeader(portsFile: string, host: string): string {
  return [
    `portset ${VERSION} Port Reporter: process details on ${printable(host)}`,
    `One numbered record per line of ${portsFile}`,
    "",
  ].join("\n");
}

/** The PR-INITIAL header lines, before the `-local` report. */
export function formatInitialHeader(host: string, time: Date, os: string): string {
  return [
    `portset ${VERSION} Port Reporter`,
    "Service initialization log",
    `System Date: ${time.toString()}`,
    `Local computer name: ${printable(host)}`,
    `Operating System: ${printable(os)}`,
    "",
  ].join("\n");
}

/** One PR-PORTS line (with its newline). */
export function formatPortsLine(time: Date, change: SocketChange, record: number): string {
  const endpoint = change.endpoint;
  const [date, clock] = localDateTime(time);
  const udp = !isTcp(endpoint.protocol);
  // As the original: a TCP listener has no remote port and 0.0.0.0 as remote address; an
  // unconnected UDP socket has `*,*`.
  const remotePort = endpoint.remotePort ?? (udp ? "*" : "");
  const remoteAddress = endpoint.remoteAddress ??
    (udp ? "*" : endpoint.protocol === "tcp6" ? "::" : "0.0.0.0");
  return [
    date,
    clock,
    endpoint.protocol.toUpperCase(),
    endpoint.localPort,
    endpoint.localAddress,
    remotePort,
    remoteAddress,
    endpoint.pid ?? "",
    endpoint.process ?? "",
    `<${endpoint.user ?? "unknown"}>`,
    endpoint.state ?? "",
    change.kind,
    record,
  ].map(csvField).join(",") + "\n";
}

/**
 * One PR-PIDS record: the change, then the owning process (user, services, its ports with
 * statistics, modules), stamped with the same date and time as its PR-PORTS line.
 */
export function formatPidsRecord(
  time: Date,
  change: SocketChange,
  record: number,
  process: ProcessInfo | undefined,
  processEndpoints: readonly Endpoint[],
): string {
  const [date, clock] = localDateTime(time);
  const endpoint = change.endpoint;
  const lines = [
    `[${record}] ${date} ${clock}`,
    `Change: ${change.kind} ${endpoint.protocol.toUpperCase()} ${endpoint.localAddress}:${endpoint.localPort}` +
    (endpoint.remoteAddress === null
      ? ""
      : ` -> ${endpoint.remoteAddress}:${endpoint.remotePort}`) +
    (endpoint.state
      ? ` ${
        change.previous?.state && change.kind === "state" ? `${change.previous.state} -> ` : ""
      }${endpoint.state}`
      : ""),
  ];
  if (change.betweenLooks) {
    lines.push(
      "Seen between looks: the kernel reported the socket destroyed before portset looked",
    );
  }
  if (endpoint.pid === null) {
    lines.push("Process: none visible (the socket has no owner: TIME_WAIT, kernel, or gone)");
  } else {
    lines.push(
      `Process ID: ${endpoint.pid} (${process?.process ?? endpoint.process ?? "unknown"})`,
      `Path: ${process?.path ?? endpoint.path ?? "unknown"}`,
      `User context: ${process?.user ?? endpoint.user ?? "unknown"}`,
    );
    if (process?.services.length) {
      for (const service of process.services) lines.push(...serviceLines(service));
    } else {
      lines.push("Process doesn't appear to be a service");
    }
    const tcp = processEndpoints.filter((e) => isTcp(e.protocol)).length;
    lines.push(
      `Port Statistics: TCP mappings: ${tcp}, UDP mappings: ${processEndpoints.length - tcp}`,
      ...formatTable(
        [
          ["Port", "Local IP", "State", "Remote IP:Port"],
          ...processEndpoints.map((e) => [
            `${e.protocol.toUpperCase()} ${e.localPort}`,
            e.localAddress,
            e.state ?? "",
            e.remoteAddress === null
              ? (isTcp(e.protocol) ? "-" : "*:*")
              : `${e.remoteAddress}:${e.remotePort}`,
          ]),
        ],
        "  ",
      ),
    );
    if (process?.modules) {
      lines.push(
        "Loaded modules:",
        ...process.modules.map((m) => `  ${m.path} (${m.baseAddress})`),
      );
    }
  }
  return printable(lines.join("\n") + "\n\n");
}

function utcOffset(time: Date): string {
  const offset = -time.getTimezoneOffset();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${offset >= 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offset) / 60))}:${
    pad(Math.abs(offset) % 60)
  }`;
}
