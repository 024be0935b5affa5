/**
 * PR-PIDS, one numbered record per PR-PORTS line, stamped with the same date and time, with the
 * owning process's detail (see process_block.ts), after a header (see header.ts). The original
 * heads each record so:
 *
 * ```text
 * ======================================================
 *
 * Log number: 1
 *
 * Log entry below recorded at: 05/7/6,13:52:1
 *
 * ======================================================
 *
 * Process ID: 1096 (svchost.exe)
 * ```
 *
 * portset writes the same, its stamps ISO (`2026-11-22,09:05:07`), with a line after the stamp
 * saying how many lines of the record follow (`Lines below in this record: 31`), a `Change:` line
 * naming the socket before the process (its PR-PORTS line says it too), a line of its own for a
 * socket no process owns, and a stop line when the monitor stops. Every field from outside (a
 * process's name, path, user, services and modules, an interface's name in an address) shows
 * control characters as `?`, so a record's lines are the ones portset wrote; and the reader
 * counts a record's lines rather than trusting what they say, should a line ever get through.
 *
 * @module
 */

import type { Endpoint, ProcessInfo } from "../model/endpoint.ts";
import { otherNamespaceLabel } from "../model/network_namespace.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { printableAddress, printableField } from "../text/printable.ts";
import { formatHeader, type HeaderFacts, HeaderReader } from "./header.ts";
import {
  LOG_NAMES,
  LOG_NUMBER,
  type LogProblem,
  NETWORK_NAMESPACE,
  RECORD_LINES,
  RECORDED_AT,
  RULE,
} from "./layout.ts";
import { type DateOrder, localDateTime, parseLogDateTime } from "./log_time.ts";
import { STOP_LINE } from "./ports_log.ts";
import { formatProcessBlock, ProcessBlockReader, type ProcessDetail } from "./process_block.ts";

/** One PR-PIDS record. */
export interface PidsRecord {
  /** Its log number (its PR-PORTS line's); null for a block with no number before it. */
  number: number | null;
  /** When it was logged, in wall-clock seconds; null when no readable stamp says. */
  time: number | null;
  /** portset's `Change:` line, as written; null in the original's records. */
  change: string | null;
  /**
   * portset's `Network namespace:` line, the label of the socket's namespace when it is not the
   * one portset ran in; null for that one, and in the original's records.
   */
  namespace: string | null;
  /** The owning process; null when no process owned the socket. */
  detail: ProcessDetail | null;
}

/** The PR-PIDS header: the original's, and which PR-PORTS file the records detail. */
export function formatPidsHeader(
  portsFile: string,
  facts: { time: Date; host: string; operatingSystem: string },
): string {
  const lines = formatHeader(LOG_NAMES.pids, facts);
  lines.splice(
    4,
    0,
    `Check ${printableField(portsFile)} for the port changes these records detail`,
    "",
  );
  return lines.join("\n") + "\n";
}

