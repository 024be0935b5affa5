/**
 * Failures the CLI reports as one line and an exit code, never as a stack trace.
 *
 * @module
 */

/** An expected failure: `message` is shown as `portset: message`, then the process exits `code`. */
export class CliError extends Error {
  override name = "CliError";
  constructor(message: string, readonly code = 1) {
    super(message);
  }
}

/** Exit code for a bad command line or bad input (unknown flags, unwritable log file, ...). */
export const EXIT_USAGE = 2;
/** Exit code for a system that could not be read. */
export const EXIT_FAILURE = 1;
/** Exit code for a bug: something no test foresaw. */
export const EXIT_INTERNAL = 70;
