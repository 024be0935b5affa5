/**
 * The loop that empties a queue into a server, shared by the senders that outlive the server's
 * absence (the syslog stream, Loki): the oldest message is taken out only once it was delivered
 * (or refused for good), one at a time, in order; when the server is away the loop stops and
 * tries again later, each time later (retry.ts); when the monitor stops it goes on for a bounded
 * time, then the queue is closed, a disk queue keeping what did not go for the next run. How a
 * message is delivered, and what is said of an outage, is each sender's own.
 *
 * @module
 */

import type { MessageQueue } from "./message_queue.ts";
import { Backoff, settleWithin } from "./retry.ts";

/** What a sender does with the messages {@linkcode QueueDrain} takes from its queue. */
export interface Delivery {
  /**
   * Delivers `message`, the oldest waiting. Resolves to `null` when the queue is done with it
   * (delivered, or refused for good), or to why the server is away: then it stays first, and
   * the drain tries again later.
   */
  deliver(message: string): Promise<string | null>;
  /** The server is away, for `reason`; messages wait. Told at each failed attempt. */
  away(reason: string): void;
  /** The drain stopped with nothing left to take, or because it was closed. */
  idle?(): void;
}

/** Takes a queue's messages to a server, one at a time, through its absences. */
export class QueueDrain {
  #draining: Promise<void> | null = null;
  #retry: Backoff;
  #closed = false;

  /** A drain of `queue` through `delivery`, first retrying after `firstRetryMs`. */
  constructor(
    readonly queue: MessageQueue,
    readonly delivery: Delivery,
    firstRetryMs: number,
  ) {
    this.#retry = new Backoff(firstRetryMs);
  }

  /** Whether {@linkcode QueueDrain.close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Starts delivering what waits, unless it already is, or a retry is set, or it is closed. */
  kick(): void {
    if (this.#draining || this.#closed || this.#retry.pending) return;
    this.#draining = this.#drain().finally(() => this.#draining = null);
  }

  /** Resolves when nothing is being delivered (or the server is away): for tests and stopping. */
  async settled(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** The server takes messages again: the next failure's retry starts from the first delay. */
  recovered(): void {
    this.#retry.reset();
  }

  /**
   * Delivers what it can within `deadlineMs` (when `wait`), then stops and closes the queue;
   * what did not go waits on disk (a disk queue) for the next run.
   */
  async close(deadlineMs: number, wait = true): Promise<void> {
    if (this.#closed) return;
    if (wait) await settleWithin(this.settled(), deadlineMs);
    this.#closed = true;
    this.#retry.cancel();
    this.queue.close();
  }

  async #drain(): Promise<void> {
    while (!this.#closed && !this.queue.empty) {
      const away = await this.delivery.deliver(this.queue.peek()!);
      if (away !== null) {
        this.delivery.away(away);
        if (!this.#closed) this.#retry.schedule(() => this.kick());
        return;
      }
      this.queue.delivered();
    }
    this.delivery.idle?.();
  }
}
