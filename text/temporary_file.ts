/**
 * The temporary file every file portset writes is made through: named `<file>.<pid>.tmp` beside
 * it, made with an exclusive create, which never follows a link, and renamed into place, which
 * replaces a link rather than writing through it, so there is no check-then-open gap for another
 * user to plant a symbolic link in. A killed run's leftovers are found by the same name and
 * removed.
 *
 * Here, in `text/` beside `input_file.ts` (how a file portset is handed is read), because both
 * the CLI's output files (`cli/output.ts`: logs, baselines, `--html`) and the monitor's textfile
 * sink (`sinks/textfile.ts`) write through it, and a sink must not import the CLI; `text/` is
 * the layer below both. What the CLI adds, refusing a directory others could swap the file in,
 * stays in `cli/file_place.ts`.
 *
 * @module
 */

import { osErrorText } from "./os_error.ts";
import { printableField } from "./printable.ts";

/** The temporary name `path` is written under by this process. */
export function temporaryName(path: string): string {
  return `${path}.${Deno.pid}.tmp`;
}

/**
 * A file being written under its temporary name: made new (an exclusive create, so never through
 * a link), then renamed over `path` or removed. Its owner writes, flushes and closes {@link file}
 * in the order it needs; this owns the name.
 */
export class TemporaryFile {
  private constructor(
    /** The file it will be renamed to. */
    readonly path: string,
    /** The name it is made under, {@linkcode temporaryName} of `path`. */
    readonly temporaryPath: string,
    /** The open file. */
    readonly file: Deno.FsFile,
  ) {}

  /**
   * Makes `path`'s temporary file with `mode` (filtered by the umask); throws what the file
   * system said when it cannot (a file already at that name included: the create is exclusive).
   */
  static create(path: string, mode: number): TemporaryFile {
    const temporary = temporaryName(path);
    return new TemporaryFile(
      path,
      temporary,
      Deno.openSync(temporary, { write: true, createNew: true, mode }),
    );
  }

  /** Writes all of `bytes`. */
  write(bytes: Uint8Array): void {
    for (let written = 0; written < bytes.length;) {
      written += this.file.writeSync(bytes.subarray(written));
    }
  }

  /** Renames the file over `path`; throws what the file system said when it cannot. */
  place(): void {
    Deno.renameSync(this.temporaryPath, this.path);
  }

  /** Closes the file, if still open, and removes it, if still there: `path` stays as it was. */
  abandon(): void {
    abandonTemporary(this.path, this);
  }
}

/**
 * Gives up writing `path`: closes `temporary` (when it was made) and removes `path`'s temporary
 * file of this process, if there (never made, or already renamed, is no failure), which is what
 * is left when {@linkcode TemporaryFile.create} threw: it may be a file that was in the way.
 */
export function abandonTemporary(path: string, temporary: TemporaryFile | null): void {
  try {
    temporary?.file.close();
  } catch {
    // already closed
  }
  try {
    Deno.removeSync(temporaryName(path));
  } catch {
    // never made, or already renamed
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
