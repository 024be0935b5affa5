/**
 * The process blocks that PR-PIDS records and PR-INITIAL's last section share, as the original
 * writes them:
 *
 * ```text
 * Process ID: 1096 (svchost.exe)
 *
 * User context: NT AUTHORITY\SYSTEM
 *
 * Service Name: TermService
 * Display Name: Terminal Services
 * Service Type: shares a process with other services
 *
 * PID     Port           Local IP        State         Remote IP:Port
 * 1096    TCP 3389   0.0.0.0         LISTENING     0.0.0.0
 *
 * Port Statistics
 * …
 * Loaded modules:
 * C:\WINDOWS\system32\svchost.exe (0x01000000)
 * ```
 *
 * portset adds a `Path:` line after the process ID (the original's executable is the first
 * module), and a `Namespace` column to the port table of a process holding a socket of another
 * network namespace than the monitor's (see port_table.ts). {@linkcode formatProcessBlock} writes
 * a block; {@linkcode ProcessBlockReader} is fed a block's lines one at a time and builds a
 * {@linkcode ProcessDetail}; the caller says where blocks end.
 *
 * @module
 */

import type { Endpoint, ProcessInfo, Service } from "../model/endpoint.ts";
import { printableField } from "../text/printable.ts";
import {
  formatPortStatistics,
  formatPortTable,
  isPortTableHeader,
  namespaceColumnAt,
  parsePortRow,
  type PortRow,
  type PortStatistics,
  readStatisticsLine,
} from "./port_table.ts";

/** What a log says about one process. */
export interface ProcessDetail {
  /** The block's process id. */
  pid: number;
  /** The process's name, as the block's first line gives it. */
  process: string;
  /** The executable: a `Path:` line, else the first loaded module named like the process. */
  path: string | null;
  /** The `User context:` line; null when it says `unknown` or nothing. */
  user: string | null;
  /** The services the block lists, with their display names (the name when none is given). */
  services: { name: string; displayName: string; shared: boolean }[];
  /** Paths of the loaded modules (not their base addresses: nothing here needs them). */
  modules: string[];
  /** The process's own port table, as the block lists it. */
  ports: PortRow[];
  /** Its `Port Statistics`. */
  statistics: PortStatistics;
}

/**
 * A process's block: its ID and name, path, user context, services, its own port table with
 * statistics, and (when they were read) its loaded modules. `endpoints` are the sockets it holds.
 * Each name, path and user shows control characters, line breaks included, as `?`: whoever runs
 * a process chooses them, and a line break would let them write a line of the log, such as a
 * `Log number:` that starts a record of their own.
 */
export function formatProcessBlock(
  pid: number,
  process: ProcessInfo | undefined,
  endpoints: readonly Endpoint[],
): string[] {
  const lines = [`Process ID: ${pid} (${printableField(process?.process ?? "unknown")})`, ""];
  if (process?.path) lines.push(`Path: ${printableField(process.path)}`, "");
  lines.push(`User context: ${printableField(process?.user ?? "unknown")}`, "");
  if (process?.services.length) {
    for (const service of process.services) lines.push(...serviceLines(service), "");
  } else {
    lines.push("Process doesn't appear to be a service", "");
  }
  lines.push(...formatPortTable(endpoints, "pid"), "", ...formatPortStatistics(endpoints), "");
  if (process?.modules) {
    lines.push("Loaded modules:");
    for (const module of process.modules) {
      lines.push(`${printableField(module.path)} (${module.baseAddress})`);
    }
  } else {
    lines.push(
      `Module information could not be read for this process${
        process?.modulesError ? ` (${printableField(process.modulesError)})` : ""
      }`,
    );
  }
  return lines;
}

// `s`: a name or a path may hold U+2028 or U+2029 (NTFS and Linux allow them), which `.` does
// not match without it; the line is one line already. Without it a program run from such a
// directory lost its path, and with it the alert for where it ran from.
const PROCESS_ID = /^\s*Process ID:\s*(\d+)\s*\((.*)\)\s*$/is;
const PATH = /^\s*(?:Path|Image path|Executable):\s*(.+?)\s*$/is;
const USER = /^\s*User context:\s*(.*?)\s*$/is;
const SERVICE_NAME = /^\s*Service Name:\s*(.+?)\s*$/is;
const DISPLAY_NAME = /^\s*Display Name:\s*(.*?)\s*$/is;
const SERVICE_TYPE = /^\s*Service Type:\s*(.*?)\s*$/is;
const MODULE = /^\s*(.+?)\s+\((0x[0-9a-f]+)\)\s*$/is;
/**
 * The lines that start with a label: each says what it is, whatever its value ends with. A path, a
 * user or a service may end with ` (0x1)`, as a module's line does; a module's path never starts
 * with a label (it is a whole path: `/usr/lib/...`, `C:\\Windows\\...`).
 */
