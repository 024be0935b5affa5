/**
 * What `portset report` answers about a directory of Port Reporter logs, as one plain object: the
 * text, JSON and HTML outputs all render this. Every list in it is bounded (by the port space, the
 * number of distinct processes, or an explicit cap), so a month of logs makes a report of the same
 * size as a day's.
 *
 * Times are the logs' own local times with their UTC offset, `YYYY-MM-DDTHH:MM:SS+01:00`: the
 * offset a portset log's header states (its `Times:` line), and for the original Port Reporter's
 * logs, which state none, the offset this machine had at that local time, said in `utcOffsets`
 * as assumed (report/log_clock.ts).
 *
 * @module
 */

import type { Protocol, Transport } from "../model/endpoint.ts";
import type { Dialect, LogChangeKind } from "../port_reporter/layout.ts";
import type { LogKind } from "../port_reporter/log_files.ts";

// The report speaks of the logs' change kinds and dialects as the logs define them.
export { type Dialect, LOG_CHANGE_KINDS, type LogChangeKind } from "../port_reporter/layout.ts";

/**
 * The report's `format` field (schemas/report.schema.json). Version 3: `protocol` is
 * `tcp|tcp6|udp|udp6` as in every output (a port's row, which spans both families, says
 * `transport`), times carry their UTC offset, the logs' computers are `computers` (`host` is this
 * machine, as in every output).
 */
export const REPORT_FORMAT = "portset-report/3";

/** One log file read. */
export interface LogFileSummary {
  /** The file's name, without its directory. */
  name: string;
  /** Which of the three logs it is. */
  kind: LogKind;
  /** Which program wrote it, as its header or its lines tell. */
  dialect: Dialect;
  /** Its size when found. */
  bytes: number;
  /** PR-PORTS: change lines; PR-PIDS: detail records; PR-INITIAL: sockets in the snapshot. */
  records: number;
  /** Lines that could not be read as what the file holds; the first few are in `problems`. */
  skipped: number;
  /** The computer the file's header names (PR-INITIAL and PR-PIDS), when it names one. */
  computer?: string;
  /** The operating system the file's header names, when it names one. */
  operatingSystem?: string;
  /** The UTC offset the file's header states (portset's `Times:` line); null when it states none. */
  utcOffset: string | null;
  /**
   * Why the file, or the rest of it, could not be read (it was removed or rotated away while the
   * report read the logs); absent when it was read to its end.
   */
  unread?: string;
}

/** A local port and how much of the observed time something had it open. */
export interface PortUsage {
  /** The port's transport: its row counts the port over IPv4 and IPv6 alike. */
  transport: Transport;
  /** The port, which a TCP and a UDP row may share. */
  port: number;
  /** From the system services file, when it names the port. */
  service: string | null;
  /** Seconds during which at least one socket had this local port open. */
  seconds: number;
  /** `seconds` over the report's window, 0 to 1. */
  share: number;
  /** A socket listened on it (TCP) or was bound unconnected (UDP) at some point. */
  listening: boolean;
  /** Change lines about this port. */
  changes: number;
  /** Connections made on it (connect changes). */
  connections: number;
  /** Process names seen on it, most changes first, at most 5. */
  processes: string[];
}

/** A process, by name and executable path, and how much of the time it had a socket open. */
export interface ProcessUsage {
  /** The process name the logs give. */
  process: string;
  /** From PR-PIDS or PR-INITIAL; null when no log says. */
  path: string | null;
  /** Distinct process IDs seen under this name and path. */
  pidCount: number;
  /** Seconds during which it had at least one socket open. */
  seconds: number;
  /** `seconds` over the report's window, 0 to 1. */
  share: number;
  /** Change lines about its sockets. */
  changes: number;
  /** Distinct local ports it used. */
  ports: number;
  /** User contexts it ran as, at most 5. */
  users: string[];
}

