/**
 * Where command output goes: stdout, and files written whole or not at all (`-l FILE` logs,
 * baselines).
 *
 * @module
 */

import { CliError, EXIT_USAGE } from "./errors.ts";
import { osErrorText } from "../text/os_error.ts";
import { refuseSharedDirectory } from "./file_place.ts";
import {
  abandonTemporary,
  dirname,
  removeStaleTemporaries,
  TemporaryFile,
} from "../text/temporary_file.ts";

const encoder = new TextEncoder();

/** Writes all of `bytes` to a file or stream. */
function writeAll(target: { writeSync(bytes: Uint8Array): number }, bytes: Uint8Array): void {
  for (let written = 0; written < bytes.length;) {
    written += target.writeSync(bytes.subarray(written));
  }
}

/**
 * Writes `chunks` (text, or bytes already encoded) to stdout, and to `log` when given, one chunk at
 * a time. A reader that went
 * away (`| head`) ends stdout quietly; the log is still completed. Any other failure to write
 * (a full disk, say) abandons the log, leaving any earlier file as it was, and is reported as a
 * {@linkcode CliError}.
 */
export function writeOutput(
  chunks: Iterable<string | Uint8Array>,
  log: AtomicFile | null = null,
): void {
  let stdoutOpen = true;
  // One buffer for every chunk: a new one each would be 5.6 MB of short-lived buffers for a
  // 16,000-socket JSON, which V8 counts against its limits and answers with a full collection.
  let buffer = new Uint8Array(0);
  try {
    for (const chunk of chunks) {
      let bytes: Uint8Array;
      if (typeof chunk === "string") {
        // UTF-8 takes at most 3 bytes per UTF-16 code unit.
        if (buffer.length < chunk.length * 3) buffer = new Uint8Array(chunk.length * 3);
        bytes = buffer.subarray(0, encoder.encodeInto(chunk, buffer).written);
      } else {
        bytes = chunk;
      }
      if (stdoutOpen) {
        try {
          writeAll(Deno.stdout, bytes);
        } catch (error) {
          if (!(error instanceof Deno.errors.BrokenPipe)) {
            throw new CliError(`cannot write to standard output: ${osErrorText(error)}`);
          }
          stdoutOpen = false;
        }
      }
      log?.write(bytes);
    }
    log?.commit();
  } catch (error) {
    log?.abandon();
    throw error;
  }
}

/**
 * The one overwrite rule of every file portset writes (`-l` logs, baselines, `check --update`,
 * `--html`): an existing file is replaced only when `overwrite` (`-y`) is given or the user says
 * yes at a terminal, as PortQry asks before overwriting its log. The question goes to stderr, so
 * it never mixes with the output. `what` names the file in the question and the refusal.
 */
export function confirmOverwrite(path: string, overwrite: boolean, what = "file"): void {
  if (existingFile(path) === null || overwrite) return;
  const interactive = Deno.stdin.isTerminal() && Deno.stderr.isTerminal();
  if (interactive) {
    Deno.stderr.writeSync(encoder.encode(`portset: ${what} ${path} exists. Overwrite it? (y/n) `));
    if (/^y(es)?$/i.test(readLine().trim())) return;
  }
  throw new CliError(`${what} ${path} exists; add -y to overwrite it`, EXIT_USAGE);
}

/** One line from stdin, without its newline. */
function readLine(): string {
  const bytes: number[] = [];
  const buffer = new Uint8Array(1);
  while (Deno.stdin.readSync(buffer) === 1 && buffer[0] !== 10) bytes.push(buffer[0]);
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * What is at `path` now: null when nothing, its file info when a regular file. Anything else (a
 * directory, a device such as /dev/null, a FIFO, a symbolic link) is refused: renaming a new file
 * over it would replace the thing itself, not write into it.
 */
function existingFile(path: string): Deno.FileInfo | null {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw cannotWrite(path, error);
  }
  if (info.isFile) return info;
  const kind = info.isDirectory
    ? "a directory"
    : info.isSymlink
    ? "a symbolic link (give the path it points to)"
    : "a device, socket or FIFO";
  throw new CliError(`cannot write ${path}: it is ${kind}, not a regular file`, EXIT_USAGE);
}

/**
 * A file written whole or not at all: opened as a temporary file beside its final name before
 * any work is done, so a bad path fails at once, flushed to disk and renamed into place only when
 * complete, so a crash, a kill or a full disk leaves the old file or the new one, never half of
 * either.
 */
