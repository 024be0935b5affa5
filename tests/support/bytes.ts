/**
 * Byte layouts written out by hand for tests, apart from the codecs they check: numbers as
 * little- or big-endian byte lists, text as ASCII bytes, and little-endian reads.
 *
 * @module
 */

/** A 16-bit number, little end first. */
export const le16 = (value: number): number[] => [value & 0xff, value >> 8];

/** A 32-bit number, little end first. */
export const le32 = (value: number): number[] => [
  value & 0xff,
  (value >> 8) & 0xff,
  (value >> 16) & 0xff,
  value >>> 24,
];

/** A 16-bit number, big end (network order) first. */
export const be16 = (value: number): number[] => [value >> 8, value & 0xff];

/** A 32-bit number, big end (network order) first. */
export const be32 = (value: number): number[] => [
  value >>> 24,
  (value >> 16) & 0xff,
  (value >> 8) & 0xff,
  value & 0xff,
];

/** Text as its ASCII bytes. */
export const ascii = (text: string): number[] => [...text].map((char) => char.charCodeAt(0));

/** The little-endian 16-bit number at `offset`. */
export const readLe16 = (bytes: Uint8Array, offset: number): number =>
  bytes[offset] | (bytes[offset + 1] << 8);

/** The little-endian 32-bit number at `offset`, unsigned. */
export const readLe32 = (bytes: Uint8Array, offset: number): number =>
  (bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16)) +
  bytes[offset + 3] * 0x1000000;
