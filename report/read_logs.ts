/**
 * Reads a directory of Port Reporter logs into a {@linkcode Report}: the logs found and grouped by
 * run (port_reporter/log_files.ts), each streamed through its reader into one
 * {@linkcode LogAnalyzer}. Progress is reported in bytes.
 *
 * The logs may change as they are read (a monitor rotating, its retention removing old files): a
 * file that is gone before or while it is read is counted and named, what was read of it kept,
 * and the report goes on. A file named like a log in which no reader found a header or a record
 * (random bytes, another program's file) has all its lines counted as unreadable.
 *
 * @module
 */

import { type AnalyzerOptions, LogAnalyzer } from "./analyzer.ts";
import { InitialLogReader } from "../port_reporter/initial_log.ts";
import { readLines } from "../port_reporter/line_reader.ts";
import { findLogRuns, type LogFile } from "../port_reporter/log_files.ts";
import type { DateOrder } from "../port_reporter/log_time.ts";
import { LogClock, parseOffset } from "./log_clock.ts";
import { formatOffset } from "../port_reporter/log_time.ts";
import type { LogFileSummary, Report } from "./model.ts";
import type { HeaderFacts } from "../port_reporter/header.ts";
import type { LogProblem } from "../port_reporter/layout.ts";
import { PidsLogReader } from "../port_reporter/pids_log.ts";
import { PortsLogReader } from "../port_reporter/ports_log.ts";

/** How to read the logs. */
export interface ReadLogsOptions extends AnalyzerOptions {
  /** How the original's slashed dates are ordered (it writes year first). */
  dateOrder?: DateOrder;
  /** Called as bytes are read: bytes so far, bytes in all, the file being read. */
  onProgress?: (done: number, total: number, file: string) => void;
}

/** Reads every log in `directory` (or the one log file `directory` names). */
export async function readLogDirectory(
  directory: string,
  options: ReadLogsOptions,
): Promise<Report> {
  return (await readLogs(directory, directory, options)).report;
}

/**
 * Reads the logs of one host kept in several directories as one set of logs, in time order. A
 * file whose name is in two of them is one log copied: its larger copy is read, and `duplicates`
 * names the others. The report's `directory` is the directories joined by `, `.
 */
export function readLogDirectories(
  directories: readonly string[],
  options: ReadLogsOptions,
): Promise<{ report: Report; duplicates: string[] }> {
  return readLogs(directories, directories.join(", "), options);
}