/**
 * One PR-PIDS record: its number, stamp and line count between rules, the change, then the owning
 * process (user, services, its ports with statistics, modules), stamped as its PR-PORTS line.
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
  const head = [
    "",
    RULE,
    "",
    `${LOG_NUMBER}: ${record}`,
    "",
    `${RECORDED_AT}: ${date},${clock}`,
    "",
  ];
  // An address's IPv6 scope is an interface's name: a field from outside like the others.
  const local = printableAddress(endpoint.localAddress);
  const lines = [
    "",
    RULE,
    "",
    `Change: ${change.kind} ${endpoint.protocol.toUpperCase()} ${local}:${endpoint.localPort}` +
    (endpoint.remoteAddress === null
      ? ""
      : ` -> ${printableAddress(endpoint.remoteAddress)}:${endpoint.remotePort}`) +
    (endpoint.state
      ? ` ${
        change.previous?.state && change.kind === "state" ? `${change.previous.state} -> ` : ""
      }${endpoint.state}`
      : ""),
  ];
  const namespace = otherNamespaceLabel(endpoint);
  if (namespace !== null) lines.push(`${NETWORK_NAMESPACE}: ${printableField(namespace)}`);
  if (change.betweenLooks) {
    lines.push(
      "Seen between looks: the kernel reported the socket destroyed before portset looked",
    );
  }
  lines.push("");
  if (endpoint.pid === null) {
    lines.push(NO_PROCESS);
  } else {
    lines.push(...formatProcessBlock(endpoint.pid, process, processEndpoints));
  }
  const body = lines.join("\n") + "\n";
  // The lines as written are counted, not the list's entries: were a line break ever to get into
  // a field, the count would still cover it, and the reader would not take it for a record.
  let count = 0;
  for (let at = body.indexOf("\n"); at >= 0; at = body.indexOf("\n", at + 1)) count++;
  return head.join("\n") + `\n${RECORD_LINES}: ${count}\n` + body;
}

const NO_PROCESS =
  "No process owns this socket (TIME_WAIT, a kernel socket, or its process has gone)";
const LOG_NUMBER_LINE = new RegExp(`^\\s*${LOG_NUMBER}:\\s*(\\d+)\\s*$`, "i");
const RECORDED_AT_LINE = new RegExp(
  `^\\s*${RECORDED_AT}:\\s*([^\\s,]+)[\\s,]+(\\d{1,2}:\\d{1,2}(?::\\d{1,2})?)\\s*$`,
  "i",
);
const RECORD_LINES_LINE = new RegExp(`^\\s*${RECORD_LINES}:\\s*(\\d{1,9})\\s*$`, "i");
/** portset's lines about the change, which the record keeps as written. */
const CHANGE_LINE = /^\s*Change:\s*(.*?)\s*$/s;
/** The socket's namespace, after the change line, when it is not portset's own. */
const NAMESPACE_LINE = new RegExp(`^\\s*${NETWORK_NAMESPACE}:\\s*(.*?)\\s*$`);
/** Lines of portset's that say nothing a record keeps. */
const REMARK = /^\s*(=+\s*$|Seen between looks:|No process owns this socket)/;

/**
 * Turns a PR-PIDS file's lines into records, in order: call {@linkcode push} per line and
 * {@linkcode finish} at the end. The header's facts are in {@linkcode header}; a stop record's
 * time in {@linkcode stopped}.
 *
 * A record of portset's says how many lines it has: those lines are the record's, whatever they
 * say. One among them that reads as the start of a record (a `Log number`, a stop line, a second
 * `Process ID`) is a problem of that record, never a record of its own, and the record ends
 * with its last line. The original's records, which have no count, are read by what each line
 * says.
 */
export class PidsLogReader {
  /** Records read (every `Log number`, and blocks with none before them). */
  records = 0;
  /** When the monitor stopped, from a stop record; null when none says. */
  stopped: number | null = null;
  #header: HeaderReader;
  #inHeader = true;
  #record: Omit<PidsRecord, "detail"> | null = null;
  #block = new ProcessBlockReader();
  #blockStarted = false;
  /** Lines of the current record still to come, by its count; null for a record with none. */
  #remaining: number | null = null;
  /**
   * A counted record held a line that reads as the start of another: what follows it in the
   * record is that forgery's text, not the record's, and is not read into it.
   */
  #forged = false;
  #lastLine = 0;

  /** `onRecord` is given each record, `onProblem` each line that belongs to none. */
  constructor(
    readonly onRecord: (record: PidsRecord) => void,
    readonly onProblem: (problem: LogProblem) => void = () => {},
    readonly dateOrder: DateOrder = "ymd",
  ) {
    this.#header = new HeaderReader(dateOrder);
  }

  /** What the header says. */
  get header(): HeaderFacts {
    return this.#header.facts;
  }

