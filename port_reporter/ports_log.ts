/**
 * PR-PORTS lines, in both dialects:
 *
 * - portset's: `2026-11-22,09:05:07,TCP,22,0.0.0.0,,0.0.0.0,812,sshd,<root>,LISTENING,listen,3`,
 *   RFC 4180 fields, the original's ten then state, change and record number;
 * - the original's: `05/7/6,13:52:1,TCP,3389,0.0.0.0,,0.0.0.0,1096,svchost.exe,<NT AUTHORITY\SYSTEM>`,
 *   unpadded, and sometimes wrapped onto the next line(s) when a field is long.
 *
 * A record starts with a date; a line that does not is the rest of the record before it (or a
 * header line, before the first record). {@linkcode PortsLogReader} joins the pieces and parses.
 *
 * @module
 */

import { isTcp } from "../model/endpoint.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { csvField, splitCsv } from "../text/csv.ts";
import { printable } from "../text/printable.ts";
import { VERSION } from "../version.ts";
import { CHANGE_KINDS, type ChangeKind, type Dialect, PORTS_FIELDS } from "./layout.ts";
import { type DateOrder, localDateTime, parseLogDateTime, utcOffset } from "./log_time.ts";

/** One change line. */
export interface PortsRecord {
  /** Wall-clock seconds (see log_time.ts). */
  time: number;
  protocol: "TCP" | "UDP";
  /** The address family, from the protocol (`TCP6`) or the local address. */
  ipv6: boolean;
  localAddress: string;
  localPort: number;
  /** Null for a listener or an unconnected UDP socket. */
  remoteAddress: string | null;
  remotePort: number | null;
  pid: number | null;
  process: string | null;
  user: string | null;
  state: string | null;
  change: ChangeKind;
  /** The line the record starts on. */
  line: number;
}

/** A line that is not a record; `reason` says why. */
export interface PortsProblem {
  line: number;
  reason: string;
}

const RECORD_START = /^\s*(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,4}\/\d{1,2}\/\d{1,4}),/;
/** The kinds portset writes (`seen` is for lines that have none). */
const LOGGED_KINDS = new Set<ChangeKind>(CHANGE_KINDS.filter((kind) => kind !== "seen"));
/** Wrapped pieces joined beyond this many lines are not a record. */
const MAX_PIECES = 8;

/**
 * Turns a PR-PORTS file's lines into records: call {@linkcode push} per line and
 * {@linkcode finish} at the end. Records and problems go to the callbacks, in order.
 */
export class PortsLogReader {
  /** Which program wrote the file; decided by its header, else by its first record. */
  dialect: Dialect | null = null;
  #pending: string | null = null;
  #pendingLine = 0;
  #pieces = 0;

  constructor(
    readonly onRecord: (record: PortsRecord) => void,
    readonly onProblem: (problem: PortsProblem) => void,
    readonly dateOrder: DateOrder = "ymd",
  ) {}

  push(line: string, lineNumber: number): void {
    if (RECORD_START.test(line)) {
      this.#flush();
      this.#pending = line.trim();
      this.#pendingLine = lineNumber;
      this.#pieces = 1;
      return;
    }
    if (this.#pending === null) {
      // A header line: portset's first line names it; the format line says which fields follow.
      if (this.dialect === null) {
        if (/^portset .*Port Reporter/.test(line) || /,state,change,record\s*$/.test(line)) {
          this.dialect = "portset";
        } else if (/^date,time,protocol,/.test(line)) this.dialect = "port-reporter";
      }
      return;
    }
    if (line.trim() === "" || isComplete(this.#pending)) {
      // A record already whole: whatever follows that is not a record is damage, not its rest.
      this.#flush();
      if (line.trim() !== "") {
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
    this.dialect ??= result.change === "seen" ? "port-reporter" : "portset";
    this.onRecord(result);
  }
}

/**
 * Whether a record has all its fields: portset's thirteen, or the original's ten with the user
 * context's closing `>` (a record cut inside it goes on on the next line).
 */
function isComplete(text: string): boolean {
  const fields = splitCsv(text);
  if (fields.length >= 13) return true;
  if (fields.length < 10) return false;
  const user = fields[9].trim();
  return !user.startsWith("<") || user.endsWith(">");
}

/** Parses one whole record; a string says why it is not one. */
export function parsePortsLine(
  text: string,
  lineNumber: number,
  dateOrder: DateOrder,
): PortsRecord | string {
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
  const pid = wholeNumber(fields[7] ?? "");
  const process = (fields[8] ?? "").trim() || null;
  // The original writes the user context in angle brackets.
  const userField = (fields[9] ?? "").trim().replace(/^<(.*)>$/, "$1");
  const user = userField === "" || userField === "unknown" ? null : userField;
  let change: ChangeKind = "seen";
  let state: string | null = null;
  if (fields.length >= 12) {
    state = fields[10].trim() || null;
    const kind = fields[11].trim() as ChangeKind;
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
    line: lineNumber,
  };
}

/** Whether a remote address is the "no peer" address a listener shows. */
function isUnspecified(address: string): boolean {
  return address === "0.0.0.0" || address === "::" || address === "[::]";
}

function wholeNumber(text: string): number | null {
  const trimmed = text.trim();
  return /^\d{1,7}$/.test(trimmed) ? Number(trimmed) : null;
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
