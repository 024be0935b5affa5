/**
 * Address texts for the replies of one dump, each distinct address formatted once: a busy host's
 * sockets share a few hundred addresses (its own, its peers'), and every text made is a string to
 * build and, later, to collect. Each address has one slot of a small table, chosen by a hash of
 * its bytes, holding the last address seen there; a collision only means a text made again.
 *
 * @module
 */

import { formatIpv4, formatIpv6 } from "../../model/address.ts";

/** Slots in each family's table: a power of two. */
const SLOTS = 1024;

/** The texts of IPv4 and IPv6 addresses read from sock_diag replies. */
export class AddressTexts {
  #ipv4 = new Uint32Array(SLOTS);
  #ipv4Texts = new Array<string | undefined>(SLOTS);
  #ipv6 = new Uint32Array(SLOTS * 4);
  #ipv6Texts = new Array<string | undefined>(SLOTS);

  /** The text of the IPv4 address in the 4 bytes at `offset`, as formatIpv4 writes it. */
  ipv4(bytes: Uint8Array, offset: number): string {
    const key = word(bytes, offset);
    const slot = (key ^ (key >>> 10) ^ (key >>> 20)) & (SLOTS - 1);
    const known = this.#ipv4Texts[slot];
    if (known !== undefined && this.#ipv4[slot] === key) return known;
    const text = formatIpv4(bytes, offset);
    this.#ipv4[slot] = key;
    this.#ipv4Texts[slot] = text;
    return text;
  }

  /** The text of the IPv6 address in the 16 bytes at `offset`, as formatIpv6 writes it. */
  ipv6(bytes: Uint8Array, offset: number): string {
    const a = word(bytes, offset), b = word(bytes, offset + 4);
    const c = word(bytes, offset + 8), d = word(bytes, offset + 12);
    const mixed = a ^ b ^ c ^ d;
    const slot = (mixed ^ (mixed >>> 10) ^ (mixed >>> 20)) & (SLOTS - 1);
    const words = this.#ipv6, at = slot * 4;
    const known = this.#ipv6Texts[slot];
    if (
      known !== undefined && words[at] === a && words[at + 1] === b && words[at + 2] === c &&
      words[at + 3] === d
    ) return known;
    const text = formatIpv6(bytes, offset);
    words[at] = a;
    words[at + 1] = b;
    words[at + 2] = c;
    words[at + 3] = d;
    this.#ipv6Texts[slot] = text;
    return text;
  }
}

/** The 4 bytes at `offset` as one unsigned number, first byte highest. */
function word(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) |
    bytes[offset + 3]) >>> 0;
}
