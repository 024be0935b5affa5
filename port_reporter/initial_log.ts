/**
 * PR-INITIAL files: the start-up snapshot, a `-local` report with a few header lines (computer
 * name, system date). What the report needs from it: the computer's name, when the snapshot was
 * taken, the sockets open then with their owners, and each process's detail.
 *
 * The sockets come from the "TCP/UDP Port Usage" table (every socket), their owners from the
 * "Port to Process Mappings" table (the owned ones), matched row by row; both tables are as big as
 * the host's socket count at start, not the log's length.
 *
 * @module
 */

import { printable } from "../text/printable.ts";
import { VERSION } from "../version.ts";
import type { PortsRecord } from "./ports_log.ts";
import { ProcessBlockReader, type ProcessDetail } from "./process_block.ts";

/** What a PR-INITIAL file says. */
export interface InitialSnapshot {
  host: string | null;
  /** The `System Date:` line as written. */
  systemDate: string | null;
  /** Sockets open at start, as `seen` records with no time (the caller knows the time). */
  sockets: Omit<PortsRecord, "time">[];
  processes: ProcessDetail[];
}

type Section = "header" | "usage" | "statistics" | "mappings" | "processes";

const SECTIONS: Record<string, Section> = {
  "tcp/udp port usage": "usage",
  "port statistics": "statistics",
  "tcp/udp port to process mappings": "mappings",
  "port and module information by process": "processes",
};

/** `[pid:process]  TCP 80  0.0.0.0  LISTENING  0.0.0.0:0`; UDP rows have no state. */
const ROW =
  /^\s*(?:(\d+):(.*?)\s+)?(TCP|UDP)(6|v6)?\s+(\d+)\s+(\S+)\s+(?:([A-Z][A-Z_0-9 ]*?)\s+)?(\S+)\s*$/;

/** Reads a PR-INITIAL file line by line. */
export class InitialLogReader {
  #section: Section = "header";
  #rows: Omit<PortsRecord, "time">[] = [];
  #owners = new Map<string, { pid: number; process: string }[]>();
  #block = new ProcessBlockReader();
  #snapshot: InitialSnapshot = { host: null, systemDate: null, sockets: [], processes: [] };

  push(line: string, lineNumber: number): void {
    const trimmed = line.trim();
    const section = SECTIONS[trimmed.toLowerCase()];
    // Each process block has a "Port Statistics" heading of its own: the last section has no end.
    if (section && this.#section !== "processes") {
      this.#section = section;
      return;
    }
    if (this.#section === "header") {
      const field = /^(Local computer name|System Date):\s*(.*)$/i.exec(trimmed);
      if (field && /^local/i.test(field[1])) this.#snapshot.host ??= field[2] || null;
      else if (field) this.#snapshot.systemDate ??= field[2] || null;
      return;
    }
    if (this.#section === "usage" || this.#section === "mappings") {
      const row = parseRow(line, lineNumber);
      if (!row) return;
      if (this.#section === "usage") this.#rows.push(row.socket);
      else if (row.owner) {
        const owners = this.#owners.get(row.identity);
        if (owners) owners.push(row.owner);
        else this.#owners.set(row.identity, [row.owner]);
      }
      return;
    }
    if (this.#section === "processes") {
      if (/^\s*Process ID:/i.test(line)) this.#takeBlock();
      this.#block.push(line);
    }
  }

  /** The snapshot, with each socket given its owner. */
  finish(): InitialSnapshot {
    this.#takeBlock();
    const users = new Map(this.#snapshot.processes.map((detail) => [detail.pid, detail.user]));
    for (const socket of this.#rows) {
      const owner = this.#owners.get(rowIdentity(socket))?.shift();
      if (owner) {
        socket.pid = owner.pid;
        socket.process = owner.process || null;
        socket.user = users.get(owner.pid) ?? null;
      }
      this.#snapshot.sockets.push(socket);
    }
    this.#rows = [];
    return this.#snapshot;
  }

  #takeBlock(): void {
    const detail = this.#block.take();
    if (detail) this.#snapshot.processes.push(detail);
  }
}

function rowIdentity(socket: Omit<PortsRecord, "time">): string {
  return `${socket.protocol}${socket.ipv6 ? 6 : ""} ${socket.localAddress} ${socket.localPort} ${
    socket.remoteAddress ?? "-"
  } ${socket.remotePort ?? "-"} ${socket.state ?? ""}`;
}

function parseRow(
  line: string,
  lineNumber: number,
):
  | {
    socket: Omit<PortsRecord, "time">;
    identity: string;
    owner: { pid: number; process: string } | null;
  }
  | null {
  const row = ROW.exec(line);
  if (!row) return null;
  const [, pid, process, protocol, six, port, localAddress, state, peer] = row;
  const localPort = Number(port);
  if (localPort > 65535) return null;
  const remote = parsePeer(peer);
  if (remote === undefined) return null;
  const socket: Omit<PortsRecord, "time"> = {
    protocol: protocol as "TCP" | "UDP",
    ipv6: six !== undefined || localAddress.includes(":"),
    localAddress: localAddress.replace(/^\[(.*)\]$/, "$1"),
    localPort,
    remoteAddress: remote?.address ?? null,
    remotePort: remote?.port ?? null,
    pid: null,
    process: null,
    user: null,
    // PortQry spells some states with a space (`TIME WAIT`); portset's use an underscore.
    state: state ? state.trim().replace(/ /g, "_") : null,
    change: "seen",
    line: lineNumber,
  };
  return {
    socket,
    identity: rowIdentity(socket),
    owner: pid === undefined ? null : { pid: Number(pid), process: process.trim() },
  };
}

/**
 * `1.2.3.4:80`, `[2001:db8::1]:443` → address and port; `0.0.0.0:0`, `[::]:0`, `*:*` → null (no
 * peer); anything else → undefined (not a peer column).
 */
function parsePeer(text: string): { address: string; port: number } | null | undefined {
  if (text === "*:*" || text === "-") return null;
  const cut = text.lastIndexOf(":");
  if (cut <= 0) return undefined;
  const address = text.slice(0, cut).replace(/^\[(.*)\]$/, "$1");
  const port = Number(text.slice(cut + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) return undefined;
  if (port === 0 && (address === "0.0.0.0" || address === "::" || address === "*")) return null;
  return { address, port };
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
