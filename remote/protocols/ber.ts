/**
 * The small part of ASN.1 BER that SNMP and LDAP messages need: tag-length-value elements with
 * definite lengths, integers, octet strings, object identifiers. Enough to build one request and
 * read one reply, and strict about lengths so a short or lying reply is an error, not a misread.
 *
 * @module
 */

/** Universal and context tags used by SNMP v1 and LDAP. */
export const BER = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** A reply that is not the BER it should be; the message says where it went wrong. */
export class BerError extends Error {
  override name = "BerError";
}

/** One element: its tag, and its contents (a view into the message). */
export interface BerElement {
  tag: number;
  contents: Uint8Array;
}

/** `tag`, a definite length, then `contents` (constructed elements take their parts joined). */
export function berElement(tag: number, ...contents: Uint8Array[]): Uint8Array {
  const length = contents.reduce((sum, part) => sum + part.length, 0);
  const header = [tag, ...berLength(length)];
  const bytes = new Uint8Array(header.length + length);
  bytes.set(header);
  let offset = header.length;
  for (const part of contents) {
    bytes.set(part, offset);
    offset += part.length;
  }
  return bytes;
}

/** A length: one byte below 128, else 0x80 + the count of big-endian bytes that follow. */
function berLength(length: number): number[] {
  if (length < 0x80) return [length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** An INTEGER (or, with another tag, an ENUMERATED) in the fewest two's complement bytes. */
export function berInteger(value: number, tag: number = BER.INTEGER): Uint8Array {
  const bytes: number[] = [];
  let rest = value;
  do {
    bytes.unshift(rest & 0xff);
    rest = Math.floor(rest / 256);
  } while (
    // Stop when the rest is all sign: 0 for a positive value whose top bit is clear, -1 for a
    // negative one whose top bit is set.
    !((rest === 0 && (bytes[0] & 0x80) === 0) || (rest === -1 && (bytes[0] & 0x80) !== 0))
  );
  return berElement(tag, new Uint8Array(bytes));
}

/** An OCTET STRING (or another tag) holding `text` as UTF-8. */
export function berString(text: string, tag: number = BER.OCTET_STRING): Uint8Array {
  return berElement(tag, new TextEncoder().encode(text));
}

/** An OBJECT IDENTIFIER from its dotted form, `1.3.6.1.2.1.1.1.0`. */
export function berOid(dotted: string): Uint8Array {
  const arcs = dotted.split(".").map(Number);
  if (arcs.length < 2 || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) {
    throw new BerError(`not an object identifier: ${dotted}`);
  }
  const bytes: number[] = [];
  for (const arc of [arcs[0] * 40 + arcs[1], ...arcs.slice(2)]) {
    // Base 128, most significant group first, every group but the last with its top bit set.
    const groups = [arc & 0x7f];
    for (let rest = Math.floor(arc / 128); rest > 0; rest = Math.floor(rest / 128)) {
      groups.unshift((rest & 0x7f) | 0x80);
    }
    bytes.push(...groups);
  }
  return berElement(BER.OID, new Uint8Array(bytes));
}

/** Reads elements one after another from `bytes`. */
export class BerReader {
  #offset = 0;

  constructor(readonly bytes: Uint8Array) {}

  /** True while elements remain. */
  get more(): boolean {
    return this.#offset < this.bytes.length;
  }

  /** The next element; with `expected`, refuses any other tag. */
  read(expected?: number): BerElement {
    const bytes = this.bytes;
    if (this.#offset + 2 > bytes.length) throw new BerError("reply ends inside an element header");
    const tag = bytes[this.#offset++];
    if ((tag & 0x1f) === 0x1f) throw new BerError("multi-byte tags are not used by this protocol");
    let length = bytes[this.#offset++];
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 4) throw new BerError(`unsupported length form 0x${hex(length)}`);
      if (this.#offset + count > bytes.length) throw new BerError("reply ends inside a length");
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + bytes[this.#offset++];
    }
    if (this.#offset + length > bytes.length) {
      throw new BerError(`element 0x${hex(tag)} says ${length} bytes, fewer are left`);
    }
    if (expected !== undefined && tag !== expected) {
      throw new BerError(`expected element 0x${hex(expected)}, found 0x${hex(tag)}`);
    }
    const contents = bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return { tag, contents };
  }

  /** A reader over the next element's contents (a SEQUENCE's parts, say). */
  enter(expected?: number): BerReader {
    return new BerReader(this.read(expected).contents);
  }

  /** The next element as an integer (INTEGER or, with `tag`, ENUMERATED). */
  integer(tag: number = BER.INTEGER): number {
    return berToInteger(this.read(tag).contents);
  }

  /** The next element as UTF-8 text. */
  string(tag: number = BER.OCTET_STRING): string {
    return new TextDecoder().decode(this.read(tag).contents);
  }
}

/** A two's complement integer's value. */
export function berToInteger(contents: Uint8Array): number {
  if (contents.length === 0 || contents.length > 6) {
    throw new BerError(`an integer of ${contents.length} bytes`);
  }
  // Starting from -1 for a set sign bit sign-extends the value as the bytes shift in.
  let value = contents[0] & 0x80 ? -1 : 0;
  for (const byte of contents) value = value * 256 + byte;
  return value;
}

/** An OBJECT IDENTIFIER's dotted form. */
export function berToOid(contents: Uint8Array): string {
  const arcs: number[] = [];
  let arc = 0;
  for (const byte of contents) {
    arc = arc * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      // The first number packs the first two arcs: 40 * first + second (first is 0, 1 or 2).
      if (arcs.length > 0) arcs.push(arc);
      else if (arc < 80) arcs.push(Math.floor(arc / 40), arc % 40);
      else arcs.push(2, arc - 80);
      arc = 0;
    }
  }
  return arcs.join(".");
}

function hex(value: number): string {
  return value.toString(16).padStart(2, "0");
}
