/**
 * What `/proc/<pid>` tells about a socket's owner: name, executable, user, start time, the systemd
 * unit it runs in (its "service", see systemd.ts) and, on request, its loaded modules.
 *
 * @module
 */

import type { Module, ProcessInfo, Service } from "../../model/endpoint.ts";
import { parseSystemdUnit, UnitDescriptions } from "./systemd.ts";

/** The fields of `/proc/<pid>/stat` the collector uses. */
export interface ProcStat {
  comm: string;
  ppid: number;
  /** Clock ticks after boot; orders processes by age. */
  startTicks: number;
}

/** Parses `/proc/<pid>/stat`; the name is between the first `(` and the last `)`. */
export function parseProcStat(text: string): ProcStat | null {
  const open = text.indexOf("("), close = text.lastIndexOf(")");
  if (open < 0 || close < open) return null;
  const rest = text.slice(close + 2).split(" ");
  // rest[0] is field 3 (state): ppid is field 4, starttime field 22.
  const ppid = Number(rest[1]), startTicks = Number(rest[19]);
  if (!Number.isFinite(ppid) || !Number.isFinite(startTicks)) return null;
  return { comm: text.slice(open + 1, close), ppid, startTicks };
}

/** The effective uid from `/proc/<pid>/status`. */
export function parseStatusUid(text: string): number | null {
  const match = /^Uid:\s+\d+\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * Loaded modules from `/proc/<pid>/maps`: each file with an executable mapping (the program and
 * its shared libraries, not data files, caches or locale archives mapped for reading), once, at
 * the lowest address it is mapped at, in address order; a path's `\012` read as its line feed.
 */
export function parseMaps(text: string): Module[] {
  const bases = new Map<string, bigint>();
  const executable = new Set<string>();
  for (const line of text.split("\n")) {
    const slash = line.indexOf("/");
    if (slash < 0) continue;
    const fields = line.slice(0, slash).trim().split(/\s+/);
    if (fields.length !== 5 || fields[4] === "0") continue; // no inode: not a file
    // The kernel writes a line feed in a path as `\012` (and nothing else escaped), so that
    // each mapping is one line: the path is the file's own, as /proc/<pid>/exe gives it.
    const path = line.slice(slash).replaceAll("\\012", "\n");
    const base = BigInt("0x" + fields[0].slice(0, fields[0].indexOf("-")));
    const known = bases.get(path);
    if (known === undefined || base < known) bases.set(path, base);
    if (fields[1].includes("x")) executable.add(path);
  }
  return [...bases].filter(([path]) => executable.has(path))
    .sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
    .map(([path, base]) => ({ path, baseAddress: "0x" + base.toString(16) }));
}

/** Reads the facts about processes, given how to name uids. */
export class ProcessReader {
  #userName: (uid: number) => string;
  #units = new UnitDescriptions();
  #bootSeconds: number | null = null;
  #ticksPerSecond: number;

  constructor(
    userName: (uid: number) => string,
    ticksPerSecond: number,
    readonly procRoot = "/proc",
  ) {
    this.#userName = userName;
    this.#ticksPerSecond = ticksPerSecond;
  }

  /** Forgets cached unit descriptions. */
  clearCaches(): void {
    this.#units.clear();
  }

  /** Everything readable about `pid`; null when the process has gone. */
  read(pid: number, withModules: boolean): (ProcessInfo & { startTicks: number }) | null {
    const base = `${this.procRoot}/${pid}`;
    let stat: ProcStat | null;
    try {
      stat = parseProcStat(Deno.readTextFileSync(`${base}/stat`));
    } catch {
      return null;
    }
    if (!stat) return null;
    const path = readOptional(() => Deno.readLinkSync(`${base}/exe`));
    let uid = readOptional(() => parseStatusUid(Deno.readTextFileSync(`${base}/status`)));
    uid ??= readOptional(() => Deno.statSync(base).uid);
    const unit = readOptional(() => parseSystemdUnit(Deno.readTextFileSync(`${base}/cgroup`)));
    const services: Service[] = unit
      ? [{ name: unit, displayName: this.#units.describe(unit), shared: false }]
      : [];
    const info: ProcessInfo & { startTicks: number } = {
      pid,
      process: processName(stat.comm, path),
      path,
      user: uid === null ? null : this.#userName(uid),
      uid,
      ppid: stat.ppid,
      started: this.#startTime(stat.startTicks),
      services,
      modules: null,
      startTicks: stat.startTicks,
    };
    if (withModules) {
      try {
        info.modules = parseMaps(Deno.readTextFileSync(`${base}/maps`));
      } catch (error) {
        info.modulesError = error instanceof Deno.errors.PermissionDenied
          ? "permission denied"
          : (error as Error).message;
      }
    }
    return info;
  }

  /** When `pid` started, as {@linkcode read} gives it; null when it has gone. */
  started(pid: number): string | null {
    try {
      const stat = parseProcStat(Deno.readTextFileSync(`${this.procRoot}/${pid}/stat`));
      return stat ? this.#startTime(stat.startTicks) : null;
    } catch {
      return null;
    }
  }

  #startTime(startTicks: number): string | null {
    if (this.#bootSeconds === null) {
      const match = readOptional(() =>
        /^btime (\d+)$/m.exec(Deno.readTextFileSync(`${this.procRoot}/stat`))
      );
      this.#bootSeconds = match ? Number(match[1]) : NaN;
    }
    if (!Number.isFinite(this.#bootSeconds) || this.#ticksPerSecond <= 0) return null;
    return new Date((this.#bootSeconds + startTicks / this.#ticksPerSecond) * 1000).toISOString();
  }
}

/**
 * The process name: the kernel's comm, except that comm is cut at 15 bytes, so a cut name is
 * completed from the executable's file name when that starts with it (as psutil does).
 */
export function processName(comm: string, path: string | null): string {
  // The kernel cuts at 15 bytes, possibly inside a UTF-8 sequence (decoded as U+FFFD).
  const cutInsideCharacter = comm.endsWith("\uFFFD");
  if ((!cutInsideCharacter && utf8.encode(comm).length < 15) || !path) return comm;
  const prefix = comm.replace(/\uFFFD+$/, "");
  const file = path.slice(path.lastIndexOf("/") + 1).replace(/ \(deleted\)$/, "");
  return file.startsWith(prefix) ? file : comm;
}

const utf8 = new TextEncoder();

function readOptional<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}
