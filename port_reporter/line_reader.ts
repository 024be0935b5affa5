/**
 * Reads a log file line by line, streaming: one chunk of the file in memory at a time, however
 * large the file. Lines are handed to a synchronous callback (an `await` per line would cost more
 * than the parsing), and progress is reported in bytes after each chunk.
 *
 * UTF-8 by default; a UTF-16 byte-order mark (which Windows tools of the original's era wrote)
 * switches the decoder. Bytes that are not valid text become U+FFFD rather than stopping the read.
 *
 * @module
 */

/** Called with each line (without its line break) and its 1-based number. */
export type LineHandler = (line: string, lineNumber: number) => void;

/**
 * A line ends at a line feed, a CR LF, or a carriage return alone (a file written with the old
 * Mac's line ends, or two lines run together), which no field of a log holds: portset writes
 * control characters as `?`, and Windows names cannot hold them. Taken for a character, it
 * joined the record after it to the one before, which (past the fields a line has) went unread
 * without a word. A CR before another CR is not a line's end: `\r\r\n` (a CR LF written through
 * a text-mode stream) is one line end, as it was. A CR at the end of the text so far waits for
 * what follows it.
 */
const LINE_BREAK = /\r?\n|\r(?=[^\r\n])/g;

/** Longer lines are cut; no log line comes near it. */
const MAX_LINE = 1 << 20;

/** Reads `path`, calling `onLine` per line and `onBytes` with the bytes read so far. */
export async function readLines(
  path: string,
  onLine: LineHandler,
  onBytes?: (bytesRead: number) => void,
): Promise<void> {
  using file = await Deno.open(path, { read: true });
  const buffer = new Uint8Array(256 * 1024);
  let decoder: TextDecoder | null = null;
  let pending = "";
  let lineNumber = 0;
  let bytesRead = 0;
  const emit = (text: string, final: boolean) => {
    let start = 0;
    if (!text.includes("\r")) {
      for (let end = text.indexOf("\n"); end >= 0; end = text.indexOf("\n", start)) {
        onLine(text.slice(start, end), ++lineNumber);
        start = end + 1;
      }
    } else {
      LINE_BREAK.lastIndex = 0;
      for (let match = LINE_BREAK.exec(text); match; match = LINE_BREAK.exec(text)) {
        onLine(text.slice(start, match.index), ++lineNumber);
        start = match.index + match[0].length;
      }
    }
    const rest = text.slice(start);
    if (final && rest.length > 0) {
      onLine(rest.endsWith("\r") ? rest.slice(0, -1) : rest, ++lineNumber);
    }
    return rest;
  };
  while (true) {
    const count = await file.read(buffer);
    if (count === null) break;
    const bytes = buffer.subarray(0, count);
    // The decoder drops a UTF-8 or UTF-16 byte-order mark itself.
    decoder ??= new TextDecoder(encodingOf(bytes));
    bytesRead += count;
    pending = emit(pending + decoder.decode(bytes, { stream: true }), false);
    // A file with no line breaks (not a log) must not be held whole: cut it into long lines.
    // Its pieces keep its number, so the lines after it are quoted by their own.
    if (pending.length > MAX_LINE) {
      pending = emit(pending + "\n", false);
      lineNumber--;
    }
    onBytes?.(bytesRead);
  }
  emit(pending + (decoder?.decode() ?? ""), true);
}

/** The text encoding a file's first bytes announce: UTF-16 by its byte-order mark, else UTF-8. */
export function encodingOf(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return "utf-8";
}
