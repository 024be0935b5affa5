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

/** A numeric IP address read from text. */
export interface IpAddress {
  family: 4 | 6;
  /** 4 or 16 bytes, network order. */
  bytes: Uint8Array;
  /** IPv6 scope (interface index) from a numeric `%N` suffix; 0 when none. */
  scopeId: number;
}

/**
 * Reads numeric address text: dotted-quad IPv4, or IPv6 with `::`, an optional dotted IPv4 tail
 * (`::ffff:127.0.0.1`) and an optional numeric scope (`fe80::1%2`). Null for anything else,
 * host names and interface-name scopes included.
 */
export function parseIpAddress(text: string): IpAddress | null {
  const ipv4 = parseIpv4(text);
  if (ipv4) return { family: 4, bytes: ipv4, scopeId: 0 };
  const [address, scope, ...rest] = text.split("%");
  if (rest.length > 0 || (scope !== undefined && !/^\d{1,10}$/.test(scope))) return null;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === "") return [];
    const words: number[] = [];
    const pieces = part.split(":");
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes(".")) {
        const tail = parseIpv4(piece);
        if (!tail) return null;
        words.push((tail[0] << 8) | tail[1], (tail[2] << 8) | tail[3]);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        words.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return words;
  };
  const front = groups(halves[0]);
  const back = halves.length === 2 ? groups(halves[1]) : [];
  if (!front || !back) return null;
  const missing = 8 - front.length - back.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const words = [...front, ...new Array<number>(missing).fill(0), ...back];
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return { family: 6, bytes, scopeId: scope === undefined ? 0 : Number(scope) };
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) {
    return null;
  }
  return new Uint8Array(parts.map(Number));
}
