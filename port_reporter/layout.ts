/**
 * The words of the Port Reporter format that its writers and readers share, laid out as the
 * original Port Reporter 1.01 writes them: the titles of the three logs, the rule between
 * PR-PIDS records and their `Log number` / `Log entry below recorded at` lines, the start-up
 * table's title, the PR-PORTS field list, and the change kinds a PR-PORTS line may carry.
 *
 * portset writes the same layout with its additions, each of which the original's readers would
 * pass over: a `Times:` header line saying its dates are ISO 8601, four fields after the
 * original's ten (state, change, record number, network namespace), a line in each PR-PIDS
 * record's head saying how many lines follow in the record (and a `Network namespace:` line for
 * a socket of another namespace than the monitor's), a `Namespace` column at the end of a port
 * table holding such a socket (port_table.ts), and a stop line when the monitor stops.
 *
 * @module
 */

import { SOCKET_CHANGE_KINDS, type SocketChangeKind } from "../model/socket_change.ts";

/**
 * A PR-PORTS line's change: the socket change portset logged, or `seen` for a line of the
 * original's, which names none.
 */
export type LogChangeKind = SocketChangeKind | "seen";

/** Every log change kind, in the order a socket's life goes through them (charts stack them so). */
export const LOG_CHANGE_KINDS: readonly LogChangeKind[] = [...SOCKET_CHANGE_KINDS, "seen"];

/** A PR-PORTS or port table protocol as Port Reporter writes it; the family is told apart. */
export type LogProtocol = "TCP" | "UDP";

/** Which program wrote a log: portset, or the original Port Reporter (1.01). */
export type Dialect = "portset" | "port-reporter";

/** A line a reader could not read as part of its log; `reason` says why. */
export interface LogProblem {
  /** The line's number in its file, from 1. */
  line: number;
  /** Why it was not read, in words for the report: `not a line of a start-up snapshot`. */
  reason: string;
}

/** The original's ten PR-PORTS fields, in order. */
export const ORIGINAL_FIELDS: readonly string[] = [
  "date",
  "time",
  "protocol",
  "local port",
  "local IP address",
  "remote port",
  "remote IP address",
  "PID",
  "module",
  "user context",
];

/**
 * The fields portset writes after the original's ten. `namespace`, the socket's network
 * namespace (empty for the monitor's own, the host's), came later: logs written before it have
 * thirteen fields, and are read as all of the host's.
 */
const PORTSET_FIELDS: readonly string[] = ["state", "change", "record", "namespace"];

/** The PR-PORTS field list as portset writes it, on one line: the original's fields, then its own. */
export const PORTS_FIELDS: string = [...ORIGINAL_FIELDS, ...PORTSET_FIELDS].join(",");

/** The line before the field list in PR-PORTS's header. */
export const LOG_FORMAT = "Log format:";

/** The rule of `=` around each PR-PIDS record's number, and between PR-INITIAL's processes. */
export const RULE: string = "=".repeat(54);

/** Each log's title line ends so; portset's starts `portset <version>`, the original's so. */
export const TITLE = "Log File";
/** What each log is, on PR-PORTS's title line or on a line of its own after the title. */
export const LOG_NAMES = {
  initial: "Service initialization log",
  ports: "Port usage log",
  pids: "Process detail log",
} as const;

/** The header's labels; a value follows on the same line or on the next line that is not blank. */
export const LABELS = {
  systemDate: "System Date",
  host: "Local computer name",
  operatingSystem: "Operating System",
  /** portset's: how its log entries' dates and times read. */
  times: "Times",
} as const;

/** PR-INITIAL's table of the sockets open when the monitor started. */
export const STARTUP_TABLE = "TCP/UDP Port to Process Mappings at service start-up";

/** PR-PIDS: a record's number (its PR-PORTS line's, counted from 1 in each file). */
export const LOG_NUMBER = "Log number";
/** PR-PIDS: when a record was logged, `<date>,<time>` as in its PR-PORTS line. */
export const RECORDED_AT = "Log entry below recorded at";
/**
 * PR-PIDS, portset's: how many lines of the record follow this one. A record's process name,
 * path and modules are chosen by whoever runs the process; the reader takes that many lines as
 * the record whatever they say, so no line in them can start a record of its own.
 */
export const RECORD_LINES = "Lines below in this record";

/**
 * portset's stop record, the last line of PR-PORTS and PR-PIDS when the monitor stops:
 * `Service stopped at: 2026-11-22,10:00:05 (SIGTERM)`. A log with none (the original writes none,
 * and a killed monitor cannot) ends at its last record.
 */
export const STOPPED_AT = "Service stopped at";

/** PR-PIDS, portset's: the network namespace of a record's socket, when not the monitor's. */
export const NETWORK_NAMESPACE = "Network namespace";
