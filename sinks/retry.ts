/**
 * What the sinks that deliver to a server share while it is away: a retry that comes later each
 * time (doubling, up to a ceiling), and waiting for work in flight, but not for ever, when the
 * monitor stops.
 *
 * @module
 */

/** A retry scheduled later each time it fails: from `firstMs`, doubling, up to `lastMs`. */
export class Backoff {
  #timer: ReturnType<typeof setTimeout> | null = null;
  #delayMs: number;

  /** A back-off starting at `firstMs`, never waiting more than `lastMs`. */
  constructor(readonly firstMs: number, readonly lastMs = 30_000) {
    this.#delayMs = firstMs;
  }

  /** Whether a retry is set and not yet run. */
  get pending(): boolean {
    return this.#timer !== null;
  }

  /** Runs `retry` after the current delay, and doubles it; nothing when one is already set. */
  schedule(retry: () => void): void {
    if (this.#timer !== null) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      retry();
    }, this.#delayMs);
    this.#delayMs = Math.min(this.#delayMs * 2, this.lastMs);
  }

  /** Delivering again: the next failure starts from the first delay. */
  reset(): void {
    this.#delayMs = this.firstMs;
  }

  /** Cancels a retry that is set. */
  cancel(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

/** Resolves when `work` settles or `deadlineMs` have passed, whichever comes first. */
export async function settleWithin(work: Promise<unknown>, deadlineMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    work.catch(() => {}),
    new Promise((resolve) => timer = setTimeout(resolve, deadlineMs)),
  ]);
  clearTimeout(timer);
}
