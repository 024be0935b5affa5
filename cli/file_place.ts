/**
 * Where portset may put a file it writes (`-l` logs, baselines, `--html`, the textfile sink's).
 * Every such file is made under a temporary name with an exclusive create, which never follows a
 * link, and renamed into place, which replaces a link rather than writing through it
 * (`text/temporary_file.ts`, which the sinks share): no check-then-open gap for another user to
 * plant a symbolic link in. What is left:
 *
 * - **A directory every user can write and that is not sticky** lets any of them rename or
 *   remove the file once written, or swap the directory's entries under it: refused, as the
 *   monitor refuses such a log directory. `/tmp` (sticky) is fine.
 * - **Temporary files of a run that was killed** between writing and renaming
 *   (`BASELINE.json.<pid>.tmp`) are removed by the next write of that file, when the process that
 *   made them is gone and they are this user's regular files (`removeStaleTemporaries`, there
 *   too).
 *
 * @module
 */

import { CliError, EXIT_USAGE } from "./errors.ts";
import { dirname } from "../text/temporary_file.ts";

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