  /** Reads the file's next line, numbered from 1. */
  push(line: string, lineNumber: number): void {
    this.#lastLine = lineNumber;
    if (this.#remaining !== null) return this.#counted(line, lineNumber);
    const number = LOG_NUMBER_LINE.exec(line);
    if (number) {
      this.#emit();
      this.#inHeader = false;
      this.#record = { number: Number(number[1]), time: null, change: null, namespace: null };
      return;
    }
    if (this.#inHeader) {
      // The header ends at the first record's rule, or at a block with no number before it.
      if (/^\s*=+\s*$/.test(line) || /^\s*Process ID:/i.test(line)) this.#inHeader = false;
      else return this.#header.push(line);
    }
    if (line.trim() === "") return;
    const count = RECORD_LINES_LINE.exec(line);
    if (count && this.#record && !this.#blockStarted && this.#record.change === null) {
      this.#remaining = Number(count[1]);
      if (this.#remaining === 0) this.#emit();
      return;
    }
    const stamp = RECORDED_AT_LINE.exec(line);
    if (stamp && this.#record && !this.#blockStarted) {
      this.#record.time = parseLogDateTime(stamp[1], stamp[2], this.dateOrder);
      if (this.#record.time === null) {
        this.onProblem({ line: lineNumber, reason: "a record stamp that is not a date and time" });
      }
      return;
    }
    const stop = STOP_LINE.exec(line);
    if (stop) {
      this.#emit();
      const time = parseLogDateTime(stop[1], stop[2], this.dateOrder);
      if (time !== null) this.stopped = Math.max(this.stopped ?? time, time);
      return;
    }
    const change = CHANGE_LINE.exec(line);
    if (change && this.#record && !this.#blockStarted) {
      this.#record.change = change[1];
      return;
    }
    const namespace = NAMESPACE_LINE.exec(line);
    if (namespace && this.#record && !this.#blockStarted && this.#record.namespace === null) {
      this.#record.namespace = namespace[1];
      return;
    }
    if (/^\s*Process ID:/i.test(line)) {
      // A second process in one record: the original's blocks with no number before them.
      if (this.#blockStarted || this.#record === null) {
        this.#emit();
        this.#record = { number: null, time: null, change: null, namespace: null };
      }
      this.#blockStarted = true;
    }
    if (this.#block.push(line) || REMARK.test(line)) return;
    this.onProblem({ line: lineNumber, reason: "not a line of a process detail record" });
  }

  /** The file has ended: its last record is given too. */
  finish(): void {
    if (this.#remaining !== null && this.#remaining > 0) {
      this.onProblem({
        line: this.#lastLine,
        reason: `the last record ends ${this.#remaining} line(s) short of its count`,
      });
    }
    this.#emit();
  }

  /** A line of a record that said how many it has: the record's, whatever it says. */
  #counted(line: string, lineNumber: number): void {
    this.#remaining!--;
    this.#countedLine(line, lineNumber);
    // The count's last line ends the record: nothing after it can join it.
    if (this.#remaining === 0) this.#emit();
  }

  #countedLine(line: string, lineNumber: number): void {
    if (line.trim() === "" || REMARK.test(line)) return;
    if (this.#forged) {
      this.onProblem({
        line: lineNumber,
        reason: "a line after one that reads as the start of another record (not read)",
      });
      return;
    }
    const startsAnother = LOG_NUMBER_LINE.test(line) || STOP_LINE.test(line) ||
      RECORD_LINES_LINE.test(line) || (this.#blockStarted && /^\s*Process ID:/i.test(line));
    if (startsAnother) {
      this.onProblem({
        line: lineNumber,
        reason: "a line inside a record that reads as the start of another (not taken as one)",
      });
      this.#forged = true;
      return;
    }
    const change = CHANGE_LINE.exec(line);
    if (change && !this.#blockStarted && this.#record!.change === null) {
      this.#record!.change = change[1];
      return;
    }
    const namespace = NAMESPACE_LINE.exec(line);
    if (namespace && !this.#blockStarted && this.#record!.namespace === null) {
      this.#record!.namespace = namespace[1];
      return;
    }
    if (/^\s*Process ID:/i.test(line)) this.#blockStarted = true;
    if (this.#block.push(line)) return;
    this.onProblem({ line: lineNumber, reason: "not a line of a process detail record" });
  }

  #emit(): void {
    const record = this.#record;
    const detail = this.#block.take();
    this.#record = null;
    this.#blockStarted = false;
    this.#remaining = null;
    this.#forged = false;
    if (record === null) return;
    this.records++;
    this.onRecord({ ...record, detail });
  }
}
