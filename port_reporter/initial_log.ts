/**
 * PR-INITIAL, the snapshot a run starts with, as the original writes it: the header (system date,
 * computer, operating system), the table of every socket open at start-up with its owner, then a
 * block per process (see process_block.ts), the blocks between rules of `=`:
 *
 * ```text
 * TCP/UDP Port to Process Mappings at service start-up
 *
 * 15 mappings found
 *
 * PID:Process    Port        Local IP        State       Remote IP:Port
 * 4:System       TCP 445     0.0.0.0         LISTENING    0.0.0.0
 * …
 * ```
 *
 * portset's table ends with a `Namespace` column when it holds a socket of another network
 * namespace than the monitor's (a container's): its label on that socket's row, as PR-PORTS's
 * `namespace` field has it (see port_table.ts).
 *
 * What the report needs from it: the computer, when the service started (its `System Date`), the
 * sockets open then with their owners, users and namespaces, and each process's detail. The table
 * is as long as the host's socket count at start, not the log's length.
 *
 * @module
 */

import type { Snapshot } from "../model/endpoint.ts";
import { endpointsByOwner } from "../model/snapshot.ts";
import { printableField } from "../text/printable.ts";
import { formatHeader, type HeaderFacts, HeaderReader } from "./header.ts";
import { LOG_NAMES, type LogProblem, RULE, STARTUP_TABLE } from "./layout.ts";
import type { DateOrder } from "./log_time.ts";
import {
  formatPortTable,
  isPortTableHeader,
  namespaceColumnAt,
  parsePortRow,
} from "./port_table.ts";
import type { PortsRecord } from "./ports_log.ts";
import { formatProcessBlock, ProcessBlockReader, type ProcessDetail } from "./process_block.ts";

/** What a PR-INITIAL file says. */
export interface InitialSnapshot extends HeaderFacts {
  /**
   * Sockets open at start, as `seen` records with no time (the caller knows the time); each with
   * its `namespace` (null for the monitor's, and in a table with no `Namespace` column).
   */
  sockets: Omit<PortsRecord, "time">[];
  /** The processes' blocks, in the file's order. */
  processes: ProcessDetail[];
}

/**
 * The whole PR-INITIAL of a run starting with `snapshot` at `time`: header, start-up table (one
 * row per socket, by owner's PID; `-` where no process owns it), and each process's block.
 */
export function formatInitialLog(
  snapshot: Snapshot,
  facts: { time: Date; operatingSystem: string },
): string {
  const lines = formatHeader(LOG_NAMES.initial, { ...facts, host: snapshot.host });
  // What the snapshot could not see (owners without root) is said where the snapshot is.
  for (const warning of snapshot.warnings) lines.push(`Note: ${printableField(warning)}`, "");
  const rows = [...snapshot.endpoints].sort((a, b) => (a.pid ?? Infinity) - (b.pid ?? Infinity));
  lines.push(
    STARTUP_TABLE,
    "",
    `${rows.length} mappings found`,
    "",
    ...formatPortTable(rows, "pid:process"),
    "",
  );
  for (const [pid, endpoints] of endpointsByOwner(snapshot.endpoints)) {
    lines.push(RULE, "", ...formatProcessBlock(pid, snapshot.processes.get(pid), endpoints), "");
  }
  // Every field from outside is made safe where it is written (header, port table, process
  // blocks), one field one line: a line break in a process's path cannot add a line here.
  return lines.join("\n") + "\n";
}

type Section = "header" | "table" | "processes";

/** The start-up table's title, or PortQry's (`-local`) for the same table. */
const TABLE_TITLE = new RegExp(
  `^\\s*(${STARTUP_TABLE.replace(/ at service start-up$/, "")})( at service start-up)?\\s*$`,
  "i",
);
const MAPPINGS_FOUND = /^\s*\d+ mappings found\s*$/i;
/** Lines between the blocks: rules, and PortQry's title for them. */
const BETWEEN_BLOCKS = /^\s*(=+|Port and Module Information by Process)\s*$/i;

/** Reads a PR-INITIAL file line by line. */
export class InitialLogReader {
  #section: Section = "header";
  #header: HeaderReader;
  #block = new ProcessBlockReader();
  #sockets: Omit<PortsRecord, "time">[] = [];
  /** Where the start-up table's header has portset's `Namespace` column; null when none. */
  #namespaceColumn: number | null = null;
  #processes: ProcessDetail[] = [];

  /** `onProblem` is told of each line that is none of the file's. */
  constructor(
    readonly onProblem: (problem: LogProblem) => void = () => {},
    dateOrder: DateOrder = "ymd",
  ) {
    this.#header = new HeaderReader(dateOrder);
  }

  /** Reads the file's next line, numbered from 1. */
  push(line: string, lineNumber: number): void {
    if (this.#section === "header") {
      if (TABLE_TITLE.test(line)) this.#section = "table";
      else this.#header.push(line);
      return;
    }
    if (line.trim() === "") return;
    if (this.#section === "table") {
      const row = parsePortRow(line, this.#namespaceColumn);
      if (row) {
        this.#sockets.push({ ...row, user: null, change: "seen", line: lineNumber });
        return;
      }
      if (isPortTableHeader(line)) {
        this.#namespaceColumn = namespaceColumnAt(line);
        return;
      }
      if (MAPPINGS_FOUND.test(line)) return;
      // A rule or the first block ends the table.
      this.#section = "processes";
    }
    if (BETWEEN_BLOCKS.test(line) || /^\s*Process ID:/i.test(line)) this.#takeBlock();
    if (this.#block.push(line) || BETWEEN_BLOCKS.test(line)) return;
    this.onProblem({ line: lineNumber, reason: "not a line of a start-up snapshot" });
  }

  /** The snapshot, each socket given its owner's user context. */
  finish(): InitialSnapshot {
    this.#takeBlock();
    const users = new Map(this.#processes.map((detail) => [detail.pid, detail.user]));
    for (const socket of this.#sockets) {
      if (socket.pid !== null) socket.user = users.get(socket.pid) ?? null;
    }
    return { ...this.#header.facts, sockets: this.#sockets, processes: this.#processes };
  }

  #takeBlock(): void {
    const detail = this.#block.take();
    if (detail) this.#processes.push(detail);
  }
}
