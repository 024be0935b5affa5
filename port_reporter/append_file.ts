/**
 * An append-only log file that writes each record whole or not at all: a write that fails (a
 * full disk) is cut back to where the record began, so a crash or a full disk never leaves half a
 * record.
 *
 * @module
 */

/** The logs could not be written (no directory, no permission, a full disk); says which file. */
export class ReporterError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "ReporterError";
}

/** An append-only log file that knows its size and can take back a failed record. */
export class AppendFile {
  #file: Deno.FsFile;
  #closed = false;
  size: number;

  constructor(readonly path: string, header: string) {
    try {
      this.#file = Deno.openSync(path, { write: true, createNew: true, mode: 0o600 });
    } catch (error) {
      throw new ReporterError(`cannot create ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.size = 0;
    try {
      this.append(encoder.encode(header));
    } catch (error) {
      this.discard(); // a log without its header is no log: none is left behind
      throw error;
    }
  }

  /**
   * Whether the path still names this file: false once it was removed or replaced (its directory
   * removed while the monitor runs), when what is written would reach no one.
   */
  inPlace(): boolean {
    try {
      const named = Deno.lstatSync(this.path);
      const open = this.#file.statSync();
      // Windows gives no inode numbers; there a file that is still named is taken as this one.
      return open.ino === null || (named.ino === open.ino && named.dev === open.dev);
    } catch {
      return false;
    }
  }

  /** Writes `bytes` whole, or takes back what part of them was written and throws. */
  append(bytes: Uint8Array): void {
    const start = this.size;
    try {
      for (let written = 0; written < bytes.length;) {
        written += this.#file.writeSync(bytes.subarray(written));
      }
      this.size += bytes.length;
    } catch (error) {
      try {
        this.#file.truncateSync(start);
        this.#file.seekSync(start, Deno.SeekMode.Start);
      } catch {
        // the record's start is still the end of the whole records before it
      }
      throw new ReporterError(`cannot write ${this.path}: ${(error as Error).message}`);
    }
  }

  /** Takes the file back to `size` bytes: the pair's other record failed. */
  cut(size: number): void {
    try {
      this.#file.truncateSync(size);
      this.#file.seekSync(size, Deno.SeekMode.Start);
    } catch (error) {
      throw new ReporterError(`cannot write ${this.path}: ${(error as Error).message}`);
    }
    this.size = size;
  }

  /** Flushes what was written to disk. */
  flush(): void {
    try {
      this.#file.syncDataSync();
    } catch (error) {
      throw new ReporterError(`cannot write ${this.path}: ${(error as Error).message}`);
    }
  }

  /** Closes the file; once is enough, and a failure to close loses nothing already flushed. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#file.close();
    } catch {
      // nothing to do about it, and the records were flushed at the end of their tick
    }
  }

  /** Closes and removes the file: it was made, but never got its header. */
  discard(): void {
    this.close();
    try {
      Deno.removeSync(this.path);
    } catch {
      // gone already, or the directory with it
    }
  }
}

/** The logs' text encoding. */
export const encoder: TextEncoder = new TextEncoder();
