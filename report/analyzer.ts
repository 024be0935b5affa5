/**
 * Turns the logs' records into a {@linkcode Report}, one record at a time, in time order: the
 * runs and the window they make, with the work shared out to the usage accounts
 * (report/usage.ts), the flags (report/flags.ts), the changes table (report/change_table.ts) and
 * the timeline (report/timeline.ts).
 *
 * A run is one start of the monitor: its start-up snapshot, then its changes, until its stop
 * record or its last record. Time in use is reckoned per run, from each socket's opening (or the
 * snapshot) to its close (or the run's end), and shares divide by the runs' total length, so the
 * hours the monitor was not running count neither way. A start-up snapshot counts as much as the
 * changes do: its sockets are in use from the start, its users ran their processes, and its
 * listeners are judged as new ones would be.
 *
 * @module
 */

import type { InitialSnapshot } from "../port_reporter/initial_log.ts";
import type { LogProtocol } from "../port_reporter/layout.ts";
import { formatLogTime } from "../port_reporter/log_time.ts";
import type { PortsRecord } from "../port_reporter/ports_log.ts";
import type { ProcessDetail } from "../port_reporter/process_block.ts";
import { VERSION } from "../version.ts";
import { ChangeTable, FLAGGED_ROWS_LIMIT } from "./change_table.ts";
import { detach } from "./detach.ts";
import { FLAG_LIMITS, FlagBook, FlagJudge } from "./flags.ts";
import type { Interests } from "./interests.ts";
import { type ListenerBaseline, recordKey } from "./listener_baseline.ts";
import { LogClock, withUtcOffsets } from "./log_clock.ts";
import { type Flag, type LogFileSummary, type Report, REPORT_FORMAT } from "./model.ts";
import { isListeningRecord, isOver, portNumber, transportOf } from "./record_facts.ts";
import { TimelineBuilder } from "./timeline.ts";
import { USAGE_LIMITS, UsageAccounts } from "./usage.ts";

/** How an analysis is set up. */
export interface AnalyzerOptions {
  /** What to flag: `defaultInterests()`, or an interests file's. */
  interests: Interests;
  /** Expected listeners; null: those of the first start-up snapshot. */
  baseline: ListenerBaseline | null;
  /** The service name of a port, from the system's services file. */
  serviceName?: (protocol: LogProtocol, port: number) => string | null;
  /** Rows kept for the changes table (the last ones). */
  changeRows?: number;
}

/** Report lists are cut to these lengths; the counts behind them are whole. */
export const LIMITS = {
  ...USAGE_LIMITS,
  flags: FLAG_LIMITS.others,
  flaggedRows: FLAGGED_ROWS_LIMIT,
  problems: 20,
  timelineLanes: 24,
  /** Module paths remembered as judged; past this, modules are judged every time. */
  judgedModules: 100000,
} as const;

/** Feeds on records in time order; {@linkcode finish} gives the report. */
export class LogAnalyzer {
  readonly #options: AnalyzerOptions;
  #runStart: number | null = null;
  #runLast = 0;
  #observed = 0;
  #windowStart: number | null = null;
  #windowEnd: number | null = null;
  #timeline = new TimelineBuilder<number>();
  #usage = new UsageAccounts((port, since, until) => this.#timeline.cover(port, since, until));
  #book = new FlagBook();
  #judge: FlagJudge;
  #table: ChangeTable;
  #changes = 0;
  #initialSockets = 0;
  #skipped = 0;
  #unreadFiles = 0;
  #problems: string[] = [];
  #hosts = new Set<string>();
  /** Processes whose path was already judged, so each is flagged once per path. */
  #judgedPaths = new Set<string>();
  /** Module paths already judged against the modules of interest. */
  #judgedModules = new Set<string>();

  /** An analysis with nothing read yet. */
  constructor(options: AnalyzerOptions) {
    this.#options = options;
    this.#judge = new FlagJudge(options.interests, options.baseline, this.#book);
    this.#table = new ChangeTable(options.changeRows ?? 2000);
  }