const LABELLED =
  /^\s*(?:Path|Image path|Executable|User context|Service Name|Display Name|Service Type):/i;
/** Lines a block may hold that say nothing the detail keeps. */
const REMARK =
  /^\s*(Loaded modules:|Process doesn't appear to be a service|Module information could not be read)/i;

/** Builds one process's detail from the lines of its block. */
export class ProcessBlockReader {
  #detail: ProcessDetail | null = null;
  /** Where the block's port table has portset's `Namespace` column; null when it has none. */
  #namespaceColumn: number | null = null;

  /** Reads one line; true when it belonged to a process block. */
  push(line: string): boolean {
    const id = PROCESS_ID.exec(line);
    if (id) {
      this.#namespaceColumn = null;
      this.#detail = {
        pid: Number(id[1]),
        process: id[2].trim(),
        path: null,
        user: null,
        services: [],
        modules: [],
        ports: [],
        statistics: { tcp: null, udp: null, states: [] },
      };
      return true;
    }
    const detail = this.#detail;
    if (!detail) return false;
    // Most lines of a record are modules, `<path> (0x…)`: try that first, unless the line is
    // labelled (a `Path:` ending in ` (0x1)` is the executable's path, not a module).
    if (line.includes("(0") && !LABELLED.test(line)) {
      const module = MODULE.exec(line);
      if (module) {
        if (detail.modules.length < MAX_MODULES) detail.modules.push(module[1]);
        return true;
      }
    }
    if (/(TCP|UDP)/.test(line)) {
      const row = parsePortRow(line, this.#namespaceColumn);
      if (row) {
        if (detail.ports.length < MAX_PORT_ROWS) detail.ports.push(row);
        return true;
      }
    }
    if (readStatisticsLine(line, detail.statistics)) return true;
    let match;
    if ((match = SERVICE_NAME.exec(line))) {
      detail.services.push({ name: match[1], displayName: match[1], shared: false });
    } else if ((match = DISPLAY_NAME.exec(line))) {
      const service = detail.services.at(-1);
      if (service) service.displayName = match[1] || service.name;
    } else if ((match = SERVICE_TYPE.exec(line))) {
      const service = detail.services.at(-1);
      if (service) service.shared = /share/i.test(match[1]);
    } else if ((match = USER.exec(line))) {
      // The original may write the user in angle brackets, as PR-PORTS does; a bracket of a
      // user's own name (`ev<il>`) is the name's.
      const user = match[1].replace(/^<(.*)>$/s, "$1");
      detail.user = user === "" || user === "unknown" ? null : user;
    } else if ((match = PATH.exec(line))) {
      const path = match[1];
      detail.path = path === "unknown" ? null : path;
    } else if (isPortTableHeader(line)) {
      this.#namespaceColumn = namespaceColumnAt(line);
    } else if (!REMARK.test(line)) return false;
    return true;
  }

  /** The block read so far, completed, and forgets it; null when no block was started. */
  take(): ProcessDetail | null {
    const detail = this.#detail;
    this.#detail = null;
    if (detail && detail.path === null) {
      // The original has no path line; its module list starts with the executable.
      const name = detail.process.toLowerCase();
      detail.path = detail.modules.find((module) => baseName(module).toLowerCase() === name) ??
        null;
    }
    return detail;
  }
}

/** A process lists hundreds of modules at most; a longer list is not kept whole. */
const MAX_MODULES = 4096;
/** Nor is a port table longer than a busy server's. */
const MAX_PORT_ROWS = 65536;

/** The last part of a path, `/` or `\` separated. */
export function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\")) + 1);
}

/** The directory part of a path, without a trailing separator; "" for a bare name. */
export function directoryName(path: string): string {
  const cut = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return cut <= 0 ? (cut === 0 ? path[0] : "") : path.slice(0, cut);
}

/**
 * The three lines on a service a process hosts, as Port Reporter and PortQry write them; the
 * names, which a unit file's author chose, with control characters as `?`.
 */
export function serviceLines(service: Service, indent = ""): string[] {
  return [
    `${indent}Service Name: ${printableField(service.name)}`,
    `${indent}Display Name: ${printableField(service.displayName ?? service.name)}`,
    `${indent}Service Type: ${
      service.shared ? "shares a process with other services" : "runs in its own process"
    }`,
  ];
}
