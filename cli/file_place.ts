/**
 * Where portset may put a file it writes (`-l` logs, baselines, `--html`), and the temporary
 * files it writes them through. Every such file is made under a temporary name with an exclusive
 * create, which never follows a link, and renamed into place, which replaces a link rather than
 * writing through it: no check-then-open gap for another user to plant a symbolic link in. What
 * is left:
 *
 * - **A directory every user can write and that is not sticky** lets any of them rename or
 *   remove the file once written, or swap the directory's entries under it: refused, as the
 *   monitor refuses such a log directory. `/tmp` (sticky) is fine.
 * - **Temporary files of a run that was killed** between writing and renaming
 *   (`BASELINE.json.<pid>.tmp`) are removed by the next write of that file, when the process that
 *   made them is gone and they are this user's regular files.
 *
 * @module
 */

import { CliError, EXIT_USAGE } from "./errors.ts";
import { osErrorText } from "../text/os_error.ts";
import { printableField } from "../text/printable.ts";

/** The temporary name `path` is written under by this process. */
export function temporaryName(path: string): string {
  return `${path}.${Deno.pid}.tmp`;
}

/**
 * Throws {@linkcode CliError} (exit code 2) when `path`'s directory can be written by every user
 * and is not sticky. Nothing to check where modes are not POSIX (Windows: ACLs).
 */
export function refuseSharedDirectory(path: string): void {
  const directory = dirname(path);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(directory);
  } catch {
    return; // missing: the open says so, in its words
  }
  if (info.mode === null) return;
  const everyoneWrites = (info.mode & 0o002) !== 0;
  const sticky = (info.mode & 0o1000) !== 0;
  if (everyoneWrites && !sticky) {
    throw new CliError(
      `cannot write ${path}: its directory ${directory} can be written by every user and is not ` +
        `sticky, so another user could replace the file (chmod o-w or +t ${directory}, or write ` +
        `it elsewhere)`,
      EXIT_USAGE,
    );
  }
}

/**
 * Removes the temporary files a killed run of portset left beside `path` (`path.<pid>.tmp`):
 * those whose process is gone, that are regular files of this user. Says so through `say`, one
 * line each. A temporary file of a running process, or of another user, is left alone.
 */
export function removeStaleTemporaries(
  path: string,
  say: (line: string) => void = (line) => console.error(line),
): void {
  const directory = dirname(path);
  const base = path.slice(lastSeparator(path) + 1);
  const pattern = new RegExp(`^${escapeRegExp(base)}\\.(\\d{1,10})\\.tmp$`);
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(directory)];
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = pattern.exec(entry.name);
    if (!match || !entry.isFile) continue;
    const pid = Number(match[1]);
    const stale = `${directory}/${entry.name}`;
    try {
      const info = Deno.lstatSync(stale);
      if (!info.isFile || pid === Deno.pid || processRunning(pid, info)) continue;
      if (info.uid !== null && info.uid !== Deno.uid()) continue;
      Deno.removeSync(stale);
      say(
        `portset: removed ${printableField(stale)}, left by an interrupted run (PID ${pid})`,
      );
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue; // another run removed it first
      say(`portset: cannot remove ${printableField(stale)}: ${osErrorText(error)}`);
    }
  }
}

/**
 * Whether process `pid` may still be writing its temporary file: on Linux, whether it exists;
 * elsewhere, where portset cannot ask as cheaply, whether the file changed in the last hour.
 */
function processRunning(pid: number, info: Deno.FileInfo): boolean {
  if (Deno.build.os === "linux") {
    try {
      Deno.statSync(`/proc/${pid}`);
      return true;
    } catch {
      return false;
    }
  }
  return info.mtime === null || Date.now() - info.mtime.getTime() < 3600_000;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The directory part of `path` (`.` for a bare name). */
export function dirname(path: string): string {
  const slash = lastSeparator(path);
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

function lastSeparator(path: string): number {
  return Deno.build.os === "windows"
    ? Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
    : path.lastIndexOf("/");
}
