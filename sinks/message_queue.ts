/**
 * The queue a destination's messages wait in while it is away: on disk (disk_queue.ts), or in
 * memory when no directory is given (lost when the monitor stops). Both bound the waiting bytes,
 * keep the oldest messages and count what they drop.
 *
 * @module
 */

/** Messages in order, taken out once each; see disk_queue.ts for the on-disk one. */
export interface MessageQueue {
  /** Where the messages wait, for messages to the user: a directory, or `memory`. */
  readonly where: string;
  /** The bound on the waiting messages' bytes. */
  readonly maxBytes: number;
  /** Bytes of messages waiting. */
  readonly waitingBytes: number;
  /** Whether no message waits. */
  readonly empty: boolean;
  /** Messages dropped because the queue was full. */
  readonly dropped: number;
  /** Adds a message at the end; false (and counted) when it does not fit. */
  push(message: string): boolean;
  /** The first waiting message, not taken out; null when none waits. */
  peek(): string | null;
  /** Takes out the message {@linkcode peek} gave: it was delivered. */
  delivered(): void;
  /** Ends the queue's use; what waits on disk stays for the next run. */
  close(): void;
}

/** The bound of a queue of events waiting for a destination, unless told (`--syslog-queue-size`). */
export const DEFAULT_QUEUE_BYTES = 10 * 1024 * 1024;

const encoder = new TextEncoder();

/** A {@linkcode MessageQueue} in memory. */
export class MemoryQueue implements MessageQueue {
  readonly where = "memory";
  #messages: { text: string; bytes: number }[] = [];
  #first = 0;
  #waitingBytes = 0;
  #dropped = 0;

  /** A queue holding at most `maxBytes` of messages (their UTF-8, a line break each). */
  constructor(readonly maxBytes: number) {}

  get waitingBytes(): number {
    return this.#waitingBytes;
  }

  get empty(): boolean {
    return this.#first === this.#messages.length;
  }

  get dropped(): number {
    return this.#dropped;
  }

  push(message: string): boolean {
    const text = message.replace(/\r?\n/g, " ");
    const bytes = encoder.encode(text).length + 1;
    if (this.#waitingBytes + bytes > this.maxBytes) {
      this.#dropped++;
      return false;
    }
    this.#messages.push({ text, bytes });
    this.#waitingBytes += bytes;
    return true;
  }

  peek(): string | null {
    return this.empty ? null : this.#messages[this.#first].text;
  }

  delivered(): void {
    if (this.empty) throw new Error("delivered() with no message waiting");
    this.#waitingBytes -= this.#messages[this.#first++].bytes;
    // Reclaim the delivered ones now and then, not at every message.
    if (this.#first > 1024 && this.#first * 2 > this.#messages.length) {
      this.#messages = this.#messages.slice(this.#first);
      this.#first = 0;
    }
  }

  close(): void {}
}
