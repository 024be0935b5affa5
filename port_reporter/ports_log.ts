/**
 * PR-PORTS, one line per change, in both dialects, after a header that the original writes so:
 *
 * ```text
 * Port Reporter Version 1.01 Log File - Port usage log
 *
 * Check PR-PIDS-05-07-6-13-44-4.log for corresponding process data
 *
 * Log format:
 * date,time,protocol,local port,local IP address,remote port,remote IP address,PID,module,user context
 * ```
 *
 * - portset's lines: `2026-11-22,09:05:07,TCP,22,0.0.0.0,,0.0.0.0,812,sshd,<root>,LISTENING,listen,3,`,
 *   RFC 4180 fields, the original's ten then state, change, record number and network namespace
 *   (empty for the monitor's own; absent in logs written before it), after a header of the same
 *   layout with a `Times:` line; and a stop line when the monitor stops;
 * - the original's: `05/7/6,13:52:1,TCP,3389,0.0.0.0,,0.0.0.0,1096,svchost.exe,<NT AUTHORITY\SYSTEM>`,
 *   unpadded, and sometimes wrapped: the rest of a long record on the next, indented, line.
 *
 * A record starts with a date; before the first, every line is header (the field list may itself
 * be wrapped). After it, a line that does not start with a date is the rest of a record cut short,
 * or damage. {@linkcode PortsLogReader} joins the pieces and parses.
 *
 * @module
 */

import { isTcp } from "../model/endpoint.ts";
import { otherNamespaceLabel } from "../model/network_namespace.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { csvField, splitCsv } from "../text/csv.ts";
import { printableField } from "../text/printable.ts";
import { formatTimesLine, formatTitle, parseTimesLine } from "./header.ts";
import {
  type Dialect,
  LOG_CHANGE_KINDS,
  LOG_FORMAT,
  LOG_NAMES,
  type LogChangeKind,
  type LogProblem,
  type LogProtocol,
  PORTS_FIELDS,
  STOPPED_AT,
} from "./layout.ts";
import { type DateOrder, localDateTime, parseLogDateTime } from "./log_time.ts";

/** One change line. */
export interface PortsRecord {
  /** Wall-clock seconds (see log_time.ts). */
  time: number;
  /** The transport; `ipv6` tells the family. */
  protocol: LogProtocol;
  /** The address family, from the protocol (`TCP6`) or the local address. */
  ipv6: boolean;
  /** The local address as the line writes it. */
  localAddress: string;
  /** The `local port` field. */
  localPort: number;
  /** Null for a listener or an unconnected UDP socket. */
  remoteAddress: string | null;
  /** The peer's port; null when `remoteAddress` is. */
  remotePort: number | null;
  /** The `PID` field; null when it is empty or 0. */
  pid: number | null;
  /** The `module` field: the owning process's name; null when empty. */
  process: string | null;
  /** The `user context` field, without the original's angle brackets; null when unknown. */
  user: string | null;
  /**
   * The TCP state portset logged (`ESTABLISHED`); for the original's lines, which log none,
   * `LISTENING` for a TCP socket with no peer and null otherwise.
   */
  state: string | null;
  /** What happened to the socket; `seen` for the original's lines. */
  change: LogChangeKind;
  /**
   * The socket's network namespace, as portset labels it (`blue`, `docker:4f2a9c1b7d3e`); null
   * (or absent) for the monitor's own (the host's), and in logs that have no such field.
   */
  namespace?: string | null;
  /** The line the record starts on. */
  line: number;
}

const RECORD_START = /^\s*(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,4}\/\d{1,2}\/\d{1,4}),/;
/** The stop record: `Service stopped at: <date>,<time> (<why>)`. */
export const STOP_LINE = new RegExp(`^\\s*${STOPPED_AT}:\\s*([^\\s,]+),(\\S+)`, "i");
/** The kinds portset writes (`seen` is for lines that have none). */
const LOGGED_KINDS = new Set<LogChangeKind>(LOG_CHANGE_KINDS.filter((kind) => kind !== "seen"));
/** Wrapped pieces joined beyond this many lines are not a record. */
const MAX_PIECES = 8;

/**
 * Turns a PR-PORTS file's lines into records: call {@linkcode push} per line and
 * {@linkcode finish} at the end. Records and problems go to the callbacks, in order; a stop
 * record's time is kept in {@linkcode stopped}.
 */
