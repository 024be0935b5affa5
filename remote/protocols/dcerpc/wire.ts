/**
 * DCE/RPC's bytes: the error for a reply that is not what it should be, NDR's UUID layout, and a
 * bounds-checked field reader (in the byte order the reply's own data representation says) and
 * writer (little-endian, as every request here is written). Every length a reply gives passes
 * through the reader's check, so a short or lying reply is a {@linkcode DceRpcError}, never a
 * misread or an exception from deep inside.
 *
 * @module
 */

import type { SyntaxId } from "./constants.ts";

/** A reply that is not the DCE/RPC it should be; the message says where it went wrong. */
export class DceRpcError extends Error {
  override name = "DceRpcError";
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A UUID as NDR lays out its `uuid_t` struct: time_low (4 bytes), time_mid and
 * time_hi_and_version (2 each) in the given byte order, then clock_seq and node (8 single bytes)
 * as written.
 */
export function encodeUuid(uuid: string, littleEndian = true): Uint8Array {
  if (!UUID_PATTERN.test(uuid)) throw new DceRpcError(`not a UUID: ${uuid}`);
  const hex = uuid.replaceAll("-", "");
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, parseInt(hex.slice(0, 8), 16), littleEndian);
  view.setUint16(4, parseInt(hex.slice(8, 12), 16), littleEndian);
  view.setUint16(6, parseInt(hex.slice(12, 16), 16), littleEndian);
  for (let i = 0; i < 8; i++) bytes[8 + i] = parseInt(hex.slice(16 + 2 * i, 18 + 2 * i), 16);
  return bytes;
}

/** The UUID in the 16 bytes at `offset`, laid out as {@linkcode encodeUuid} writes one. */
export function decodeUuid(bytes: Uint8Array, offset = 0, littleEndian = true): string {
  if (offset + 16 > bytes.length) throw new DceRpcError("a UUID runs past the data");
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, 16);
  const hex = (value: number, digits: number) => value.toString(16).padStart(digits, "0");
  const tail = [...bytes.subarray(offset + 8, offset + 16)].map((byte) => hex(byte, 2)).join("");
  return `${hex(view.getUint32(0, littleEndian), 8)}-${hex(view.getUint16(4, littleEndian), 4)}-` +
    `${hex(view.getUint16(6, littleEndian), 4)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
}

/** Reads NDR (or header) fields in order; every read checks there are enough bytes. */
export class Reader {
  #offset: number;
  readonly #view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    /** What is being read, for messages: "ept_lookup reply". */
    readonly what: string,
    offset = 0,
  ) {
    this.#offset = offset;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.#offset;
  }

  /** Skips to the next multiple of `boundary` (NDR aligns each primitive to its size). */
  align(boundary: number): void {
    const rest = this.#offset % boundary;
    if (rest !== 0) this.skip(boundary - rest, "alignment padding");
  }

  skip(count: number, field: string): void {
    this.#need(count, field);
    this.#offset += count;
  }

  u8(field: string): number {
    this.#need(1, field);
    return this.bytes[this.#offset++];
  }

  u16(field: string): number {
    this.#need(2, field);
    const value = this.#view.getUint16(this.#offset, this.littleEndian);
    this.#offset += 2;
    return value;
  }

  u32(field: string): number {
    this.#need(4, field);
    const value = this.#view.getUint32(this.#offset, this.littleEndian);
    this.#offset += 4;
    return value;
  }

  uuid(field: string): string {
    this.#need(16, field);
    const value = decodeUuid(this.bytes, this.#offset, this.littleEndian);
    this.#offset += 16;
    return value;
  }

  /** `count` bytes, a view into the data. */
  take(count: number, field: string): Uint8Array {
    this.#need(count, field);
    const value = this.bytes.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return value;
  }

  #need(count: number, field: string): void {
    if (this.#offset + count > this.bytes.length) {
      throw new DceRpcError(
        `${this.what} ends inside ${field} (${count} byte(s) at offset ${this.#offset}, ` +
          `${Math.max(0, this.bytes.length - this.#offset)} left)`,
      );
    }
  }
}

/** Writes fields little-endian into a buffer of known size. */
export class Writer {
  readonly bytes: Uint8Array;
  readonly #view: DataView;
  #offset = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.#view = new DataView(this.bytes.buffer);
  }

  u8(value: number): this {
    this.bytes[this.#offset++] = value;
    return this;
  }

  u16(value: number): this {
    this.#view.setUint16(this.#offset, value, true);
    this.#offset += 2;
    return this;
  }

  u32(value: number): this {
    this.#view.setUint32(this.#offset, value, true);
    this.#offset += 4;
    return this;
  }

  put(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.#offset);
    this.#offset += bytes.length;
    return this;
  }

  /** A syntax id as a presentation context carries it: the UUID, then major and minor. */
  syntax(syntax: SyntaxId): this {
    return this.put(encodeUuid(syntax.uuid)).u16(syntax.major).u16(syntax.minor);
  }
}

/**
 * Whether a data representation's first byte says little-endian integers, after checking that
 * the characters are ASCII (EBCDIC would need every string translated, and no endpoint mapper
 * in use sends it).
 */
export function integerOrder(drep0: number, what: string): boolean {
  if ((drep0 & 0x0f) !== 0) throw new DceRpcError(`${what} uses EBCDIC characters`);
  const order = drep0 >> 4;
  if (order > 1) throw new DceRpcError(`${what} has an unknown integer representation ${order}`);
  return order === 1;
}

/** A NUL-terminated (or not) single-byte string, made printable. */
export function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return printable(end < 0 ? bytes : bytes.subarray(0, end));
}

/**
 * Bytes as Latin-1 text with control characters shown as `?`: what a server puts in an
 * annotation or an endpoint name reaches a terminal, and must not drive it.
 */
function printable(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) {
    text += byte < 0x20 || (byte >= 0x7f && byte < 0xa0) ? "?" : String.fromCharCode(byte);
  }
  return text;
}
