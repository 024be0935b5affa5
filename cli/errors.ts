/**
 * Failures the CLI reports as one line and an exit code, never as a stack trace.
 *
 * @module
 */

import { withoutOsErrorTail } from "../text/os_error.ts";
import { printableField } from "../text/printable.ts";

/** An expected failure: `message` is shown as `portset: message`, then the process exits `code`. */
export class CliError extends Error {
  override name = "CliError";
  constructor(message: string, readonly code = 1) {
    super(message);
  }
}

/** A command line portset cannot run. main.ts prints the message and exits with code 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Exit code for a bad command line or bad input (unknown flags, unwritable log file, ...). */
export const EXIT_USAGE = 2;
/** Exit code for a system that could not be read. */
export const EXIT_FAILURE = 1;
/** Exit code for a bug: something no test foresaw. */
export const EXIT_INTERNAL = 70;

/**
 * The error line as it is shown, `portset: ` and all: any OS error in it worded as
 * {@linkcode osErrorText} words them, and control characters, line breaks included, as `?`.
 * Error lines echo what was typed (`unknown option '-x'`), paths found on disk and other
 * programs' answers, any of which may hold a newline or an escape sequence: shown through here,
 * an error is one line and cannot drive the terminal.
 */
export function errorLine(message: string): string {
  return `portset: ${printableField(withoutOsErrorTail(message))}`;
}
