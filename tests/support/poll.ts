/**
 * Waiting for the system to reach a state, with a deadline instead of a guessed sleep.
 *
 * @module
 */

/**
 * Calls `probe` until it returns a value other than `undefined`, or the deadline passes; returns
 * that value, or undefined at the deadline, for the test's assertion to report.
 */
export async function pollUntil<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  { deadlineMs = 10_000, intervalMs = 50 } = {},
): Promise<T | undefined> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
