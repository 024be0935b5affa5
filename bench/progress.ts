/**
 * Progress lines for the person waiting on the benchmark. They go to stderr so that stdout holds
 * only the report, ready to be redirected into a file or an issue.
 *
 * @module
 */

/** Writes one progress line to stderr. */
export function progress(message: string): void {
  console.error(`bench: ${message}`);
}
