/**
 * Reads a directory of Port Reporter logs into a {@linkcode Report}: finds the PR-INITIAL,
 * PR-PORTS and PR-PIDS files, puts them in time order, groups them by start of the monitor (a
 * PR-INITIAL begins a run; the PR-PIDS and PR-PORTS files after it belong to it), and streams
 * each through its reader into one {@linkcode LogAnalyzer}. Progress is reported in bytes.
 *
 * @module
 */

import { basename, join } from "node:path";
import { type AnalyzerOptions, LogAnalyzer } from "./analyzer.ts";
import { InitialLogReader } from "./initial_log.ts";
import { readLines } from "./line_reader.ts";
import { type DateOrder, fileStampTime, parseLogDateTime } from "./log_time.ts";
import type { Dialect, LogFileSummary, Report } from "./model.ts";
import { PidsLogReader } from "./pids_log.ts";
import { PortsLogReader } from "./ports_log.ts";

/** How to read the logs. */
export interface ReadLogsOptions extends AnalyzerOptions {
  /** How the original's slashed dates are ordered (it writes year first). */
  dateOrder?: DateOrder;
  /** Called as bytes are read: bytes so far, bytes in all, the file being read. */
  onProgress?: (done: number, total: number, file: string) => void;
}

/** The logs could not be read at all (no such directory, no logs in it). */
export class LogDirectoryError extends Error {
  override name = "LogDirectoryError";
}

type Kind = LogFileSummary["kind"];

interface LogFile {
  path: string;
  name: string;
  kind: Kind;
  bytes: number;
  /** Wall-clock time the file starts at, for ordering; null when nothing says. */
  start: number | null;
}

const LOG_NAME = /^PR-(INITIAL|PORTS|PIDS)-.*\.log$/i;
const KIND_ORDER: Record<Kind, number> = { initial: 0, pids: 1, ports: 2 };

/** Reads every log in `directory` (or the one log file `directory` names). */
export async function readLogDirectory(
  directory: string,
  options: ReadLogsOptions,
): Promise<Report> {
  const files = await findLogs(directory);
  const dateOrder = options.dateOrder ?? "ymd";
  for (const file of files) file.start = await firstTime(file, dateOrder);
  files.sort((a, b) =>
    (a.start ?? Infinity) - (b.start ?? Infinity) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );

  // Runs: a PR-INITIAL and the files after it, up to the next PR-INITIAL.
  const runs: { initial: LogFile | null; pids: LogFile[]; ports: LogFile[] }[] = [];
  for (const file of files) {
    if (file.kind === "initial" || runs.length === 0) {
      runs.push({ initial: null, pids: [], ports: [] });
    }
    const run = runs.at(-1)!;
    if (file.kind === "initial") run.initial = file;
    else run[file.kind].push(file);
  }

  const analyzer = new LogAnalyzer(options);
  const total = files.reduce((sum, file) => sum + file.bytes, 0);
  let done = 0;
  const summaries: LogFileSummary[] = [];
  const read = async (file: LogFile, onLine: (line: string, number: number) => void) => {
    const before = done;
    options.onProgress?.(done, total, file.name);
    await readLines(file.path, onLine, (bytes) => {
      done = before + bytes;
      options.onProgress?.(done, total, file.name);
    });
    done = before + file.bytes;
  };

  for (const run of runs) {
    if (run.initial) {
      const file = run.initial;
      const reader = new InitialLogReader();
      let dialect: Dialect = "port-reporter";
      await read(file, (line, number) => {
        if (number === 1 && /^\s*portset /.test(line)) dialect = "portset";
        reader.push(line, number);
      });
      const snapshot = reader.finish();
      summaries.push(summary(file, dialect, snapshot.sockets.length, 0));
      const time = file.start ?? run.ports[0]?.start ?? run.pids[0]?.start ?? null;
      if (time !== null) analyzer.beginRun(time, snapshot, file.name);
      else {
        analyzer.problem(file.name, 1, "no date to place this start-up snapshot in time");
        if (snapshot.host) analyzer.host(snapshot.host);
      }
    }
    for (const file of run.pids) {
      let dialect: Dialect = "port-reporter";
      const reader = new PidsLogReader(
        (record) => analyzer.processDetail(record.detail, record.time),
        dateOrder,
      );
      await read(file, (line, number) => {
        if (number === 1 && /^\s*portset /.test(line)) dialect = "portset";
        reader.push(line);
      });
      reader.finish();
      summaries.push(summary(file, dialect, reader.records, 0));
    }
    for (const file of run.ports) {
      let records = 0, skipped = 0;
      const reader = new PortsLogReader(
        (record) => {
          records++;
          analyzer.change(record, file.name);
        },
        (problem) => {
          skipped++;
          analyzer.problem(file.name, problem.line, problem.reason);
        },
        dateOrder,
      );
      await read(file, (line, number) => {
        if (number <= 2) {
          const host = /^portset .* on (.+)$/.exec(line);
          if (host) analyzer.host(host[1]);
        }
        reader.push(line, number);
      });
      reader.finish();
      summaries.push(summary(file, reader.dialect ?? "port-reporter", records, skipped));
    }
  }
  return analyzer.finish({ directory, files: summaries });
}

