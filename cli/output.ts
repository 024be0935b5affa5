/**
 * Where command output goes: stdout, and with `-l FILE` a log file written whole or not at all.
 *
 * @module
 */

import { CliError, EXIT_USAGE } from "./errors.ts";

const encoder = new TextEncoder();

/** Writes all of `text` to stdout; a reader that went away (`| head`) is not an error. */
export function writeStdout(text: string): void {
  const bytes = encoder.encode(text);
  try {
    for (let written = 0; written < bytes.length;) {
      written += Deno.stdout.writeSync(bytes.subarray(written));
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
  }
}

/**
 * A log file being written (`-l FILE`): opened as a temporary file beside its final name before
 * any work is done, so a bad path fails at once, and renamed into place only when complete, so a
 * crash or a full disk leaves the old file or the new one, never half of either.
 */
export class PendingLog {
  #temporary: string;
  #file: Deno.FsFile;

  private constructor(readonly path: string, temporary: string, file: Deno.FsFile) {
    this.#temporary = temporary;
    this.#file = file;
  }

  /**
   * Opens the log. An existing file is replaced only with `-y` (or a "yes" at a terminal prompt).
   * Throws {@linkcode CliError} with exit code 2 when the file may not or cannot be written.
   */
  static open(path: string, overwrite: boolean): PendingLog {
    let exists = false;
    try {
      if (Deno.statSync(path).isDirectory) {
        throw new CliError(`log file ${path} is a directory`, EXIT_USAGE);
      }
      exists = true;
    } catch (error) {
      if (error instanceof CliError) throw error;
      if (!(error instanceof Deno.errors.NotFound)) throw cannotWrite(path, error);
    }
    if (exists && !overwrite) {
      const answer = Deno.stdin.isTerminal()
        ? prompt(`portset: log file ${path} exists. Overwrite it? (y/n)`)
        : null;
      if (!/^y(es)?$/i.test(answer ?? "")) {
        throw new CliError(`log file ${path} exists; add -y to overwrite it`, EXIT_USAGE);
      }
    }
    const temporary = `${path}.${Deno.pid}.tmp`;
    try {
      const file = Deno.openSync(temporary, { write: true, createNew: true, mode: 0o644 });
      return new PendingLog(path, temporary, file);
    } catch (error) {
      throw cannotWrite(path, error);
    }
  }

  /** Writes `text`, flushes it to disk and puts the file in place. */
  commit(text: string): void {
    try {
      const bytes = encoder.encode(text);
      for (let written = 0; written < bytes.length;) {
        written += this.#file.writeSync(bytes.subarray(written));
      }
      this.#file.syncSync();
      this.#file.close();
      Deno.renameSync(this.#temporary, this.path);
    } catch (error) {
      this.abandon();
      throw cannotWrite(this.path, error);
    }
  }

  /** Removes the temporary file; the old log, if any, stays as it was. */
  abandon(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
    try {
      Deno.removeSync(this.#temporary);
    } catch {
      // already renamed or removed
    }
  }
}

function cannotWrite(path: string, error: unknown): CliError {
  const reason = error instanceof Deno.errors.NotFound
    ? "its directory does not exist"
    : error instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : (error as Error).message;
  return new CliError(`cannot write log file ${path}: ${reason}`, EXIT_USAGE);
}
