/**
 * Finding a directory's Port Reporter logs and putting them in order: the PR-INITIAL, PR-PORTS
 * and PR-PIDS files, each placed in time by its name's stamp or its first record, and grouped by
 * start of the monitor (a PR-INITIAL begins a run; the PR-PIDS and PR-PORTS files after it belong
 * to it).
 *
 * @module
 */

import { basename, join } from "node:path";
import { type DateOrder, fileStampTime, parseLogDateTime, parseSystemDate } from "./log_time.ts";

/** The logs could not be read at all (no such directory, no logs in it). */
export class LogDirectoryError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "LogDirectoryError";
}

/** Which of the three logs a file is. */
export type LogKind = "initial" | "ports" | "pids";

/** One log file found. */
export interface LogFile {
  /** Where it is: the directory's path joined with its name. */
  path: string;
  /** The file's name: `PR-PORTS-20261122-235900.log`. */
  name: string;
  /** Which log it is, from its name. */
  kind: LogKind;
  /** Its size when found. */
  bytes: number;
  /** Wall-clock time the file starts at, for ordering; null when nothing says. */
  start: number | null;
  /** Why it is not to be read, when it is a link portset will not follow; absent otherwise. */
  refused?: string;
}

/** One start of the monitor: its PR-INITIAL (when there is one) and the files after it. */
export interface LogRun {
  /** Its PR-INITIAL; null for files before the first one (retention may have removed it). */
  initial: LogFile | null;
  /** The run's PR-PIDS files, in time order. */
  pids: LogFile[];
  /** The run's PR-PORTS files, in time order. */
  ports: LogFile[];
}

// `s`: a name holding U+2028 is a log's name too, not passed over without a word.
const LOG_NAME = /^PR-(INITIAL|PORTS|PIDS)-.*\.log$/is;

/** Whether a file's name is a Port Reporter log's: `PR-INITIAL-*.log`, `PR-PORTS-*.log`, `PR-PIDS-*.log`. */
export function isLogFileName(name: string): boolean {
  return LOG_NAME.test(name);
}
const KIND_ORDER: Record<LogKind, number> = { initial: 0, pids: 1, ports: 2 };

/**
 * The logs in `directory` (or the one log file `directory` names), in time order and grouped by
 * run. Several directories (one host's logs kept in two places) are read as one: a file whose
 * name is in two of them is one log copied, and only its larger copy is read (`duplicates`
 * names the other).
 */
