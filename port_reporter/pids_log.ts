/**
 * PR-PIDS files: one numbered record per PR-PORTS line, stamped with the same date and time, with
 * the owning process's detail (see process_block.ts). portset heads a record `[12] 2026-11-22
 * 09:05:07`; a record of the original's is read the same way, and a `Process ID:` line with no
 * header before it starts a record too.
 *
 * @module
 */

import { type Endpoint, isTcp, type ProcessInfo } from "../model/endpoint.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { printable } from "../text/printable.ts";
import { formatTable } from "../text/table.ts";
import { VERSION } from "../version.ts";
import { type DateOrder, localDateTime, parseLogDateTime } from "./log_time.ts";
import { ProcessBlockReader, type ProcessDetail, serviceLines } from "./process_block.ts";

/** A process detail and when it was logged (null when its record has no readable stamp). */
export interface PidsRecord {
  time: number | null;
  detail: ProcessDetail;
}

const RECORD_HEADER = /^\s*(?:\[\d+\]|#?\d+[.:)]?)\s+(\S+)[\s,]+(\d{1,2}:\d{1,2}(?::\d{1,2})?)\s*$/;

/** Turns a PR-PIDS file's lines into process details, in order. */
export class PidsLogReader {
  #block = new ProcessBlockReader();
  #time: number | null = null;
  records = 0;

  constructor(
    readonly onRecord: (record: PidsRecord) => void,
    readonly dateOrder: DateOrder = "ymd",
  ) {}

  push(line: string): void {
    const header = RECORD_HEADER.exec(line);
    if (header) {
      const time = parseLogDateTime(header[1], header[2], this.dateOrder);
      if (time !== null) {
        this.#emit();
        this.records++;
        this.#time = time;
        return;
      }
    }
    if (/^\s*Process ID:/i.test(line)) this.#emit();
    this.#block.push(line);
  }

  finish(): void {
    this.#emit();
  }

  #emit(): void {
    const detail = this.#block.take();
    if (detail) this.onRecord({ time: this.#time, detail });
  }
}

/** The PR-PIDS header. */
export function formatPidsHeader(portsFile: string, host: string): string {
  return [
    `portset ${VERSION} Port Reporter: process details on ${printable(host)}`,
    `One numbered record per line of ${portsFile}`,
    "",
  ].join("\n");
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
