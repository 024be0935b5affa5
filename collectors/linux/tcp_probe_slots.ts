/**
 * The TCP prober's table of attempts in flight: parallel typed arrays indexed by slot, with a
 * free list and a descriptor-to-slot map, so that a 65,535-port range makes no object per port.
 * The prober's loop reads and writes the arrays directly; the table only hands slots out, finds
 * them by descriptor, and takes them back.
 *
 * @module
 */

import type { GreetingRead } from "../probe.ts";

/**
 * The attempts in flight, in parallel arrays indexed by slot, so that a 65,535-port range makes
 * no object per port; a socket's slot is found through its descriptor.
 */
export class Slots {
  /** The attempt's socket, -1 for a free slot. */
  readonly fd: Int32Array;
  /** The attempt's port, as its index in the batch. */
  readonly index: Int32Array;
  /** Milliseconds since the batch began, whole: small integers cost no allocation. */
  readonly deadline: Int32Array;
  /** Set once connected, while the server's greeting is read. */
  readonly greeting: (GreetingRead | null)[];
  /** The greeting's buffer, and how many bytes of it have come. */
  readonly received: (Uint8Array | null)[];
  readonly length: Int32Array;
  #free: number[];
  #slotOfFd = new Int32Array(1024).fill(-1);
  /** Slots in use. */
  size = 0;

  constructor(capacity: number) {
    this.fd = new Int32Array(capacity).fill(-1);
    this.index = new Int32Array(capacity);
    this.deadline = new Int32Array(capacity);
    this.greeting = new Array(capacity).fill(null);
    this.received = new Array(capacity).fill(null);
    this.length = new Int32Array(capacity);
    this.#free = Array.from({ length: capacity }, (_, i) => capacity - 1 - i);
  }

  /** Whether every slot is in use. */
  get full(): boolean {
    return this.#free.length === 0;
  }

  /** A free slot for `fd`'s attempt at port `index`, until `deadline`; there must be one. */
  take(fd: number, index: number, deadline: number): number {
    const slot = this.#free.pop()!;
    if (fd >= this.#slotOfFd.length) {
      const grown = new Int32Array(Math.max(fd + 1, this.#slotOfFd.length * 2)).fill(-1);
      grown.set(this.#slotOfFd);
      this.#slotOfFd = grown;
    }
    this.#slotOfFd[fd] = slot;
    this.fd[slot] = fd;
    this.index[slot] = index;
    this.deadline[slot] = deadline;
    this.size++;
    return slot;
  }

  /** `fd`'s slot, or -1 when it has none. */
  of(fd: number): number {
    return fd < this.#slotOfFd.length ? this.#slotOfFd[fd] : -1;
  }

  /** Frees `slot` (its socket is the caller's to close or keep). */
  release(slot: number): void {
    this.#slotOfFd[this.fd[slot]] = -1;
    this.fd[slot] = -1;
    this.greeting[slot] = null;
    this.received[slot] = null;
    this.length[slot] = 0;
    this.#free.push(slot);
    this.size--;
  }
}
