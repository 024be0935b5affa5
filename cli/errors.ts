/**
 * Failures the CLI reports as one line and an exit code, never as a stack trace.
 *
 * @module
 */

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

/** Deno's error classes for the OS errors a file or socket meets, in the words `strerror` uses. */
const OS_ERROR_WORDS: [new (...args: never[]) => Error, string][] = [
  [Deno.errors.NotFound, "no such file or directory"],
  [Deno.errors.PermissionDenied, "permission denied"],
  [Deno.errors.AlreadyExists, "file exists"],
  [Deno.errors.IsADirectory, "is a directory"],
  [Deno.errors.NotADirectory, "not a directory"],
  [Deno.errors.FilesystemLoop, "too many levels of symbolic links"],
  [Deno.errors.Busy, "device or resource busy"],
  [Deno.errors.ConnectionRefused, "connection refused"],
  [Deno.errors.ConnectionReset, "connection reset by peer"],
  [Deno.errors.ConnectionAborted, "connection aborted"],
  [Deno.errors.NotConnected, "not connected"],
  [Deno.errors.AddrInUse, "address already in use"],
  [Deno.errors.AddrNotAvailable, "cannot assign requested address"],
  [Deno.errors.NetworkUnreachable, "network is unreachable"],
  [Deno.errors.TimedOut, "timed out"],
  [Deno.errors.BrokenPipe, "broken pipe"],
];

/**
 * An OS error in a few lower-case words for the end of an error line (`cannot read X: no such
 * file or directory`), never Deno's `No such file or directory (os error 2): stat '/x'`, which
 * repeats the path in its own quoting. An OS error Deno has no class for (a full disk, say) keeps
 * the OS's words less that tail; anything else keeps its message.
 */
export function osErrorText(error: unknown): string {
  for (const [kind, words] of OS_ERROR_WORDS) if (error instanceof kind) return words;
  return withoutOsErrorTail(error instanceof Error ? error.message : String(error));
}

/** `No space left on device (os error 28): write` → `no space left on device`, wherever it is. */
function withoutOsErrorTail(message: string): string {
  return message.replace(
    /\b([A-Z])([a-z][^:()]*?) \(os error \d+\)(?:: \w+(?: '[^']*')?(?: -> '[^']*')?)?/g,
    (_, first: string, rest: string) => first.toLowerCase() + rest,
  );
}

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