/** A remote address and how often it was contacted. */
export interface RemoteAddressUsage {
  /** The remote address, as the logs write it. */
  address: string;
  /** Connections to or from it (connect changes, or the original's lines with a peer). */
  connections: number;
  /**
   * For the busiest addresses, exact; past the tracking capacity, an upper bound: the count is
   * kept by the Space-Saving algorithm, and this says how much of it may belong to others.
   */
  overcount: number;
  /** Remote ports used with it, most used first, at most 5. */
  remotePorts: number[];
  /** Process names that talked to it, at most 5. */
  processes: string[];
  /** The first line that names it. */
  firstSeen: string;
  /** The last line that names it. */
  lastSeen: string;
}

/** A user context and what ran under it. */
export interface UserUsage {
  /** The user context, as the logs write it (`root`, `www-data`). */
  user: string;
  /** Change lines of sockets owned under it. */
  changes: number;
  /** Sockets open under it when a monitor started (in the start-up snapshots). */
  startupSockets: number;
  /** Process names, most changes first, at most 10. */
  processes: string[];
}

/** One hour of the day (0–23), summed over every day in the logs. */
export interface HourUsage {
  /** The hour, 0 to 23, in the logs' local time. */
  hour: number;
  /** Change lines in this hour. */
  changes: number;
  /** connect changes (new connections). */
  connections: number;
  /** listen and bind changes (new listeners). */
  listeners: number;
  /** Distinct local ports that changed in this hour. */
  ports: number;
}

/** A process that hosts more than one service. */
export interface SharedProcess {
  /** The process id its log record gives. */
  pid: number;
  /** Its name (`svchost.exe`). */
  process: string;
  /** Its executable, when the log gives it. */
  path: string | null;
  /** The services it hosts, with their display names. */
  services: { name: string; displayName: string }[];
}

/** Something an operator should look at. */
export interface Flag {
  /** What raised it: which interest matched, or a new listener. */
  kind:
    | "port-of-interest"
    | "process-of-interest"
    | "module-of-interest"
    | "user-of-interest"
    | "remote-of-interest"
    | "unexpected-directory"
    | "new-listener";
  /** How urgent: `alert` before `warning` before `info`. */
  severity: "info" | "warning" | "alert";
  /**
   * What the flag is about: `TCP 4444`, `nc`, `/tmp/sshd`, an address; for new listeners the
   * process that opened them (one flag per process).
   */
  subject: string;
  /** What was seen, in one line for people. */
  detail: string;
  /** When it was first raised. */
  firstSeen: string;
  /** When it was last raised. */
  lastSeen: string;
  /** How many log lines or records raised it. */
  count: number;
  /** The listeners a grouped flag covers (`TCP 0.0.0.0:4444`), the first 20; empty otherwise. */
  ports: string[];
  /** How many distinct listeners it covers (at most 1,000 are told apart). */
  portCount: number;
}

/** A capped list's whole length, before it was cut to what the report shows. */
export interface ListCount {
  /** How many entries there were. */
  total: number;
  /** False when `total` is an upper bound (remote addresses past the counter's capacity). */
  exact: boolean;
}

/** Activity over the report's window, in equal buckets. */
export interface Timeline {
  /** The first bucket's start; null when the logs have no time at all. */
  start: string | null;
  /** Width of each bucket: a round width (1 s, 5 s … 1 min … 1 week), at most 480 buckets. */
  bucketSeconds: number;
  /** Changes per bucket, by kind. */
  buckets: Record<LogChangeKind, number>[];
  /**
   * The ports that listened longest, each with the share (0–1) of every bucket during which it
   * was listening or bound: a lane of the timeline.
   */
  lanes: {
    /** The port's transport, either family. */
    transport: Transport;
    /** The port, which a TCP and a UDP lane may share. */
    port: number;
    /** From the system services file, when it names the port. */
    service: string | null;
    /** The port raised a flag: its lane is drawn however short it was. */
    flagged: boolean;
    /** Per bucket, the share (0–1) of it during which the port listened. */
    coverage: number[];
  }[];
}

