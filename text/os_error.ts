/**
 * An OS error in the words an error line ends with. Here, below every layer that meets one
 * (the CLI's error lines, the files portset writes), so each words it the same way.
 *
 * @module
 */

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
export function withoutOsErrorTail(message: string): string {
  return message.replace(
    /\b([A-Z])([a-z][^:()]*?) \(os error \d+\)(?:: \w+(?: '[^']*')?(?: -> '[^']*')?)?/g,
    (_, first: string, rest: string) => first.toLowerCase() + rest,
  );
}
