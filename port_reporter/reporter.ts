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
 * A run outlives its logs' troubles: when a write, a rotation or the directory fails (a full disk,
 * the directory removed), the reporter says so once ({@linkcode PortReporterOptions.onFailure}),
 * counts the changes it could not log, and tries again at the next change: the same files while
 * they are still in place, else a new pair in the directory, made again (0700, checked) if it was
 * removed. When it can write again it says so, with the count
 * ({@linkcode PortReporterOptions.onRecovery}).
 *
 * @module
 */

import { basename } from "node:path";
import type { Snapshot } from "../model/endpoint.ts";
import { endpointsByOwner } from "../model/snapshot.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { AppendFile, encoder, ReporterError } from "./append_file.ts";
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
  /**
   * Told, once, that changes are no longer being logged and why (`cannot write …: No space left
   * on device`); a later failure is not told again until the reporter has recovered.
   */
  onFailure?: (message: string) => void;
  /** Told that the logs are being written again, and how many changes could not be logged. */
  onRecovery?: (message: string) => void;
}

/** The PR-PORTS / PR-PIDS files being written. */
interface LogPair {
  ports: AppendFile;
  pids: AppendFile;
}

/** Writes the Port Reporter logs of one run. */
export class PortReporter {
  /** Where the logs go. */
  readonly directory: string;
  #maxBytes: number;
  #now: () => Date;
  /** None while the logs cannot be written: the next change tries to start a pair. */
  #pair: LogPair | null = null;
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
  #onFailure: (message: string) => void;
  #onRecovery: (message: string) => void;
  /** Why the logs cannot be written now, or null while they can. */
  #failure: string | null = null;
  /** Changes not logged since {@linkcode #failure} began. */
  #unlogged = 0;
  /** Changes logged since the start: a PR-PORTS line and its PR-PIDS record each. */
  #logged = 0;
  /** Changes that could not be logged since the start. */
  #lost = 0;
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
    this.#onFailure = options.onFailure ?? (() => {});
    this.#onRecovery = options.onRecovery ?? (() => {});
  }

  /** Changes logged since the start: a PR-PORTS line and its PR-PIDS record each. */
  get changesLogged(): number {
    return this.#logged;
  }

  /** Changes that could not be logged since the start (a full disk, a removed directory). */
  get changesUnlogged(): number {
    return this.#lost;
  }

  /** Why changes are not being logged now, or null while they are. */
  get failure(): string | null {
    return this.#failure;
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

  /**
   * Logs one tick's changes: a PR-PORTS line and a PR-PIDS record each, then flushes both. Never
   * throws for the logs' sake: what cannot be written is counted and told (see the module's
   * notes), and the next call tries again.
   */
  record(changes: readonly SocketChange[], snapshot: Snapshot): void {
    if (changes.length === 0) return;
    const time = this.#now();
    const byPid = endpointsByOwner(snapshot.endpoints);
    let logged = 0;
    try {
      for (const [index, change] of changes.entries()) {
        // Whether the files are still in place is asked once a look, not once a change.
        const pair = this.#pairFor(time, index === 0);
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
        const portsSize = pair.ports.size;
        pair.ports.append(line);
        try {
          pair.pids.append(detail);
        } catch (error) {
          pair.ports.cut(portsSize); // no line without its record
          throw error;
        }
        this.#record = number;
        logged++;
      }
      this.#pair?.ports.flush();
      this.#pair?.pids.flush();
    } catch (error) {
      if (!(error instanceof ReporterError)) throw error;
      this.#logged += logged;
      this.#lost += changes.length - logged;
      this.#failed(error.message, changes.length - logged);
      return;
    }
    this.#logged += logged;
    this.#recovered();
  }

  /**
   * Ends the run: a stop record at the end of PR-PORTS and PR-PIDS (`reason`: what stopped it,
   * `SIGTERM` say), so that a report's window ends now rather than at the last change, then
   * closes both. A stop record that cannot be written is left out; the files are closed anyway.
   */
  stop(reason: string): void {
    if (this.#closed) return;
    const line = encoder.encode(formatStopLine(this.#now(), reason));
    for (const file of this.#pair === null ? [] : [this.#pair.ports, this.#pair.pids]) {
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
    this.#closePair();
  }

  /**
   * The pair the next record goes to: the current one unless it is time to rotate or (when
   * `checkPlace`) its files are gone (the directory removed), else a new one.
   */
  #pairFor(time: Date, checkPlace: boolean): LogPair {
    const pair = this.#pair;
    if (pair !== null && (!checkPlace || (pair.ports.inPlace() && pair.pids.inPlace()))) {
      if (!this.#needsRotation(pair, time)) return pair;
      pair.ports.flush();
      pair.pids.flush();
    }
    this.#closePair();
    return this.#openPair(time, this.#freeStamp(time, ["PR-PORTS", "PR-PIDS"]));
  }

  #needsRotation(pair: LogPair, time: Date): boolean {
    return localDateTime(time)[0] !== this.#date || pair.ports.size >= this.#maxBytes ||
      pair.pids.size >= this.#maxBytes;
  }

  /**
   * Starts a pair, making the directory again if it was removed; a file it made alone is undone.
   * A directory removed between being made and the files' creation (`rm -rf` running as the logs
   * rotate) is made once more.
   */
  #openPair(time: Date, stamp: string): LogPair {
    try {
      return this.#openPairOnce(time, stamp);
    } catch (error) {
      if (!(error instanceof ReporterError && error.cause instanceof Deno.errors.NotFound)) {
        throw error;
      }
      return this.#openPairOnce(time, stamp);
    }
  }

  #openPairOnce(time: Date, stamp: string): LogPair {
    makeLogDirectory(this.directory);
    const ports = `PR-PORTS-${stamp}.log`, pids = `PR-PIDS-${stamp}.log`;
    const portsFile = new AppendFile(`${this.directory}/${ports}`, formatPortsHeader(pids, time));
    let pidsFile: AppendFile;
    try {
      pidsFile = new AppendFile(
        `${this.directory}/${pids}`,
        formatPidsHeader(ports, { time, host: this.#host, operatingSystem: this.#operatingSystem }),
      );
    } catch (error) {
      portsFile.discard();
      throw error;
    }
    this.#pair = { ports: portsFile, pids: pidsFile };
    this.files.push(portsFile.path, pidsFile.path);
    this.#date = localDateTime(time)[0];
    this.#record = 0;
    this.#keepWithinRetention(time, new Set([this.#initial, ports, pids]));
    return this.#pair;
  }

  #closePair(): void {
    const pair = this.#pair;
    this.#pair = null;
    pair?.ports.close();
    pair?.pids.close();
  }

  #failed(message: string, unlogged: number): void {
    this.#unlogged += unlogged;
    if (this.#failure !== null) return;
    this.#failure = message;
    this.#onFailure(`${message}; changes are not being logged until it can write again`);
  }

  #recovered(): void {
    if (this.#failure === null) return;
    const count = this.#unlogged;
    this.#failure = null;
    this.#unlogged = 0;
    const pair = this.#pair!;
    this.#onRecovery(
      `logging again to ${pair.ports.path} and ${basename(pair.pids.path)}; ` +
        `${count} change${count === 1 ? "" : "s"} could not be logged meanwhile`,
    );
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