function summary(
  file: LogFile,
  dialect: Dialect,
  records: number,
  skipped: number,
): LogFileSummary {
  return { name: file.name, kind: file.kind, dialect, bytes: file.bytes, records, skipped };
}

/** The log files in `directory`, or `directory` itself when it is one log file. */
async function findLogs(directory: string): Promise<LogFile[]> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(directory);
  } catch (error) {
    throw new LogDirectoryError(`cannot read ${directory}: ${(error as Error).message}`);
  }
  const candidates: { path: string; name: string }[] = [];
  if (info.isFile) candidates.push({ path: directory, name: basename(directory) });
  else {
    try {
      for await (const entry of Deno.readDir(directory)) {
        if (entry.isFile) candidates.push({ path: join(directory, entry.name), name: entry.name });
      }
    } catch (error) {
      throw new LogDirectoryError(`cannot list ${directory}: ${(error as Error).message}`);
    }
  }
  const files: LogFile[] = [];
  for (const { path, name } of candidates) {
    const match = LOG_NAME.exec(name);
    if (!match) continue;
    const bytes = info.isFile ? info.size : (await Deno.stat(path)).size;
    files.push({
      path,
      name,
      kind: match[1].toLowerCase() as Kind,
      bytes,
      start: null,
    });
  }
  if (files.length === 0) {
    throw new LogDirectoryError(
      `no Port Reporter logs (PR-INITIAL-*.log, PR-PORTS-*.log, PR-PIDS-*.log) in ${directory}`,
    );
  }
  return files;
}

/**
 * When a file starts: portset's name carries a `YYYYMMDD-HHMMSS` stamp; otherwise the first
 * record's date and time (the first 64 KiB are enough), or a PR-INITIAL's `System Date:` line.
 */
async function firstTime(file: LogFile, dateOrder: DateOrder): Promise<number | null> {
  const stamped = fileStampTime(file.name);
  if (stamped !== null) return stamped;
  let head: string;
  try {
    using handle = await Deno.open(file.path);
    const buffer = new Uint8Array(64 * 1024);
    const count = (await handle.read(buffer)) ?? 0;
    head = new TextDecoder().decode(buffer.subarray(0, count)).replaceAll("\0", "");
  } catch {
    return null;
  }
  const pattern = file.kind === "initial"
    ? /System Date:\D*?(\d{1,4}[/-]\d{1,2}[/-]\d{1,4})\D+?(\d{1,2}:\d{1,2}(?::\d{1,2})?)/
    : file.kind === "ports"
    ? /^\s*(\d{1,4}[/-]\d{1,2}[/-]\d{1,4}),(\d{1,2}:\d{1,2}(?::\d{1,2})?),/m
    : /(\d{1,4}[/-]\d{1,2}[/-]\d{1,4})[\s,]+(\d{1,2}:\d{1,2}(?::\d{1,2})?)/;
  const match = pattern.exec(head);
  return match ? parseLogDateTime(match[1], match[2], dateOrder) : null;
}