export class AtomicFile {
  #temporary: TemporaryFile;

  private constructor(readonly path: string, temporary: TemporaryFile) {
    this.#temporary = temporary;
  }

  /**
   * Opens `path` for writing; throws {@linkcode CliError} (exit code 2) when it cannot be, or
   * when something other than a regular file is there. A file it replaces keeps its permissions
   * and, where portset may set them, its owner, unless `exact`: then the file has `mode` whatever
   * the umask and the one it replaces had, and its writer's owner (a service definition, which
   * must stay root's and no one else's to write).
   */
  static open(path: string, mode = 0o644, { exact = false }: { exact?: boolean } = {}): AtomicFile {
    const existing = existingFile(path);
    refuseSharedDirectory(path);
    removeStaleTemporaries(path);
    let temporary: TemporaryFile | null = null;
    try {
      const kept = !exact && existing?.mode != null ? existing.mode & 0o7777 : null;
      temporary = TemporaryFile.create(path, kept ?? mode);
      const name = temporary.temporaryPath;
      if (exact) Deno.chmodSync(name, mode); // past umask
      else if (kept !== null) Deno.chmodSync(name, kept);
      if (!exact && existing?.uid != null && existing.gid != null && Deno.uid() === 0) {
        Deno.chownSync(name, existing.uid, existing.gid);
      }
      return new AtomicFile(path, temporary);
    } catch (error) {
      abandonTemporary(path, temporary);
      throw cannotWrite(path, error);
    }
  }

  /** Writes `text` whole and puts the file in place; `exact` as {@linkcode AtomicFile.open}. */
  static write(path: string, text: string, mode = 0o644, options: { exact?: boolean } = {}): void {
    const file = AtomicFile.open(path, mode, options);
    file.write(encoder.encode(text));
    file.commit();
  }

  /** Appends `bytes` to the temporary file. */
  write(bytes: Uint8Array): void {
    try {
      this.#temporary.write(bytes);
    } catch (error) {
      this.abandon();
      throw cannotWrite(this.path, error);
    }
  }

  /** Flushes the file to disk and puts it in place. */
  commit(): void {
    try {
      this.#temporary.file.syncSync();
      this.#temporary.file.close();
      this.#temporary.place();
    } catch (error) {
      this.abandon();
      throw cannotWrite(this.path, error);
    }
  }

  /** Removes the temporary file; the old log, if any, stays as it was. */
  abandon(): void {
    this.#temporary.abandon();
  }
}

function cannotWrite(path: string, error: unknown): CliError {
  const reason = error instanceof Deno.errors.NotFound && !exists(dirname(path))
    ? "its directory does not exist"
    : osErrorText(error);
  return new CliError(`cannot write ${path}: ${reason}`, EXIT_USAGE);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A log written as it goes (`-l FILE` in the watch modes): each piece is written whole and
 * flushed to disk before the call returns, so a kill or a crash loses at most the piece in
 * progress and never leaves a torn line behind the ones already written. It is placed as
 * file_place.ts says: never through a link, never in a directory others could swap it in.
 */
export class LogWriter {
  #file: Deno.FsFile;

  private constructor(readonly path: string, file: Deno.FsFile) {
    this.#file = file;
  }

  /**
   * Opens `path` for writing from the start. An existing file is replaced only with `-y` or a
   * yes at a terminal; anything but a regular file is refused. Throws {@linkcode CliError}
   * (exit code 2) when it cannot be opened.
   */
  static create(path: string, overwrite: boolean, mode = 0o644): LogWriter {
    confirmOverwrite(path, overwrite, "log file");
    refuseSharedDirectory(path);
    removeStaleTemporaries(path);
    // Made new under a temporary name (an exclusive create follows no link) and renamed into
    // place at once (a rename replaces a link planted at `path`, never writes through it): no
    // gap between a check and an open for another user to plant one in.
    let temporary: TemporaryFile | null = null;
    try {
      temporary = TemporaryFile.create(path, mode);
      temporary.place();
      return new LogWriter(path, temporary.file);
    } catch (error) {
      abandonTemporary(path, temporary);
      throw cannotWrite(path, error);
    }
  }

  /** Writes `text` and flushes it to disk. */
  write(text: string): void {
    try {
      writeAll(this.#file, encoder.encode(text));
      this.#file.syncDataSync();
    } catch (error) {
      throw cannotWrite(this.path, error);
    }
  }

  close(): void {
    this.#file.close();
  }
}
