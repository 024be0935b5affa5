/**
 * Finding a fleet's hosts in the directories named on the command line: each is one host's log
 * directory (it holds PR-* files), or a tree of them (one folder per host, at any depth: the
 * folders that hold PR-* files are found below it). A folder that holds logs is one host's, and
 * the folders below it are not searched.
 *
 * Each log directory is named by its logs' headers (`Local computer name`), or, where no header
 * names a computer (PR-PORTS files alone), by its folder: the first folder below the named
 * directory (`fleet/web1/logs` is `web1`), or the named directory's own name. Directories of the
 * same name (any case) are one host's logs, read as one.
 *
 * @module
 */

import { basename, join, relative, resolve, sep } from "node:path";
import { isLogFileName, LogDirectoryError } from "../port_reporter/log_files.ts";
import { readLogsComputer } from "../port_reporter/log_host.ts";

/** One host's logs, in one or more directories. */
export interface HostLogs {
  /** The computer's name, as the first header that names it writes it, or the folder's. */
  name: string;
  /** Where the name came from: a log's header, or (no header names one) the folder. */
  nameFrom: "header" | "folder";
  /** Its log directories (or log files named on the command line), in the order found. */
  directories: string[];
  /** Bytes of log files in them when found. */
  bytes: number;
}

/** Folders below a named directory searched for logs, at most: deeper is not a fleet's layout. */
export const SEARCH_DEPTH = 8;

/** What was found under the directories named. */
export interface FoundHosts {
  /** The hosts, by name (`web2` before `web10`). */
  hosts: HostLogs[];
  /**
   * True when one directory was named and it holds logs itself: the one-host report, as before
   * fleets, is the answer.
   */
  single: boolean;
  /** Folders below the named ones that could not be listed, as `folder: why`. */
  problems: string[];
}

/** One folder that holds logs, and the directory named on the command line it was found under. */
interface LogFolder {
  path: string;
  /** The path is one log file, named on the command line. */
  file?: boolean;
  operand: string;
  names: string[];
  bytes: number;
}

/**
 * The hosts whose logs are in `operands`. Throws {@linkcode LogDirectoryError} (one line) for a
 * named directory that cannot be read or has no logs in it or below it.
 */
export async function findLogHosts(operands: readonly string[]): Promise<FoundHosts> {
  const folders: LogFolder[] = [];
  const problems: string[] = [];
  const visited = new Set<string>();
  for (const operand of operands) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(operand);
    } catch (error) {
      throw new LogDirectoryError(`cannot read ${operand}: ${(error as Error).message}`);
    }
    const before = folders.length;
    if (info.isFile) {
      if (isLogFileName(basename(operand))) {
        folders.push({
          path: operand,
          file: true,
          operand,
          names: [basename(operand)],
          bytes: info.size,
        });
      }
    } else {
      const own = await listLogs(operand, problems, true);
      if (own.names.length > 0) folders.push({ path: operand, operand, ...own });
      else await searchBelow(operand, operand, 1, folders, problems, visited);
    }
    if (folders.length === before) {
      throw new LogDirectoryError(
        `no Port Reporter logs (PR-INITIAL-*.log, PR-PORTS-*.log, PR-PIDS-*.log) in ${operand}` +
          (info.isFile ? "" : " or the folders below it"),
      );
    }
  }
  const single = operands.length === 1 && folders.length === 1 && folders[0].path === operands[0];
  // A folder named twice (or reached by two paths) is read once.
  const seen = new Set<string>();
  const unique: LogFolder[] = [];
  for (const folder of folders) {
    const real = await Deno.realPath(folder.path).catch(() => folder.path);
    if (!seen.has(real)) unique.push(folder);
    seen.add(real);
  }
  return { hosts: await nameHosts(unique), single, problems };
}

/** The log files directly in `folder`, and their bytes. */
async function listLogs(
  folder: string,
  problems: string[],
  named: boolean,
): Promise<{ names: string[]; bytes: number; folders: string[] }> {
  const names: string[] = [];
  const folders: string[] = [];
  let bytes = 0;
  try {
    for await (const entry of Deno.readDir(folder)) {
      const path = join(folder, entry.name);
      if ((entry.isFile || entry.isSymlink) && isLogFileName(entry.name)) {
        // A link to a log is followed, as the folder's reader follows it (log_files.ts).
        const target = await Deno.stat(path).catch((error) => error as Error);
        if (!(target instanceof Error)) {
          if (target.isFile) {
            bytes += target.size;
            names.push(entry.name);
          } else if (target.isDirectory) folders.push(path);
        } else if (!(target instanceof Deno.errors.NotFound)) {
          // a link that cannot be followed: the report says why when it reads the folder
          names.push(entry.name);
        }
        // else removed as it was listed: the report names it when it reads the folder
      } else if (entry.isDirectory) folders.push(path);
      else if (entry.isSymlink) {
        // A link to a host's folder is followed; `visited` keeps a loop from being walked twice.
        const target = await Deno.stat(path).catch(() => null);
        if (target?.isDirectory) folders.push(path);
      }
    }
  } catch (error) {
    const message = `cannot list ${folder}: ${(error as Error).message}`;
    if (named) throw new LogDirectoryError(message);
    problems.push(message);
  }
  folders.sort();
  return { names, bytes, folders };
}

/** Searches the folders below `folder` (at `depth`) for logs, breadth of each level in name order. */
async function searchBelow(
  folder: string,
  operand: string,
  depth: number,
  found: LogFolder[],
  problems: string[],
  visited: Set<string>,
): Promise<void> {
  if (depth > SEARCH_DEPTH) return;
  const real = await Deno.realPath(folder).catch(() => folder);
  if (visited.has(real)) return;
  visited.add(real);
  const { folders } = await listLogs(folder, problems, depth === 1);
  for (const below of folders) {
    const logs = await listLogs(below, problems, false);
    if (logs.names.length > 0) {
      const realBelow = await Deno.realPath(below).catch(() => below);
      if (visited.has(realBelow)) continue;
      visited.add(realBelow);
      found.push({ path: below, operand, names: logs.names, bytes: logs.bytes });
    } else await searchBelow(below, operand, depth + 1, found, problems, visited);
  }
}

/** Names each folder by its logs' headers or its folder, and merges folders of the same name. */
async function nameHosts(folders: LogFolder[]): Promise<HostLogs[]> {
  const hosts = new Map<string, HostLogs>();
  for (const folder of folders) {
    const directory = folder.file ? resolve(folder.path, "..") : folder.path;
    const computer = await readLogsComputer(directory, folder.names);
    const name = computer ?? folderName(folder.operand, directory);
    const key = name.toLowerCase();
    const host = hosts.get(key);
    if (host) {
      host.directories.push(folder.path);
      host.bytes += folder.bytes;
      // A name a header gives is the host's, whichever folder was found first.
      if (host.nameFrom === "folder" && computer !== null) {
        host.name = computer;
        host.nameFrom = "header";
      }
    } else {
      hosts.set(key, {
        name,
        nameFrom: computer === null ? "folder" : "header",
        directories: [folder.path],
        bytes: folder.bytes,
      });
    }
  }
  const order = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  return [...hosts.values()].sort((a, b) => order.compare(a.name, b.name));
}

/**
 * The folder's name for a host no header names: the first folder below the named directory
 * (`fleet/web1/logs` under `fleet` is `web1`: one folder per host), or the named directory's own.
 */
function folderName(operand: string, directory: string): string {
  const below = relative(resolve(operand), resolve(directory));
  if (below !== "" && !below.startsWith("..")) return below.split(sep)[0];
  return basename(resolve(directory)) || directory;
}
