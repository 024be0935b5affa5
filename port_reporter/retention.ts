/**
 * How much of a log directory is kept. PR-PIDS repeats the owner's whole port table with every
 * change, so a busy host writes tens of megabytes a minute: left alone, the logs fill the disk.
 * The directory is held within a total size and an age, by removing whole sets of logs (the files
 * that share a name's stamp: a run's PR-INITIAL with its first PR-PORTS / PR-PIDS pair, or a
 * later pair), the least recently written first, so what stays is the newest stretch of time.
 * The files the monitor has open are never removed, nor the PR-INITIAL of the run it is in.
 *
 * @module
 */

/** The limits; null is no limit. */
export interface Retention {
  /** Total bytes of logs kept in the directory. */
  maxBytes: number | null;
  /** Days a set of logs is kept after its last write. */
  maxDays: number | null;
}

/**
 * 1 GiB and 90 days. The size keeps the logs from filling a `/var/log` partition (about 200 full
 * 5 MiB sets: years of a quiet server, over an hour of a host churning thousands of ports); the
 * age keeps the three months an audit usually asks to have at hand.
 */
export const DEFAULT_RETENTION: Retention = { maxBytes: 1024 ** 3, maxDays: 90 };

const LOG_NAME = /^PR-(?:INITIAL|PORTS|PIDS)-(.+)\.log$/i;

/**
 * `name` in `directory`. Not node:path's join: the command line parser takes the defaults above
 * from this module, and node: modules cost every invocation about 8 ms to set up.
 */
function join(directory: string, name: string): string {
  const separator = Deno.build.os === "windows" ? "\\" : "/";
  return directory.endsWith("/") || directory.endsWith(separator)
    ? `${directory}${name}`
    : `${directory}${separator}${name}`;
}

interface LogSet {
  files: { name: string; bytes: number }[];
  /** When its newest file was last written, in milliseconds. */
  modified: number;
}

/**
 * Removes the oldest sets of logs from `directory` until it is within `retention`, never a file
 * named in `keep`; returns the names of the files removed, oldest first. Files that are not Port
 * Reporter logs are neither counted nor touched; one that cannot be removed stays, and counts.
 */
export function applyRetention(
  directory: string,
  retention: Retention,
  keep: ReadonlySet<string>,
  now: Date,
): string[] {
  if (retention.maxBytes === null && retention.maxDays === null) return [];
  const sets = new Map<string, LogSet>();
  let total = 0;
  for (const entry of Deno.readDirSync(directory)) {
    const stamp = LOG_NAME.exec(entry.name)?.[1];
    if (!entry.isFile || stamp === undefined) continue;
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(join(directory, entry.name));
    } catch {
      continue; // gone meanwhile
    }
    let set = sets.get(stamp);
    if (!set) sets.set(stamp, set = { files: [], modified: 0 });
    set.files.push({ name: entry.name, bytes: info.size });
    set.modified = Math.max(set.modified, info.mtime?.getTime() ?? 0);
    total += info.size;
  }
  const oldestFirst = [...sets.values()].sort((a, b) => a.modified - b.modified);
  const cutoff = retention.maxDays === null
    ? -Infinity
    : now.getTime() - retention.maxDays * 86_400_000;
  const removed: string[] = [];
  for (const set of oldestFirst) {
    const tooOld = set.modified < cutoff;
    const tooBig = retention.maxBytes !== null && total > retention.maxBytes;
    if (!tooOld && !tooBig) break;
    for (const file of set.files) {
      if (keep.has(file.name)) continue;
      try {
        Deno.removeSync(join(directory, file.name));
      } catch {
        continue;
      }
      removed.push(file.name);
      total -= file.bytes;
    }
  }
  return removed;
}
