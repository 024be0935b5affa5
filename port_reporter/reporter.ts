/**
 * The Port Reporter service's logs in a directory of their own (created 0700), in the original's
 * layout: per start a PR-INITIAL snapshot, then a PR-PORTS line and a PR-PIDS record per change.
 * PR-PORTS and PR-PIDS are started anew, together, at local midnight and when either passes the
 * size limit, always between records.
 *
 * Past the retention limits (total size, age), the oldest sets of logs are removed as new files
 * are started (see retention.ts).
 *
 * When the monitor stops it says so in both files (a stop record), so a report knows the run went
 * on past its last change.
 *
 * What is logged stays logged: each record is written whole, the files are flushed to disk at
 * the end of every tick, and a write that fails (a full disk) is cut back to where the record
 * began, so a kill, a crash or a full disk never leaves half a record.
 *
 * @module
 */

import { basename } from "node:path";
import type { Snapshot } from "../model/endpoint.ts";
import { endpointsByOwner } from "../model/snapshot.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { AppendFile, encoder } from "./append_file.ts";
import { formatInitialLog } from "./initial_log.ts";
import { makeLogDirectory } from "./log_directory.ts";
import { localDateTime, logFileStamp } from "./log_time.ts";
import { formatPidsHeader, formatPidsRecord } from "./pids_log.ts";
import { formatPortsHeader, formatPortsLine, formatStopLine } from "./ports_log.ts";
import { applyRetention, type Retention } from "./retention.ts";

/** Port Reporter's size limit. */
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

/** How the reporter writes. */
export interface PortReporterOptions {
  /**
   * Where the logs go; created (0700) when missing, refused when another user could change it
   * (see log_directory.ts).
   */
  directory: string;
  /** Start new files when PR-PORTS or PR-PIDS reaches this size. */
  maxBytes?: number;
  /** The clock; tests move it past midnight. */
  now?: () => Date;
  /** For PR-INITIAL's and PR-PIDS's headers. */
  operatingSystem: string;
  /**
   * How much of the directory to keep, checked when the run starts and whenever new files are
   * started; no limit when absent.
   */
  retention?: Retention;
  /** Told the names of the files retention removed, oldest first. */
  onRemoved?: (names: string[]) => void;
}

/** Writes the Port Reporter logs of one run. */
export class PortReporter {
  /** Where the logs go. */
  readonly directory: string;
  #maxBytes: number;
  #now: () => Date;
  #ports!: AppendFile;
  #pids!: AppendFile;
  /** The local date the current pair was started on, for the midnight rotation. */
  #date = "";
  #record = 0;
  #closed = false;
  /** The last stamp this run gave its files, so that none is given twice. */
  #lastStamp = { base: "", n: 0 };
  #host = "";
  #operatingSystem: string;
  #retention: Retention | null;
  #onRemoved: (names: string[]) => void;
  /** This run's PR-INITIAL, which retention keeps while the run goes on. */
  #initial = "";
  /** Every file this run has written, in order. */
  readonly files: string[] = [];

  private constructor(options: PortReporterOptions) {
    this.directory = options.directory;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#now = options.now ?? (() => new Date());
    this.#operatingSystem = options.operatingSystem;
    this.#retention = options.retention ?? null;
    this.#onRemoved = options.onRemoved ?? (() => {});
  }

  /**
   * Creates the directory (0700) if need be, or refuses one that others could change, writes
   * PR-INITIAL from the first snapshot, and opens the first PR-PORTS / PR-PIDS pair.
   */
  static start(options: PortReporterOptions, snapshot: Snapshot): PortReporter {
    const reporter = new PortReporter(options);
    reporter.#host = snapshot.host;
    makeLogDirectory(options.directory);
    const time = reporter.#now();
    const stamp = reporter.#freeStamp(time, ["PR-INITIAL", "PR-PORTS", "PR-PIDS"]);
    const initial = `${options.directory}/PR-INITIAL-${stamp}.log`;
    const file = new AppendFile(
      initial,
      formatInitialLog(snapshot, { time, operatingSystem: options.operatingSystem }),
    );
    file.flush();
    file.close();
    reporter.files.push(initial);
    reporter.#initial = basename(initial);
    reporter.#openPair(time, stamp);
    return reporter;
  }

