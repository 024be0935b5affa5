/**
 * Ctrl+C and SIGTERM as a request to stop: long-running commands finish what they are writing
 * and close their logs, rather than dying mid-line.
 *
 * @module
 */

/** An AbortSignal aborted, with the signal's name as reason, on SIGINT or SIGTERM. */
export function stopOnSignals(): { signal: AbortSignal; [Symbol.dispose](): void } {
  const controller = new AbortController();
  const listeners: [Deno.Signal, () => void][] = [];
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    const listener = () => controller.abort(name);
    try {
      Deno.addSignalListener(name, listener);
      listeners.push([name, listener]);
    } catch {
      // Not every OS has every signal (Windows has no SIGTERM listener).
    }
  }
  return {
    signal: controller.signal,
    [Symbol.dispose]() {
      for (const [name, listener] of listeners) Deno.removeSignalListener(name, listener);
    },
  };
}
