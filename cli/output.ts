/**
 * Where command output goes: stdout, and files written whole or not at all (`-l FILE` logs,
 * baselines).
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
export function writeOutput(chunks: Iterable<string>, log: AtomicFile | null = null): void {
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
 * Refuses to replace an existing file unless `overwrite` (`-y`) is given or the user says yes at
 * a terminal prompt, as PortQry asks before overwriting its log.
 */
export function confirmOverwrite(path: string, overwrite: boolean): void {
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
}

/**
 * A file written whole or not at all: opened as a temporary file beside its final name before
 * any work is done, so a bad path fails at once, flushed to disk and renamed into place only when
 * complete, so a crash, a kill or a full disk leaves the old file or the new one, never half of
 * either.
 */
export class AtomicFile {
  #temporary: string;
  #file: Deno.FsFile;

  private constructor(readonly path: string, temporary: string, file: Deno.FsFile) {
    this.#temporary = temporary;
    this.#file = file;
  }

  /** Opens `path` for writing; throws {@linkcode CliError} (exit code 2) when it cannot be. */
  static open(path: string, mode = 0o644): AtomicFile {
    const temporary = `${path}.${Deno.pid}.tmp`;
    try {
      const file = Deno.openSync(temporary, { write: true, createNew: true, mode });
      return new AtomicFile(path, temporary, file);
    } catch (error) {
      throw cannotWrite(path, error);
    }
  }

  /** Writes `text` whole and puts the file in place. */
  static write(path: string, text: string, mode = 0o644): void {
    const file = AtomicFile.open(path, mode);
    file.write(encoder.encode(text));
    file.commit();
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
  return new CliError(`cannot write ${path}: ${reason}`, EXIT_USAGE);
}
