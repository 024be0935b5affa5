/**
 * `struct sockaddr_in` and `struct sockaddr_in6` as bytes, for the OS socket calls. The layouts
 * are the same on Linux and Windows (family in host order, then the port and address in network
 * order); only the AF_INET6 value differs, so each OS passes its own.
 *
 * @module
 */

import type { IpAddress } from "../model/address.ts";

/** sizeof(struct sockaddr_in) */
export const SOCKADDR_IN_SIZE = 16;
/** sizeof(struct sockaddr_in6) */
export const SOCKADDR_IN6_SIZE = 28;

/** The address families' values on one OS. */
export interface AddressFamilies {
  inet: number;
  inet6: number;
}

/**
 * The sockaddr for `address` and `port`: sin_family (u16, little endian on the x86-64 and
 * aarch64 hosts portset runs on), sin_port (big endian), then sin_addr at 4; or sin6_family,
 * sin6_port, sin6_flowinfo (0), sin6_addr at 8 and sin6_scope_id at 24.
 */
export function encodeSockaddr(
  address: IpAddress,
  port: number,
  families: AddressFamilies,
): Uint8Array<ArrayBuffer> {
  const ipv4 = address.family === 4;
  const bytes = new Uint8Array(ipv4 ? SOCKADDR_IN_SIZE : SOCKADDR_IN6_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, ipv4 ? families.inet : families.inet6, true);
  view.setUint16(2, port, false);
  bytes.set(address.bytes, ipv4 ? 4 : 8);
  if (!ipv4) view.setUint32(24, address.scopeId, true);
  return bytes;
}

/** The wildcard address (0.0.0.0 or ::) of `family`, to bind a source port. */
export function anyAddress(family: 4 | 6): IpAddress {
  return { family, bytes: new Uint8Array(family === 4 ? 4 : 16), scopeId: 0 };
}