export class PortsLogReader {
  /** Which program wrote the file; decided by its header, else by its first record. */
  dialect: Dialect | null = null;
  /** When the monitor stopped, from a stop record (wall-clock seconds); null when none says. */
  stopped: number | null = null;
  /** The UTC offset of the file's times in minutes, from portset's `Times:` line; null without. */
  utcOffset: number | null = null;
  /** A record (or a stop line) was read: the header is over. */
  #started = false;
  #pending: string | null = null;
  #pendingLine = 0;
  #pieces = 0;

  /** `onRecord` is given each record, `onProblem` each line that is none. */
  constructor(
    readonly onRecord: (record: PortsRecord) => void,
    readonly onProblem: (problem: LogProblem) => void,
    readonly dateOrder: DateOrder = "ymd",
  ) {}

  /** Reads the file's next line, numbered from 1. */
  push(line: string, lineNumber: number): void {
    if (RECORD_START.test(line)) {
      this.#flush();
      this.#started = true;
      this.#pending = line.trim();
      this.#pendingLine = lineNumber;
      this.#pieces = 1;
      return;
    }
    const stop = STOP_LINE.exec(line);
    if (stop) {
      this.#flush();
      this.#started = true;
      const time = parseLogDateTime(stop[1], stop[2], this.dateOrder);
      if (time === null) this.onProblem({ line: lineNumber, reason: "a stop record with no time" });
      else this.stopped = Math.max(this.stopped ?? time, time);
      return;
    }
    const blank = line.trim() === "";
    if (!this.#started) {
      // A header line: its title names the program; the field list, which fields follow.
      this.utcOffset ??= parseTimesLine(line);
      if (this.dialect === null && !blank) {
        if (/^\s*portset\s/.test(line) || /,state,change,record(,namespace)?\s*$/.test(line)) {
          this.dialect = "portset";
        } else if (/^\s*Port Reporter\b/i.test(line)) this.dialect = "port-reporter";
      }
      return;
    }
    if (this.#pending === null || blank || isComplete(this.#pending)) {
      // A record already whole: whatever follows that is not a record is damage, not its rest.
      this.#flush();
      if (!blank) {
        this.onProblem({ line: lineNumber, reason: "not a change line (it starts with no date)" });
      }
      return;
    }
    // The rest of a wrapped record: the original breaks long lines without a marker.
    this.#pending += line.trim();
    if (++this.#pieces > MAX_PIECES) {
      this.onProblem({ line: this.#pendingLine, reason: "a record wrapped over too many lines" });
      this.#pending = null;
    }
  }

  /** The file has ended: its last record is given too. */
  finish(): void {
    this.#flush();
  }

  #flush(): void {
    const text = this.#pending;
    this.#pending = null;
    if (text === null) return;
    const result = parsePortsLine(text, this.#pendingLine, this.dateOrder);
    if (typeof result === "string") {
      this.onProblem({ line: this.#pendingLine, reason: result });
      return;
    }
    if (result.change === "seen" && this.dialect === "portset") {
      // portset writes every field of a line: one with the original's ten (or fewer) is a line
      // cut short, as a crash mid-write leaves the last, and would read as a socket appearing
      // (a close cut after its state, a listener that is opening).
      const fields = splitCsv(text).length;
      this.onProblem({
        line: this.#pendingLine,
        reason: `a line cut short: ${fields} fields of the 13 or more portset writes`,
      });
      return;
    }
    this.dialect ??= result.change === "seen" ? "port-reporter" : "portset";
    this.onRecord(result);
  }
}

/**
 * Whether a record has all its fields: portset's thirteen or more, or the original's ten with a user
 * context, closed by its `>`. A record cut after the module's comma, or inside the user context,
 * goes on on the next line.
 */
function isComplete(text: string): boolean {
  const fields = splitCsv(text);
  if (fields.length >= 13) return true;
  if (fields.length < 10) return false;
  const user = fields[9].trim();
  if (fields.length === 10 && user === "") return false;
  return !user.startsWith("<") || user.endsWith(">");
}

/** Parses one whole record; a string says why it is not one. */
export function parsePortsLine(
  text: string,
  lineNumber: number,
  dateOrder: DateOrder,
): PortsRecord | string {
  // Quotes come in pairs in a line portset wrote (a quote in a field is doubled) and not at all
  // in the original's; one left open would take the rest of the line into its field.
  if ((text.split('"').length - 1) % 2 === 1) return "a quoted field that is never closed";
  const fields = splitCsv(text);
  if (fields.length < 9) return `${fields.length} fields, not the 10 of a change line`;
  const [date, clock, protocolField, localPort, localAddress, remotePort, remoteAddress] = fields;
  const time = parseLogDateTime(date.trim(), clock.trim(), dateOrder);
  if (time === null) return `'${date},${clock}' is not a date and time`;
  const protocol = /^(TCP|UDP)(6|v6)?$/i.exec(protocolField.trim());
  if (!protocol) return `'${protocolField}' is not TCP or UDP`;
  const port = wholeNumber(localPort);
  if (port === null || port > 65535) return `'${localPort}' is not a port`;
  const udp = protocol[1].toUpperCase() === "UDP";
  const peerPort = remotePort.trim();
  const peerAddress = remoteAddress.trim();
  // No peer: a TCP listener (empty remote port), a UDP socket (`*,*`), or a zero address.
  const unconnected = peerPort === "" || peerPort === "*" || peerAddress === "*" ||
    peerAddress === "" || (isUnspecified(peerAddress) && (peerPort === "0" || peerPort === ""));
  const remotePortNumber = unconnected ? null : wholeNumber(peerPort);
  if (!unconnected && (remotePortNumber === null || remotePortNumber > 65535)) {
    return `'${remotePort}' is not a remote port`;
  }
  const pidText = (fields[7] ?? "").trim();
  const pid = pidText === "" ? null : processId(pidText);
  if (pidText !== "" && pid === null) return `'${pidText}' is not a process ID`;
  const process = (fields[8] ?? "").trim() || null;
  // The original writes the user context in angle brackets.
  const userField = (fields[9] ?? "").trim().replace(/^<(.*)>$/s, "$1");
  const user = userField === "" || userField === "unknown" ? null : userField;
  let change: LogChangeKind = "seen";
  let state: string | null = null;
  const namespace = fields.length >= 14 ? fields[13].trim() || null : null;
  if (fields.length >= 12) {
    state = fields[10].trim() || null;
    const kind = fields[11].trim() as LogChangeKind;
    if (!LOGGED_KINDS.has(kind)) return `'${fields[11]}' is not a change kind`;
    change = kind;
  } else if (!udp && unconnected) {
    state = "LISTENING";
  }
  const address = localAddress.trim();
  return {
    time,
    protocol: udp ? "UDP" : "TCP",
    ipv6: protocol[2] !== undefined || address.includes(":"),
    localAddress: address,
    localPort: port,
    remoteAddress: unconnected ? null : peerAddress,
    remotePort: remotePortNumber,
    pid: pid === 0 ? null : pid,
    process,
    user,
    state,
    change,
    namespace,
    line: lineNumber,
  };
}

/** Whether a remote address is the "no peer" address a listener shows. */
function isUnspecified(address: string): boolean {
  return address === "0.0.0.0" || address === "::" || address === "[::]";
}

/**
 * A process ID as a log writes it: Windows' are 32-bit (the original ran there), Linux's at most
 * 4,194,304; null for anything else, which the line is then refused for rather than read as no
 * process at all.
 */
function processId(text: string): number | null {
  return /^\d{1,10}$/.test(text) && Number(text) <= 0xffffffff ? Number(text) : null;
}

function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^\d{1,7}$/.test(trimmed) ? Number(trimmed) : null;
}

/**
 * The PR-PORTS header, in the original's layout: the title, its PR-PIDS partner, the `Times:`
 * line, and the field list (on one line: the original's is only wrapped in print).
 */
export function formatPortsHeader(pidsFile: string, time: Date): string {
  return [
    formatTitle(` - ${LOG_NAMES.ports}`),
    "",
    `Check ${printableField(pidsFile)} for corresponding process data`,
    "",
    formatTimesLine(time),
    "",
    LOG_FORMAT,
    PORTS_FIELDS,
    "",
    "",
  ].join("\n");
}

/**
 * The stop record (with its newline), the last line of PR-PORTS and PR-PIDS when the monitor
 * stops: `Service stopped at: 2026-11-22,10:00:05 (SIGTERM)`.
 */
export function formatStopLine(time: Date, reason: string): string {
  const [date, clock] = localDateTime(time);
  return `${STOPPED_AT}: ${date},${clock} (${printableField(reason)})\n`;
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
    otherNamespaceLabel(endpoint) ?? "",
  ].map(csvField).join(",") + "\n";
}
