/**
 * The TCP prober's guess whether to ask a socket for its result straight after connect(), kept
 * from the attempts so far, so that a scan of this host takes the shortcut and a scan of a remote
 * one stops paying for it.
 *
 * @module
 */

/**
 * Whether asking a socket for its result straight after connect() pays: it does against this
 * host, where the reset has usually come back already, and costs a system call per port against
 * a remote one, where nothing has. Asked for the first attempts, then only while it mostly hits.
 */
export class HitRate {
  #tries = 0;
  #hits = 0;

  /** Whether to ask the next socket at once. */
  get worthIt(): boolean {
    return this.#tries < 64 || this.#hits * 2 >= this.#tries;
  }

  /** Counts an answer: `hit` when the socket had already settled. */
  count(hit: boolean): void {
    this.#tries++;
    if (hit) this.#hits++;
  }
}