  /** Logs one tick's changes: a PR-PORTS line and a PR-PIDS record each, then flushes both. */
  record(changes: readonly SocketChange[], snapshot: Snapshot): void {
    if (changes.length === 0) return;
    const time = this.#now();
    const byPid = endpointsByOwner(snapshot.endpoints);
    try {
      for (const change of changes) {
        if (this.#needsRotation(time)) this.#rotate(time);
        const number = this.#record + 1;
        const pid = change.endpoint.pid;
        const line = encoder.encode(formatPortsLine(time, change, number));
        const detail = encoder.encode(formatPidsRecord(
          time,
          change,
          number,
          pid === null ? undefined : snapshot.processes.get(pid),
          pid === null ? [] : byPid.get(pid) ?? [],
        ));
        const portsSize = this.#ports.size;
        this.#ports.append(line);
        try {
          this.#pids.append(detail);
        } catch (error) {
          this.#ports.cut(portsSize); // no line without its record
          throw error;
        }
        this.#record = number;
      }
    } finally {
      this.#ports.flush();
      this.#pids.flush();
    }
  }

  /**
   * Ends the run: a stop record at the end of PR-PORTS and PR-PIDS (`reason`: what stopped it,
   * `SIGTERM` say), so that a report's window ends now rather than at the last change, then
   * closes both. A stop record that cannot be written is left out; the files are closed anyway.
   */
  stop(reason: string): void {
    if (this.#closed) return;
    const line = encoder.encode(formatStopLine(this.#now(), reason));
    for (const file of [this.#ports, this.#pids]) {
      try {
        file.append(line);
        file.flush();
      } catch {
        // A full disk: the logs end at their last record, as a killed monitor's do.
      }
    }
    this.close();
  }

  /** Closes the files without a stop record (a run cut short, or a test's); once is enough. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ports.close();
    this.#pids.close();
  }

  #needsRotation(time: Date): boolean {
    return localDateTime(time)[0] !== this.#date || this.#ports.size >= this.#maxBytes ||
      this.#pids.size >= this.#maxBytes;
  }

  #rotate(time: Date): void {
    this.#ports.flush();
    this.#pids.flush();
    this.#ports.close();
    this.#pids.close();
    this.#openPair(time, this.#freeStamp(time, ["PR-PORTS", "PR-PIDS"]));
  }

  #openPair(time: Date, stamp: string): void {
    const ports = `PR-PORTS-${stamp}.log`, pids = `PR-PIDS-${stamp}.log`;
    this.#ports = new AppendFile(`${this.directory}/${ports}`, formatPortsHeader(pids, time));
    this.#pids = new AppendFile(
      `${this.directory}/${pids}`,
      formatPidsHeader(ports, { time, host: this.#host, operatingSystem: this.#operatingSystem }),
    );
    this.files.push(this.#ports.path, this.#pids.path);
    this.#date = localDateTime(time)[0];
    this.#record = 0;
    this.#keepWithinRetention(time, new Set([this.#initial, ports, pids]));
  }

  /** Removes the oldest sets of logs past the retention limits, never `open` files. */
  #keepWithinRetention(time: Date, open: ReadonlySet<string>): void {
    if (this.#retention === null) return;
    let removed: string[];
    try {
      removed = applyRetention(this.directory, this.#retention, open, time);
    } catch {
      return; // the directory cannot be listed: logging goes on, and so does the next try
    }
    if (removed.length > 0) this.#onRemoved(removed);
  }

  /**
   * `YYYYMMDD-HHMMSS` of `time`, with `-2`, `-3` … when files of that name exist already or this
   * run used it: a name retention freed is not given to newer files, which would then sort first.
   */
  #freeStamp(time: Date, prefixes: string[]): string {
    const base = logFileStamp(time);
    const first = base === this.#lastStamp.base ? this.#lastStamp.n + 1 : 1;
    for (let n = first;; n++) {
      const stamp = n === 1 ? base : `${base}-${n}`;
      if (prefixes.every((prefix) => !exists(`${this.directory}/${prefix}-${stamp}.log`))) {
        this.#lastStamp = { base, n };
        return stamp;
      }
    }
  }
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
