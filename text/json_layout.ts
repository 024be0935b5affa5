/**
 * The one layout of portset's JSON outputs (README, "JSON outputs"), so that every output reads
 * alike to `grep`, `diff` and `JSON.parse`:
 *
 * - **A JSON document** is one object. Its plain fields come first, all on the first line:
 *   `format` (`portset-<output>/<version>`), `portset` (the version that wrote it), `host` (this
 *   machine), `time`, then the output's own. Each list of records follows, one record per line.
 *   A dump of any size stays one valid document and one record per line.
 * - **JSON lines** are one object per line, each with an `event` and a `time`: a `start` line
 *   that names the format, then the records, then an `end` line when the stream ends.
 *
 * @module
 */

/** Chunks of about this many characters: a large document is written as it is made. */
const CHUNK_SIZE = 64 * 1024;

/**
 * A document in the layout above, in chunks: `head`'s fields on the first line, then each of
 * `lists`, one record per line.
 */
export function* jsonDocumentChunks(
  head: Record<string, unknown>,
  lists: Record<string, Iterable<unknown>>,
): Generator<string> {
  const names = Object.keys(lists);
  const first = JSON.stringify(head);
  if (names.length === 0) {
    yield first + "\n";
    return;
  }
  let chunk = first === "{}" ? "{" : `${first.slice(0, -1)},`;
  for (let index = 0; index < names.length; index++) {
    chunk += `${index === 0 ? "" : ","}\n${JSON.stringify(names[index])}: [`;
    let empty = true;
    for (const record of lists[names[index]]) {
      chunk += (empty ? "\n" : ",\n") + JSON.stringify(record);
      empty = false;
      if (chunk.length >= CHUNK_SIZE) {
        yield chunk;
        chunk = "";
      }
    }
    chunk += empty ? "]" : "\n]";
  }
  yield chunk + "}\n";
}

/** {@linkcode jsonDocumentChunks} as one string. */
export function formatJsonDocument(
  head: Record<string, unknown>,
  lists: Record<string, Iterable<unknown>>,
): string {
  return [...jsonDocumentChunks(head, lists)].join("");
}

/** One line of a JSON-lines stream. */
export function jsonLine(record: Record<string, unknown>): string {
  return JSON.stringify(record) + "\n";
}