/** One change line, for the table of changes. */
export interface ChangeRow {
  /** When the line was logged, with its UTC offset. */
  time: string;
  /** Transport and address family. */
  protocol: Protocol;
  /** The local address, as logged. */
  localAddress: string;
  /** The local port, as logged. */
  localPort: number;
  /** Null for a listener or an unconnected UDP socket. */
  remoteAddress: string | null;
  /** The peer's port; null when `remoteAddress` is. */
  remotePort: number | null;
  /** The owner's process id; null when the line names none. */
  pid: number | null;
  /** The owner's name; null when the line names none. */
  process: string | null;
  /** The process's executable, where PR-PIDS or PR-INITIAL gave it. */
  path: string | null;
  /** The user context the line names; null when unknown. */
  user: string | null;
  /** The TCP state, where the line gives it; null for UDP. */
  state: string | null;
  /** What happened to the socket; `seen` for the original's lines. */
  change: LogChangeKind;
  /** Raised a flag. */
  flagged: boolean;
  /** The file and line it came from. */
  source: string;
}

/** Everything `portset report` says about a log directory. */
export interface Report {
  /** {@linkcode REPORT_FORMAT}: which report this is, and its version. */
  format: typeof REPORT_FORMAT;
  /** The portset version that made the report. */
  portset: string;
  /** This machine, which made the report. */
  host: string;
  /** When the report was made, ISO 8601. */
  time: string;
  /** The log directory (or file) as named. */
  directory: string;
  /** Computer names the logs were written on. */
  computers: string[];
  /**
   * The UTC offsets the report's times carry: `stated` by the logs' headers, `assumed` (this
   * machine's, at each time) for logs that state none, the original Port Reporter's.
   */
  utcOffsets: { stated: string[]; assumed: string[] };
  /** Every log file found. */
  files: LogFileSummary[];
  /** From the first line or snapshot to the last; `seconds` is what the shares divide by. */
  window: { start: string | null; end: string | null; seconds: number };
  /** How `seconds` of use were reckoned; the original logs openings only, so its are upper bounds. */
  timeBasis: "open-to-close" | "upper-bound";
  /** Counts over every file read. */
  totals: {
    /** PR-PORTS change lines. */
    changes: number;
    /** Sockets in the start-up snapshots. */
    initialSockets: number;
    /** PR-PIDS process detail records. */
    pidsRecords: number;
    /** Lines no reader understood, over every file. */
    skippedLines: number;
    /** Files found that could not be read, or not to their end (see `files[].unread`). */
    unreadFiles: number;
  };
  /** Local ports, longest open first. */
  ports: PortUsage[];
  /** Processes, longest with a socket open first. */
  processes: ProcessUsage[];
  /** Remote addresses, most connections first. */
  remoteAddresses: RemoteAddressUsage[];
  /** User contexts, most changes and start-up sockets first. */
  users: UserUsage[];
  /** The 24 hours of the day, from 0. */
  hours: HourUsage[];
  /** Processes that host more than one service (or a shared one). */
  sharedProcesses: SharedProcess[];
  /** Alerts first, then warnings, then notes. */
  flags: Flag[];
  /** Flags past the cap for warnings and notes that were not kept (alerts always are). */
  flagsOmitted: number;
  /** How long each capped list was before it was cut. */
  counts: Record<
    "ports" | "processes" | "remoteAddresses" | "users" | "sharedProcesses" | "flags",
    ListCount
  >;
  /** Activity over the window, and the lanes of the longest listeners. */
  timeline: Timeline;
  /** The last changes, oldest first, and every flagged one, up to a cap. */
  changes: ChangeRow[];
  /** Changes not in `changes`. */
  changesOmitted: number;
  /** The first few lines that could not be read, as `file:line: why`. */
  problems: string[];
  /** Where the interests (ports, processes, directories …) came from: a file, or "defaults". */
  interests: string;
  /** The baseline new listeners were judged against: a file, or the first start-up snapshot. */
  baseline: string | null;
}