export async function findLogRuns(
  directory: string | readonly string[],
  dateOrder: DateOrder,
): Promise<{ files: LogFile[]; runs: LogRun[]; gone: string[]; duplicates: string[] }> {
  const { files, gone, duplicates } = typeof directory === "string"
    ? { ...await findLogs(directory), duplicates: [] }
    : await findLogsIn(directory);
  for (const file of files) file.start = await firstTime(file, dateOrder);
  files.sort((a, b) =>
    (a.start ?? Infinity) - (b.start ?? Infinity) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    sequence(a.name) - sequence(b.name) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
  const runs: LogRun[] = [];
  for (const file of files) {
    if (file.kind === "initial" || runs.length === 0) {
      runs.push({ initial: null, pids: [], ports: [] });
    }
    const run = runs.at(-1)!;
    if (file.kind === "initial") run.initial = file;
    else run[file.kind].push(file);
  }
  return { files, runs, gone, duplicates };
}

/** The logs of several directories; of files of the same name, the largest. */
async function findLogsIn(
  directories: readonly string[],
): Promise<{ files: LogFile[]; gone: string[]; duplicates: string[] }> {
  const byName = new Map<string, LogFile>();
  const gone: string[] = [];
  const duplicates: string[] = [];
  for (const directory of directories) {
    const found = await findLogs(directory);
    gone.push(...found.gone);
    for (const file of found.files) {
      const known = byName.get(file.name);
      if (known && known.bytes >= file.bytes) duplicates.push(file.path);
      else {
        if (known) duplicates.push(known.path);
        byName.set(file.name, file);
      }
    }
  }
  return { files: [...byName.values()], gone, duplicates };
}

/**
 * Which of the files portset started within one second a name is: `…-HHMMSS.log` is the first,
 * `…-HHMMSS-2.log` the second, and `-10` comes after `-9`.
 */
function sequence(name: string): number {
  return Number(/\d{8}-\d{6}-(\d+)\.log$/i.exec(name)?.[1] ?? 1);
}

/**
 * The log files in `directory`, or `directory` itself when it is one log file; `gone` names those
 * listed but removed before they could be looked at (a monitor's retention, a rotation).
 */
async function findLogs(directory: string): Promise<{ files: LogFile[]; gone: string[] }> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(directory);
  } catch (error) {
    throw new LogDirectoryError(`cannot read ${directory}: ${(error as Error).message}`);
  }
  const candidates: { path: string; name: string; link: boolean }[] = [];
  if (info.isFile) candidates.push({ path: directory, name: basename(directory), link: false });
  else {
    try {
      for await (const entry of Deno.readDir(directory)) {
        // A symbolic link is followed to what it names (below): a log kept elsewhere and linked
        // in is as much the directory's as a file in it.
        if (entry.isFile || entry.isSymlink) {
          candidates.push({
            path: join(directory, entry.name),
            name: entry.name,
            link: entry.isSymlink,
          });
        }
      }
    } catch (error) {
      throw new LogDirectoryError(`cannot list ${directory}: ${(error as Error).message}`);
    }
  }
  const files: LogFile[] = [];
  const gone: string[] = [];
  for (const { path, name, link } of candidates) {
    const match = LOG_NAME.exec(name);
    if (!match) continue;
    let bytes = info.size;
    let refused: string | undefined;
    if (!info.isFile) {
      try {
        const target = await Deno.stat(path);
        // A link to a directory, a FIFO or a device is not a log (a FIFO would hang the read).
        if (!target.isFile) continue;
        bytes = target.size;
        if (link) refused = linkRefusal(path, await Deno.lstat(path), target);
        if (refused !== undefined) bytes = 0;
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) {
          gone.push(name);
          continue;
        }
        // A link that cannot be followed (a loop, a denial): reading it says why.
        bytes = 0;
      }
    }
    files.push({
      path,
      name,
      kind: match[1].toLowerCase() as LogKind,
      bytes,
      start: null,
      ...(refused === undefined ? {} : { refused }),
    });
  }
  if (files.length === 0) {
    throw new LogDirectoryError(
      `no Port Reporter logs (PR-INITIAL-*.log, PR-PORTS-*.log, PR-PIDS-*.log) in ${directory}` +
        (gone.length > 0 ? ` (${gone.length} removed while they were listed)` : ""),
    );
  }
  return { files, gone };
}

/**
 * When a file starts: its name's stamp (portset's `YYYYMMDD-HHMMSS`, the original's
 * `05-07-6-13-44-4`); otherwise, from its first 64 KiB, a PR-INITIAL's `System Date`, or the first
 * record's date and time.
 */
async function firstTime(file: LogFile, dateOrder: DateOrder): Promise<number | null> {
  const stamped = fileStampTime(file.name, dateOrder);
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
  if (file.kind === "initial") {
    const systemDate = /System Date:[ \t]*(.+)/.exec(head);
    return systemDate ? parseSystemDate(systemDate[1], dateOrder) : null;
  }
  const pattern = file.kind === "ports"
    ? /^\s*(\d{1,4}[/-]\d{1,2}[/-]\d{1,4}),(\d{1,2}:\d{1,2}(?::\d{1,2})?),/m
    : /recorded at:\s*(\d{1,4}[/-]\d{1,2}[/-]\d{1,4})[\s,]+(\d{1,2}:\d{1,2}(?::\d{1,2})?)/;
  const match = pattern.exec(head);
  return match ? parseLogDateTime(match[1], match[2], dateOrder) : null;
}

/** Where files live that look regular but are no one's log, and may block a read (/proc/kmsg). */
const PSEUDO_FILE_SYSTEMS = ["/proc/", "/sys/", "/dev/"];

/**
 * Why the symbolic link at `path` (`link`, naming `target`) is not followed; undefined when it
 * is. Whoever can write to a log directory can plant a link, and `report` often
 * runs as root: a link to a file of another owner than the link's (a secret of root's, whose
 * lines a report would quote as unreadable) or to a kernel file (which may block the read for
 * ever) is named, not read.
 */
function linkRefusal(
  path: string,
  link: Deno.FileInfo,
  target: Deno.FileInfo,
): string | undefined {
  let real = path;
  try {
    real = Deno.realPathSync(path);
  } catch {
    // gone meanwhile: reading it says so
  }
  if (PSEUDO_FILE_SYSTEMS.some((root) => real.startsWith(root))) {
    return `a link to ${real}, a kernel file, not a log: not read`;
  }
  if (link.uid !== null && target.uid !== null && link.uid !== target.uid) {
    return `a link to ${real}, whose owner (uid ${target.uid}) is not the link's ` +
      `(uid ${link.uid}): not read`;
  }
  return undefined;
}
