/**
 * Where command output goes: stdout, and with `-l FILE` a log file written whole or not at all.
 *
 * @module
 */

import { CliError, EXIT_USAGE } from "./errors.ts";

const encoder = new TextEncoder();

/** Writes all of `bytes` to a file or stream. */
function writeAll(target: { writeSync(bytes: Uint8Array): number }, bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length;) {
    written += target.writeSync(bytes.subarray(written));
  }
}

/**
 * Writes `chunks` to stdout, and to `log` when given, one chunk at a time. A reader that went
 * away (`| head`) ends stdout quietly; the log is still completed.
 */
export function writeOutput(chunks: Iterable<string>, log: PendingLog | null = null): void {
  let stdoutOpen = true;
  for (const chunk of chunks) {
    const bytes = encoder.encode(chunk);
    if (stdoutOpen) {
      try {
        writeAll(Deno.stdout, bytes);
      } catch (error) {
        if (!(error instanceof Deno.errors.BrokenPipe)) throw error;
        stdoutOpen = false;
      }
    }
    log?.write(bytes);
  }
  log?.commit();
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

  /** Appends `bytes` to the temporary file. */
  write(bytes: Uint8Array): void {
    try {
      writeAll(this.#file, bytes);
    } catch (error) {
      this.abandon();
      throw cannotWrite(this.path, error);
    }
  }

  /** Flushes the file to disk and puts it in place. */
  commit(): void {
    try {
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
