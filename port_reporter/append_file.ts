/**
 * An append-only log file that writes each record whole or not at all: a write that fails (a
 * full disk) is cut back to where the record began, so a crash or a full disk never leaves half a
 * record.
 *
 * @module
 */

/** The logs could not be written (no directory, no permission, a full disk); says which file. */
export class ReporterError extends Error {
  override name = "ReporterError";
}

/** An append-only log file that knows its size and can take back a failed record. */
export class AppendFile {
  #file: Deno.FsFile;
  size: number;

  constructor(readonly path: string, header: string) {
    try {
      this.#file = Deno.openSync(path, { write: true, createNew: true, mode: 0o600 });
    } catch (error) {
      throw new ReporterError(`cannot create ${path}: ${(error as Error).message}`);
    }
    this.size = 0;
    this.append(encoder.encode(header));
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
    this.#file.truncateSync(size);
    this.#file.seekSync(size, Deno.SeekMode.Start);
    this.size = size;
  }

  /** Flushes what was written to disk. */
  flush(): void {
    this.#file.syncDataSync();
  }

  /** Closes the file. */
  close(): void {
    this.#file.close();
  }
}

/** The logs' text encoding. */
export const encoder: TextEncoder = new TextEncoder();
