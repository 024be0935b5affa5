/**
 * The log directory's safety: the monitor runs as root and its logs are the evidence, so nobody
 * else may be able to add, replace or remove them. An existing directory is refused when another
 * user owns it or when its group or others can write it (sticky or not: the sticky bit stops
 * others removing the monitor's files, not adding their own, which a report would read as the
 * monitor's and retention would count, removing real logs to make room). The directories above it
 * are refused when another user owns one, or when others can write one that is not sticky: either
 * lets them rename the log directory and put one of their own in its place. A parent that only its
 * group can write is accepted: Ubuntu's `/var/log` is `root:syslog 0775`.
 *
 * Unix only: where there are no uids (Windows) nothing is checked here; `service install` gives
 * the service's directory its ACL there.
 *
 * @module
 */

import { resolve } from "node:path";
import { ReporterError } from "./append_file.ts";

/** A log directory others could change; the message says what is wrong and how to fix it. */
class UnsafeLogDirectoryError extends ReporterError {
  override name = "UnsafeLogDirectoryError";
}

/** Who may own the log directory and the directories above it, and how uids are named. */
export interface LogDirectoryOwner {
  /** The uid the monitor runs as: the service's is root's, 0. */
  uid: number;
  /** A user's name for the messages (`nobody`); the uid as text when absent or unknown. */
  nameOf?: (uid: number) => string | null;
}

/**
 * Throws {@linkcode UnsafeLogDirectoryError} when `directory` (if it exists) or a directory above
 * it lets another user change the logs; checks the directories above the nearest existing one
 * when `directory` is still to be created. Symbolic links count twice: the directories that hold
 * each link, and those above its target. Does nothing where there are no uids (Windows).
 */
export function checkLogDirectory(
  directory: string,
  owner: LogDirectoryOwner | null = currentOwner(),
): void {
  if (owner === null) return;
  const absolute = resolve(directory);
  const name = (uid: number) => {
    const known = uid === owner.uid || uid === 0 ? null : owner.nameOf?.(uid);
    return known ? `${known} (uid ${uid})` : uid === 0 ? "root" : `uid ${uid}`;
  };
  const trusted = (uid: number) => uid === owner.uid || uid === 0;
  const you = owner.uid === 0 ? "root" : owner.nameOf?.(owner.uid) ?? String(owner.uid);

  const self = statOrNull(absolute);
  if (self !== null) {
    if (!self.isDirectory) throw new ReporterError(`${directory} is not a directory`);
    const mode = self.mode! & 0o7777;
    const othersWrite = (mode & 0o022) !== 0;
    const foreign = !trusted(self.uid!);
    if (foreign || othersWrite) {
      const what = [
        foreign ? `is owned by ${name(self.uid!)}` : null,
        othersWrite
          ? `is writable by ${writers(mode)} (mode ${octal(mode)}${
            mode & 0o1000
              ? "; the sticky bit keeps others from removing the logs, not from adding " +
                "logs of their own"
              : ""
          })`
          : null,
      ].filter((part) => part !== null).join(" and ");
      const fix = [
        foreign ? `chown ${you} ${quote(absolute)}` : null,
        othersWrite ? `chmod 700 ${quote(absolute)}` : null,
      ].filter((part) => part !== null).join(" && ");
      throw new UnsafeLogDirectoryError(
        `log directory ${directory} ${what}, so others could add, replace or remove its logs: ` +
          `make it ${you}'s alone ('${fix}') or use another directory`,
      );
    }
  }

  // The directories that hold each name on the way, and those above where the links lead.
  const seen = new Set<string>();
  for (const parent of [...parents(absolute), ...parents(realPathOrNull(absolute))]) {
    const info = statOrNull(parent);
    if (info === null) continue; // still to be created, 0700, by the monitor or the installer
    const key = `${info.dev}:${info.ino}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const mode = info.mode! & 0o7777;
    if (!trusted(info.uid!)) {
      throw new UnsafeLogDirectoryError(
        `log directory ${directory} is inside ${parent}, owned by ${name(info.uid!)}, who could ` +
          `replace it: use a directory only ${you} controls, such as /var/log/portset`,
      );
    }
    if ((mode & 0o002) !== 0 && (mode & 0o1000) === 0) {
      throw new UnsafeLogDirectoryError(
        `log directory ${directory} is inside ${parent}, which every user can write ` +
          `(mode ${octal(mode)}, not sticky), so anyone could replace it: use another ` +
          `directory or 'chmod o-w ${quote(parent)}'`,
      );
    }
  }
}

/**
 * Makes sure `directory` exists and is safe (see {@linkcode checkLogDirectory}): checked before,
 * then created readable by its owner only (0700, whatever the umask) when missing, then checked
 * again, so a directory someone slipped in on the way is refused too.
 */
export function makeLogDirectory(
  directory: string,
  owner: LogDirectoryOwner | null = currentOwner(),
): void {
  checkLogDirectory(directory, owner);
  if (statOrNull(directory) === null) {
    try {
      Deno.mkdirSync(directory, { recursive: true, mode: 0o700 });
      Deno.chmodSync(directory, 0o700);
    } catch (error) {
      throw new ReporterError(
        `cannot create log directory ${directory}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  checkLogDirectory(directory, owner);
}

/** This process's uid, or null where there are none. */
function currentOwner(): LogDirectoryOwner | null {
  const uid = Deno.uid();
  return uid === null ? null : { uid };
}

function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return null;
    }
    throw new ReporterError(`cannot use log directory ${path}: ${(error as Error).message}`);
  }
}

function realPathOrNull(path: string): string | null {
  try {
    return Deno.realPathSync(path);
  } catch {
    return null; // not there yet: its existing parents are checked by name
  }
}

/** `/a/b/c` → `/a/b`, `/a`, `/`. */
function parents(path: string | null): string[] {
  const list: string[] = [];
  if (path === null) return list;
  for (let end = path.lastIndexOf("/"); end >= 0; end = path.lastIndexOf("/", end - 1)) {
    list.push(end === 0 ? "/" : path.slice(0, end));
    if (end === 0) break;
  }
  return list;
}

function writers(mode: number): string {
  return mode & 0o002 ? (mode & 0o020 ? "its group and every user" : "every user") : "its group";
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, "0");
}

/** A path as a shell reads it, for the commands the messages suggest. */
function quote(path: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
