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
 * Checks, before any work is done, that the log file may be written: it must not exist unless
 * `-y` was given (or the user says yes at a terminal prompt), and its directory must exist.
 */
export function checkLogFile(path: string, overwrite: boolean): void {
  let exists = false;
  try {
    const info = Deno.statSync(path);
    if (info.isDirectory) throw new CliError(`log file ${path} is a directory`, EXIT_USAGE);
    exists = true;
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (!(error instanceof Deno.errors.NotFound)) {
      throw new CliError(`cannot use log file ${path}: ${(error as Error).message}`, EXIT_USAGE);
    }
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
 * Writes `text` to `path` through a temporary file in the same directory and a rename, so a crash
 * or a full disk leaves the old file or the new one, never half of either.
 */
export function writeFileAtomic(path: string, text: string): void {
  const temporary = `${path}.${Deno.pid}.tmp`;
  try {
    const file = Deno.openSync(temporary, { write: true, createNew: true, mode: 0o644 });
    try {
      const bytes = encoder.encode(text);
      for (let written = 0; written < bytes.length;) {
        written += file.writeSync(bytes.subarray(written));
      }
      file.syncSync();
    } finally {
      file.close();
    }
    Deno.renameSync(temporary, path);
  } catch (error) {
    try {
      Deno.removeSync(temporary);
    } catch {
      // never created, or already renamed
    }
    throw new CliError(`cannot write log file ${path}: ${(error as Error).message}`, EXIT_USAGE);
  }
}
