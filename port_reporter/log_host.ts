/**
 * The computer a directory's logs were written on, read from the headers alone: a PR-INITIAL's or
 * a PR-PIDS's `Local computer name` (PR-PORTS names none). Only the first few KiB of a file are
 * read, so naming the hosts of a fleet costs a read per host, not a pass over the logs.
 *
 * @module
 */

import { join } from "node:path";
import { HeaderReader } from "./header.ts";
import { encodingOf } from "./line_reader.ts";

/** Bytes of a file's start read for its header: the original's header is under 1 KiB. */
const HEAD_BYTES = 16 * 1024;

/** Files tried before giving up: a directory whose first headers name no computer names none. */
const FILES_TRIED = 4;

/**
 * The computer named by the first header in `names` (file names in `directory`) that names one:
 * PR-INITIAL files first, then PR-PIDS, each in name order; null when none does.
 */
export async function readLogsComputer(
  directory: string,
  names: readonly string[],
): Promise<string | null> {
  const rank = (name: string) => /^PR-INITIAL-/i.test(name) ? 0 : /^PR-PIDS-/i.test(name) ? 1 : 2;
  const candidates = names.filter((name) => rank(name) < 2)
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, FILES_TRIED);
  for (const name of candidates) {
    const host = await headerComputer(join(directory, name));
    if (host !== null) return host;
  }
  return null;
}

/** The `Local computer name` of one file's header, or null (no header, unreadable, none named). */
async function headerComputer(path: string): Promise<string | null> {
  let head: Uint8Array;
  try {
    using file = await Deno.open(path, { read: true });
    const buffer = new Uint8Array(HEAD_BYTES);
    let filled = 0;
    while (filled < buffer.length) {
      const count = await file.read(buffer.subarray(filled));
      if (count === null) break;
      filled += count;
    }
    head = buffer.subarray(0, filled);
  } catch {
    return null;
  }
  const text = new TextDecoder(encodingOf(head)).decode(head);
  const reader = new HeaderReader();
  // The last line may be cut short by the read: it is left out.
  for (const line of text.split("\n").slice(0, -1)) {
    reader.push(line.replace(/\r$/, ""));
    if (reader.facts.host !== null) return reader.facts.host;
  }
  return null;
}