  /** A new start of the monitor, at `time`, with its snapshot when there is one. */
  beginRun(time: number, snapshot: InitialSnapshot | null, source: string): void {
    this.#endRun();
    this.#runStart = time;
    this.#runLast = time;
    this.#timeline.begin(time);
    this.#see(time);
    if (snapshot?.host) this.host(snapshot.host);
    if (!snapshot) return;
    for (const detail of snapshot.processes) this.processDetail(detail, time);
    // The first snapshot's listeners are the baseline when none was given: they are judged
    // against it only from the next run on. A given baseline judges every snapshot.
    const judgeListeners = this.#judge.baseline !== null;
    const listeners: string[] = [];
    for (const socket of snapshot.sockets) {
      const record: PortsRecord = { ...socket, time };
      this.#initialSockets++;
      const listening = isListeningRecord(record);
      if (listening) listeners.push(recordKey(record));
      const process = this.#usage.process(record);
      const remote = this.#usage.startupSocket(record, listening, process);
      if (remote !== null) this.#judge.remote(record, remote);
      const severity = this.#judge.record(
        record,
        listening,
        listening && judgeListeners,
        "start-up",
      );
      if (listening) this.#pinIfFlagged(record, severity);
    }
    this.#judge.adoptBaseline(listeners, source);
  }

  /** A process's detail from PR-PIDS or PR-INITIAL: its path, services and modules. */
  processDetail(detail: ProcessDetail, time: number | null): void {
    this.#usage.processDetail(detail);
    const when = time ?? this.#runLast;
    if (detail.path !== null) {
      const judged = `${detail.process}\0${detail.path}`;
      if (!this.#judgedPaths.has(judged)) {
        this.#judgedPaths.add(detach(judged));
        this.#judge.path(detail.process, detail.path, when);
      }
    }
    for (const module of detail.modules) {
      // PR-PIDS lists a process's modules again with each of its changes: judge each path once.
      // The executable is judged by its path above.
      if (this.#judgedModules.has(module) || module === detail.path) continue;
      if (this.#judgedModules.size < LIMITS.judgedModules) this.#judgedModules.add(detach(module));
      this.#judge.module(module, detail, when);
    }
  }

  /** One PR-PORTS line. */
  change(record: PortsRecord, source: string): void {
    const time = record.time;
    if (this.#runStart === null) this.beginRun(time, null, source);
    if (time > this.#runLast) this.#runLast = time;
    this.#see(time);
    this.#changes++;

    const listening = isListeningRecord(record);
    const process = this.#usage.process(record);
    this.#usage.socketChange(record, listening, process, isOver(record));
    const { remote, newListener } = this.#usage.count(record, listening, process);
    this.#timeline.count(time, record.change);
    if (remote !== null) this.#judge.remote(record, remote);
    const severity = this.#judge.record(record, listening, newListener, "change");
    if (listening) this.#pinIfFlagged(record, severity);
    this.#table.keep(record, process?.path ?? null, source, severity !== null);
  }

  /**
   * A listener that raised an alert or a warning gets its lane on the timeline, however short it
   * was. Notes do not: with no baseline given, every listener after the first snapshot is one.
   */
  #pinIfFlagged(record: PortsRecord, severity: Flag["severity"] | null): void {
    if (severity === "alert" || severity === "warning") {
      this.#timeline.pin(portNumber(record.protocol, record.localPort));
    }
  }

  /** The monitor's stop record: the run lasted until `time`, past its last record. */
  stopped(time: number): void {
    if (this.#runStart === null || time < this.#runLast) return;
    this.#runLast = time;
    this.#see(time);
  }

  /** A line no reader understood, or `lines` of them that `reason` covers together. */
  problem(file: string, line: number, reason: string, lines = 1): void {
    this.#skipped += lines;
    if (this.#problems.length < LIMITS.problems) this.#problems.push(`${file}:${line}: ${reason}`);
  }

  /** A file found that could not be read, or not to its end; `reason` says why. */
  unreadFile(file: string, reason: string): void {
    this.#unreadFiles++;
    if (this.#problems.length < LIMITS.problems) this.#problems.push(`${file}: ${reason}`);
  }

  /** A computer name read from a header. */
  host(name: string): void {
    if (!this.#hosts.has(name)) this.#hosts.add(detach(name));
  }

  /**
   * The report. Call once, after the last record. `clock` gives its times their UTC offsets
   * (report/log_clock.ts): by default, this machine's, assumed.
   */
  finish(
    facts: { directory: string; files: LogFileSummary[]; clock?: LogClock },
  ): Report {
    this.#endRun();
    const observed = this.#observed;
    const service = this.#options.serviceName ?? (() => null);
    const usage = this.#usage.lists(observed, service);
    const flags = this.#book.list();
    const changes = this.#table.rows();
    const timeline = this.#timeline.build(LIMITS.timelineLanes, this.#windowEnd, (key) => {
      const { protocol, port } = this.#usage.portOf(key);
      return { transport: transportOf(protocol), port, service: service(protocol, port) };
    });
    const anyOriginal = facts.files.some((file) => file.dialect === "port-reporter");
    const baseline = this.#judge.baseline;
    return withUtcOffsets({
      format: REPORT_FORMAT,
      portset: VERSION,
      host: Deno.hostname(),
      time: new Date().toISOString(),
      directory: facts.directory,
      computers: [...this.#hosts].sort(),
      // Filled by withUtcOffsets, which gives every time its offset.
      utcOffsets: { stated: [], assumed: [] },
      files: facts.files,
      window: {
        start: this.#windowStart === null ? null : formatLogTime(this.#windowStart),
        end: this.#windowEnd === null ? null : formatLogTime(this.#windowEnd),
        seconds: observed,
      },
      timeBasis: anyOriginal ? "upper-bound" : "open-to-close",
      totals: {
        changes: this.#changes,
        initialSockets: this.#initialSockets,
        pidsRecords: facts.files.reduce(
          (sum, file) => sum + (file.kind === "pids" ? file.records : 0),
          0,
        ),
        skippedLines: this.#skipped,
        unreadFiles: this.#unreadFiles,
      },
      ports: usage.ports,
      processes: usage.processes,
      remoteAddresses: usage.remoteAddresses,
      users: usage.users,
      hours: usage.hours,
      sharedProcesses: usage.sharedProcesses,
      flags,
      flagsOmitted: this.#book.omitted,
      counts: {
        ...usage.counts,
        flags: { total: flags.length + this.#book.omitted, exact: true },
      },
      timeline,
      changes,
      changesOmitted: this.#changes - changes.length,
      problems: [...this.#problems],
      interests: this.#options.interests.source,
      baseline: baseline?.source ?? null,
    }, facts.clock ?? new LogClock());
  }

  /** Closes every socket still open at the run's end, and adds the run's length. */
  #endRun(): void {
    if (this.#runStart === null) return;
    this.#usage.endRun(this.#runLast);
    this.#observed += this.#runLast - this.#runStart;
    this.#runStart = null;
  }

  #see(time: number): void {
    if (this.#windowStart === null || time < this.#windowStart) this.#windowStart = time;
    if (this.#windowEnd === null || time > this.#windowEnd) this.#windowEnd = time;
  }
}
