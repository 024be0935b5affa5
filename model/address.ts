/**
 * Numeric address text exactly as glibc's getnameinfo(NI_NUMERICHOST) writes it, so PortSet keys
 * are the same whichever collector produced them.
 *
 * @module
 */

/** Dotted-quad text of the 4 bytes at `offset`. */
export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

/**
 * IPv6 text of the 16 bytes at `offset`, following glibc's inet_ntop: lower-case hex, the first
 * longest run of two or more zero groups written `::`, IPv4-mapped (`::ffff:a.b.c.d`) and
 * IPv4-compatible (`::a.b.c.d`) addresses with a dotted tail.
 */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const words = new Array<number>(8);
  for (let i = 0; i < 8; i++) {
    words[i] = (bytes[offset + 2 * i] << 8) | bytes[offset + 2 * i + 1];
  }
  let bestBase = -1, bestLength = 0, runBase = -1, runLength = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (runBase === -1) runBase = i, runLength = 1;
      else runLength++;
      if (runLength > bestLength) bestBase = runBase, bestLength = runLength;
    } else {
      runBase = -1;
    }
  }
  if (bestLength < 2) bestBase = -1;

  let text = "";
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLength) {
      if (i === bestBase) text += ":";
      continue;
    }
    if (i !== 0) text += ":";
    if (
      i === 6 && bestBase === 0 &&
      (bestLength === 6 || (bestLength === 5 && words[5] === 0xffff))
    ) {
      return text + formatIpv4(bytes, offset + 12);
    }
    text += words[i].toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLength === 8) text += ":";
  return text;
}

/** True for addresses getnameinfo qualifies with a scope: link-local unicast and multicast. */
export function ipv6NeedsScope(bytes: Uint8Array, offset = 0): boolean {
  const first = bytes[offset], second = bytes[offset + 1];
  const linkLocalUnicast = first === 0xfe && (second & 0xc0) === 0x80;
  const linkLocalMulticast = first === 0xff && (second & 0x0f) === 0x02;
  return linkLocalUnicast || linkLocalMulticast;
}

/** Address text with its port, bracketing IPv6 (`[::1]:80`, `127.0.0.1:80`). */
export function formatAddressPort(address: string, port: number | string): string {
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}