async function readLogs(
  source: string | readonly string[],
  directory: string,
  options: ReadLogsOptions,
): Promise<{ report: Report; duplicates: string[] }> {
  const dateOrder = options.dateOrder ?? "ymd";
  const { files, runs, gone, duplicates } = await findLogRuns(source, dateOrder);

  const analyzer = new LogAnalyzer(options);
  for (const name of gone) analyzer.unreadFile(name, "removed before it could be read");
  const total = files.reduce((sum, file) => sum + file.bytes, 0);
  let done = 0;
  const summaries: LogFileSummary[] = [];
  /** Why each file read could not be read to its end. */
  const unread = new Map<string, string>();
  /** Lines that are not blank in the file just read. */
  let written = 0;
  const read = async (file: LogFile, onLine: (line: string, number: number) => void) => {
    const before = done;
    written = 0;
    options.onProgress?.(done, total, file.name);
    if (file.refused !== undefined) {
      unread.set(file.name, file.refused);
      analyzer.unreadFile(file.name, file.refused);
      return;
    }
    try {
      await readLines(file.path, (line, number) => {
        if (line.trim() !== "") written++;
        onLine(line, number);
      }, (bytes) => {
        done = before + bytes;
        options.onProgress?.(done, total, file.name);
      });
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound
        ? "removed before it could be read"
        : `could not be read to its end: ${(error as Error).message}`;
      unread.set(file.name, reason);
      analyzer.unreadFile(file.name, reason);
    }
    done = before + file.bytes;
  };
  /** A file in which its reader found nothing of a log: every line it has is unreadable. */
  const notALog = (file: LogFile, problems: { count: number }) => {
    const lines = written - problems.count;
    if (unread.has(file.name) || lines <= 0) return;
    problems.count += lines;
    analyzer.problem(
      file.name,
      1,
      `not a Port Reporter log: no header and no record in its ${lines} lines`,
      lines,
    );
  };

  for (const run of runs) {
    // When the monitor said it stopped; a run with no stop record ends at its last record.
    let stopped: number | null = null;
    if (run.initial) {
      const file = run.initial;
      const problems = counter(analyzer, file);
      const reader = new InitialLogReader(problems.add, dateOrder);
      await read(file, (line, number) => reader.push(line, number));
      const snapshot = reader.finish();
      if (snapshot.dialect === null && !snapshot.sockets.length && !snapshot.processes.length) {
        notALog(file, problems);
      }
      summaries.push(summary(file, snapshot, snapshot.sockets.length, problems.count, unread));
      // The run starts when the service did, whatever its first change's time.
      const time = snapshot.systemTime ?? file.start ?? run.ports[0]?.start ??
        run.pids[0]?.start ?? null;
      if (time !== null) analyzer.beginRun(time, snapshot, file.name);
      else {
        analyzer.problem(file.name, 1, "no date to place this start-up snapshot in time");
        if (snapshot.host) analyzer.host(snapshot.host);
      }
    }
    for (const file of run.pids) {
      const problems = counter(analyzer, file);
      const reader = new PidsLogReader(
        (record) => {
          if (record.detail) analyzer.processDetail(record.detail, record.time);
        },
        problems.add,
        dateOrder,
      );
      await read(file, (line, number) => reader.push(line, number));
      reader.finish();
      if (reader.header.dialect === null && reader.records === 0 && reader.stopped === null) {
        notALog(file, problems);
      }
      stopped = latest(stopped, reader.stopped);
      if (reader.header.host) analyzer.host(reader.header.host);
      summaries.push(summary(file, reader.header, reader.records, problems.count, unread));
    }
    for (const file of run.ports) {
      let records = 0;
      const problems = counter(analyzer, file);
      const reader = new PortsLogReader(
        (record) => {
          records++;
          analyzer.change(record, file.name);
        },
        problems.add,
        dateOrder,
      );
      await read(file, (line, number) => reader.push(line, number));
      reader.finish();
      if (reader.dialect === null && records === 0 && reader.stopped === null) {
        notALog(file, problems);
      }
      stopped = latest(stopped, reader.stopped);
      summaries.push(
        summary(
          file,
          { dialect: reader.dialect, utcOffset: reader.utcOffset },
          records,
          problems.count,
          unread,
        ),
      );
    }
    if (stopped !== null) analyzer.stopped(stopped);
  }
  // Each file's times take the offset its header states (report/log_clock.ts).
  const offsets = new Map(summaries.map((file) => [file.name, file.utcOffset]));
  const clock = new LogClock(
    files.map((file) => ({ start: file.start, utcOffset: parseOffset(offsets.get(file.name)) })),
  );
  return { report: analyzer.finish({ directory, files: summaries, clock }), duplicates };
}

/** The later of two times, either of which may be missing. */
function latest(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}

/** Counts a file's unreadable lines, and hands each to the analyzer to quote. */
function counter(analyzer: LogAnalyzer, file: LogFile) {
  const problems = {
    count: 0,
    add: (problem: LogProblem) => {
      problems.count++;
      analyzer.problem(file.name, problem.line, problem.reason);
    },
  };
  return problems;
}

/** A file's summary; `header` says its dialect, and the computer and system when it names them. */
function summary(
  file: LogFile,
  header: Partial<Pick<HeaderFacts, "dialect" | "host" | "operatingSystem" | "utcOffset">>,
  records: number,
  skipped: number,
  unread: ReadonlyMap<string, string>,
): LogFileSummary {
  return {
    name: file.name,
    kind: file.kind,
    dialect: header.dialect ?? "port-reporter",
    bytes: file.bytes,
    records,
    skipped,
    ...(header.host ? { computer: header.host } : {}),
    ...(header.operatingSystem ? { operatingSystem: header.operatingSystem } : {}),
    utcOffset: header.utcOffset == null ? null : formatOffset(header.utcOffset),
    ...(unread.has(file.name) ? { unread: unread.get(file.name) } : {}),
  };
}
