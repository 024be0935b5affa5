/**
 * A bounded queue of one-line messages on disk, for a destination that may be down (a syslog
 * server being restarted): messages wait in order and are taken out once each, in order, when
 * it is back; the queue survives a restart of the monitor.
 *
 * On disk, in the queue's directory:
 *
 * - `queue` holds the messages, one per line, appended and flushed (`fdatasync`) as they come;
 * - `queue.head` holds the byte offset of the first message not yet delivered, replaced
 *   atomically (a temporary file renamed) after each delivery.
 *
 * When every message has been delivered the file is emptied, so it only grows while the
 * destination is away. A message that would take the waiting bytes past the bound is dropped
 * and counted: the oldest waiting messages are the ones kept, the record of what happened
 * first. A crash between a delivery and the head's update delivers that one message again on
 * the next start: at least once, in order, and once in every other case.
 *
 * @module
 */

import type { MessageQueue } from "./message_queue.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Why the queue could not be used: its directory or files cannot be read or written. */
export class QueueError extends Error {
  /** `message` says what failed; `cause` is the OS's error. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "QueueError";
  }
}

/** A queue in a directory of its own; see the module's notes. */
export class DiskQueue implements MessageQueue {
  readonly #file: Deno.FsFile;
  readonly #path: string;
  readonly #headPath: string;
  /** Bytes of the file before the first waiting message. */
  #head: number;
  /** The file's size: where the next message goes. */
  #tail: number;
  #dropped = 0;
  /** The first waiting message, once read; cleared when it is delivered. */
  #next: { text: string; bytes: number } | null = null;

  private constructor(
    readonly directory: string,
    readonly maxBytes: number,
    file: Deno.FsFile,
    head: number,
    tail: number,
  ) {
    this.#file = file;
    this.#path = `${directory}/queue`;
    this.#headPath = `${directory}/queue.head`;
    this.#head = head;
    this.#tail = tail;
  }

  /**
   * Opens the queue in `directory` (made, owner only, when missing), with what an earlier run
   * left waiting; `maxBytes` bounds the waiting messages.
   */
  static open(directory: string, maxBytes: number): DiskQueue {
    try {
      Deno.mkdirSync(directory, { recursive: true, mode: 0o700 });
      const file = Deno.openSync(`${directory}/queue`, {
        read: true,
        write: true,
        create: true,
        mode: 0o600,
      });
      const tail = file.statSync().size;
      const head = Math.min(readHead(`${directory}/queue.head`), tail);
      const queue = new DiskQueue(directory, maxBytes, file, head, tail);
      queue.#dropTorn();
      return queue;
    } catch (error) {
      if (error instanceof QueueError) throw error;
      throw new QueueError(`cannot open the queue in ${directory}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** The queue's directory. */
  get where(): string {
    return this.directory;
  }

  /** Bytes of messages waiting. */
  get waitingBytes(): number {
    return this.#tail - this.#head;
  }

  /** Whether no message waits. */
  get empty(): boolean {
    return this.#tail === this.#head;
  }

  /** Messages dropped because the queue was full, since it was opened. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Adds `message` (one line: a line break in it is a space) at the end, on disk before this
   * returns. False, and counted in {@linkcode dropped}, when it does not fit in the bound.
   */
  push(message: string): boolean {
    const bytes = encoder.encode(message.replace(/\r?\n/g, " ") + "\n");
    if (this.waitingBytes + bytes.length > this.maxBytes) {
      this.#dropped++;
      return false;
    }
    try {
      this.#file.seekSync(this.#tail, Deno.SeekMode.Start);
      for (let written = 0; written < bytes.length;) {
        written += this.#file.writeSync(bytes.subarray(written));
      }
      this.#file.syncDataSync();
    } catch (error) {
      // Back to the last whole message: no torn line for the next start to deliver.
      try {
        this.#file.truncateSync(this.#tail);
      } catch {
        // the next open drops a torn last line anyway
      }
      throw new QueueError(`cannot add to the queue in ${this.directory}: ${String(error)}`, {
        cause: error,
      });
    }
    this.#tail += bytes.length;
    return true;
  }

  /** The first waiting message, without taking it out; null when none waits. */
  peek(): string | null {
    if (this.empty) return null;
    if (this.#next === null) {
      let size = 4096;
      for (;;) {
        const buffer = new Uint8Array(Math.min(size, this.waitingBytes));
        this.#file.seekSync(this.#head, Deno.SeekMode.Start);
        const read = readFully(this.#file, buffer);
        const end = buffer.subarray(0, read).indexOf(10);
        if (end >= 0) {
          this.#next = { text: decoder.decode(buffer.subarray(0, end)), bytes: end + 1 };
          break;
        }
        if (read < buffer.length || buffer.length === this.waitingBytes) {
          throw new QueueError(`the queue in ${this.directory} ends inside a message`);
        }
        size *= 4;
      }
    }
    return this.#next.text;
  }

  /** Takes out the message {@linkcode peek} gave: it was delivered. */
  delivered(): void {
    if (this.#next === null) throw new QueueError("delivered() without a message from peek()");
    this.#head += this.#next.bytes;
    this.#next = null;
    try {
      if (this.empty) {
        // All delivered: start over, so the file only holds what waits.
        this.#file.truncateSync(0);
        this.#head = this.#tail = 0;
      }
      writeHead(this.#headPath, this.#head);
    } catch (error) {
      throw new QueueError(`cannot update the queue in ${this.directory}: ${String(error)}`, {
        cause: error,
      });
    }
  }

  /** Closes the file; what waits stays for the next run. */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }

  /** A last line with no line break (a crash while appending) was never pushed: cut it off. */
  #dropTorn(): void {
    if (this.#tail === 0) return;
    const last = new Uint8Array(1);
    this.#file.seekSync(this.#tail - 1, Deno.SeekMode.Start);
    readFully(this.#file, last);
    if (last[0] === 10) return;
    let cut = this.#tail - 1;
    const chunk = new Uint8Array(4096);
    while (cut > this.#head) {
      const from = Math.max(this.#head, cut - chunk.length);
      this.#file.seekSync(from, Deno.SeekMode.Start);
      const read = readFully(this.#file, chunk.subarray(0, cut - from));
      const newline = chunk.subarray(0, read).lastIndexOf(10);
      if (newline >= 0) {
        cut = from + newline + 1;
        break;
      }
      cut = from;
    }
    this.#file.truncateSync(cut);
    this.#tail = cut;
  }
}

function readFully(file: Deno.FsFile, buffer: Uint8Array): number {
  let total = 0;
  while (total < buffer.length) {
    const read = file.readSync(buffer.subarray(total));
    if (read === null || read === 0) break;
    total += read;
  }
  return total;
}

function readHead(path: string): number {
  try {
    const value = Number(Deno.readTextFileSync(path).trim());
    return Number.isSafeInteger(value) && value >= 0 ? value : 0;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
}

function writeHead(path: string, head: number): void {
  const temporary = `${path}.tmp`;
  Deno.writeTextFileSync(temporary, `${head}\n`, { mode: 0o600 });
  Deno.renameSync(temporary, path);
}
