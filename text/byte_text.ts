/**
 * Text written straight into UTF-8 bytes. A report of 16,000 sockets is 48,000 lines: made as
 * strings, each line is a chain of concatenations that V8 flattens, joins into one 2.5 MB string
 * and encodes again, and the garbage of the lines costs collections of its own. Written here, each
 * character is stored once, where it stays until the bytes are written out.
 *
 * @module
 */

const SPACE = 0x20;
const LINE_FEED = 0x0a;
const encoder = new TextEncoder();

/** A growing UTF-8 buffer with the few operations reports need: text, padding, line ends. */
export class ByteText {
  #bytes: Uint8Array<ArrayBuffer>;
  #length = 0;

  /** An empty buffer with room for `capacity` bytes before it first grows. */
  constructor(capacity = 64 * 1024) {
    this.#bytes = new Uint8Array(Math.max(capacity, 16));
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Appends `text` as UTF-8. */
  text(text: string): void {
    const length = text.length;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    if (this.#length + length * 3 > this.#bytes.length) this.#grow(length * 3);
    const bytes = this.#bytes;
    let at = this.#length;
    // ASCII, as addresses, states and most names are, byte by byte: cheaper than a call to the
    // encoder for the short cells a table is made of.
    for (let i = 0; i < length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) {
        at += encoder.encodeInto(text.slice(i), bytes.subarray(at)).written;
        break;
      }
      bytes[at++] = code;
    }
    this.#length = at;
  }

  /** Appends `count` spaces; nothing when `count` is not positive. */
  spaces(count: number): void {
    if (count <= 0) return;
    if (this.#length + count > this.#bytes.length) this.#grow(count);
    const bytes = this.#bytes;
    let at = this.#length;
    for (const end = at + count; at < end; at++) bytes[at] = SPACE;
    this.#length = at;
  }

  /** Appends `text` (if any) and a line feed. */
  line(text = ""): void {
    if (text.length > 0) this.text(text);
    if (this.#length + 1 > this.#bytes.length) this.#grow(1);
    this.#bytes[this.#length++] = LINE_FEED;
  }

  /** Appends each of `lines` with its line feed. */
  lines(lines: Iterable<string>): void {
    for (const text of lines) this.line(text);
  }

  /**
   * Appends again the bytes from `start` to `end` of what was written: a table row laid out once
   * and listed again with the same column widths.
   */
  repeat(start: number, end: number): void {
    const count = end - start;
    if (this.#length + count > this.#bytes.length) this.#grow(count);
    this.#bytes.copyWithin(this.#length, start, end);
    this.#length += count;
  }

  /** The bytes written: a view of the buffer, valid until the next write. */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.#bytes.subarray(0, this.#length);
  }

  /** The bytes written, decoded: for callers that want a string. */
  toString(): string {
    return new TextDecoder().decode(this.bytes());
  }

  #grow(needed: number): void {
    let size = this.#bytes.length * 2;
    while (size < this.#length + needed) size *= 2;
    const bytes = new Uint8Array(size);
    bytes.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = bytes;
  }
}
