/**
 * Reading a file the user names as input (a rule, a baseline, an interests file) without trusting
 * it: only a regular file is read, never a device, FIFO or socket (`/dev/zero` would fill the
 * memory, a FIFO would hang); at most a stated size, with a clear message past it; UTF-8 only,
 * with a byte-order mark (which Windows editors write) dropped.
 *
 * The file is opened without blocking and checked on the open descriptor, so one swapped for a
 * FIFO between a check and the open cannot hang the read either.
 *
 * @module
 */

import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { formatMib } from "./units.ts";

/** The file cannot be used; the message is one line naming the file and the reason. */
export class InputFileError extends Error {
  override name = "InputFileError";
}

/** What the file is, for messages, and how large it may be. */
export interface InputFileOptions {
  /** `rule file`, `baseline` …: `PATH: cannot read the rule file: …`. */
  what: string;
  /** Larger files are refused; no file of this kind comes near it. */
  maxBytes: number;
}

/** The file's bytes; throws {@linkcode InputFileError} when it is not a regular file or too large. */
export function readInputBytes(path: string, options: InputFileOptions): Uint8Array {
  const cannot = (reason: string) =>
    new InputFileError(`${path}: cannot read the ${options.what}: ${reason}`);
  let fd: number;
  try {
    // O_NONBLOCK (where there is one): opening a FIFO does not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw cannot(openErrorText(error));
  }
  try {
    const info = fstatSync(fd);
    if (info.isDirectory()) throw cannot("it is a directory");
    if (!info.isFile()) throw cannot("it is a device, FIFO or socket, not a regular file");
    if (info.size > options.maxBytes) throw cannot(tooLarge(info.size, options.maxBytes, true));
    // The file may grow while it is read: the limit is kept on what is read.
    const chunks: Uint8Array[] = [];
    let total = 0;
    const buffer = new Uint8Array(Math.min(Math.max(info.size + 1, 4096), 1 << 20));
    for (;;) {
      const count = readSync(fd, buffer);
      if (count === 0) break;
      total += count;
      if (total > options.maxBytes) throw cannot(tooLarge(total, options.maxBytes, false));
      chunks.push(buffer.slice(0, count));
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return bytes;
  } catch (error) {
    if (error instanceof InputFileError) throw error;
    throw cannot(openErrorText(error));
  } finally {
    closeSync(fd);
  }
}

/** The file as UTF-8 text, a byte-order mark dropped; anything else is refused. */
export function readInputText(path: string, options: InputFileOptions): string {
  return decodeInputText(readInputBytes(path, options), path, options.what);
}

/** `bytes` of the file at `path` as UTF-8 text, a byte-order mark dropped. */
export function decodeInputText(bytes: Uint8Array, path: string, what: string): string {
  try {
    // The decoder drops a leading UTF-8 byte-order mark itself (ignoreBOM is false).
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InputFileError(
      `${path}: the ${what} is not UTF-8 text` +
        (bytes[0] === 0xff && bytes[1] === 0xfe || bytes[0] === 0xfe && bytes[1] === 0xff
          ? " (it is UTF-16: save it as UTF-8)"
          : ""),
    );
  }
}

/** node:fs's errors carry a code: ENOENT rather than Deno's classes. */
function openErrorText(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === "ENOENT") return "no such file";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory";
  if (code === "ELOOP") return "too many symbolic links";
  return (error as Error).message;
}

/** `exact`: `size` is the file's; else it is what was read before the limit stopped the read. */
function tooLarge(size: number, maxBytes: number, exact: boolean): string {
  return `it is ${exact ? formatMib(size) : "still growing past " + formatMib(maxBytes)}, ` +
    `more than the ${formatMib(maxBytes)} any such file needs`;
}
