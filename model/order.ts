/**
 * The orders portset lists things in, one comparator per thing, so that every table, list and
 * file reads alike and two dumps of the same host diff cleanly:
 *
 * - addresses by their bytes ({@linkcode compareAddresses}): IPv4 before IPv6, then numerically,
 *   so `127.14.207.2` comes before `127.14.207.100` and `72.x` before `127.x`;
 * - endpoints ({@linkcode compareEndpoints}, {@linkcode sortEndpoints}): network namespace (the
 *   one portset runs in first), protocol (tcp, tcp6, udp, udp6), local port, local address, then
 *   peer;
 * - PortSet keys ({@linkcode compareKeys}): protocol, address, then port number, so
 *   `tcp/0.0.0.0/21` comes before `tcp/0.0.0.0/110`.
 *
 * @module
 */

import type { Endpoint, NetworkNamespace, Protocol } from "./endpoint.ts";
import { compareNamespaces } from "./network_namespace.ts";

const PROTOCOL_RANK: Record<Protocol, number> = { tcp: 0, tcp6: 1, udp: 2, udp6: 3 };

/** Address families as they are ranked: IPv4, IPv6, then text that is no numeric address. */
const IPV4 = 0, IPV6 = 1, NOT_ADDRESS = 2;

/**
 * The two addresses a comparison reads, as eight 16-bit words each (IPv4 in the last two). One
 * pair for the whole module: a comparison allocates nothing, and a sort makes thousands.
 */
const WORDS_A = new Uint16Array(8), WORDS_B = new Uint16Array(8);

/** Where the last address read has its `%scope`; its length when it has none. */
let scopeAt = 0;

/**
 * Sort comparator for numeric address text (`127.0.0.1`, `::ffff:10.0.0.1`, `fe80::1%eth0`):
 * IPv4 before IPv6, each by its bytes, an IPv6 scope last (by its text); anything that is not an
 * address (`*`, a host name) after every address, by its text.
 */
export function compareAddresses(a: string, b: string): number {
  // Most comparisons in a sort meet the very same string: the collectors format each address once.
  if (a === b) return 0;
  const dotted = compareDotted(a, b);
  if (dotted !== NOT_DOTTED) return dotted;
  const familyA = readAddress(a, WORDS_A), scopeA = scopeAt;
  const familyB = readAddress(b, WORDS_B), scopeB = scopeAt;
  if (familyA !== familyB) return familyA - familyB;
  if (familyA === NOT_ADDRESS) return compareText(a, b);
  for (let i = familyA === IPV4 ? 6 : 0; i < 8; i++) {
    if (WORDS_A[i] !== WORDS_B[i]) return WORDS_A[i] - WORDS_B[i];
  }
  return compareText(a.slice(scopeA), b.slice(scopeB));
}

/**
 * Sort comparator for {@linkcode Endpoint}s: namespace, protocol, local port, local address, then
 * peer.
 */
export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  return compareNamespaces(a.netns, b.netns) ||
    PROTOCOL_RANK[a.protocol] - PROTOCOL_RANK[b.protocol] ||
    a.localPort - b.localPort ||
    compareAddresses(a.localAddress, b.localAddress) ||
    comparePeers(a, b);
}

/** A socket with no peer (a listener) before those with one; then the peer's address and port. */
function comparePeers(a: Endpoint, b: Endpoint): number {
  if (a.remoteAddress === null || b.remoteAddress === null) {
    return (a.remoteAddress === null ? 0 : 1) - (b.remoteAddress === null ? 0 : 1);
  }
  return compareAddresses(a.remoteAddress, b.remoteAddress) ||
    (a.remotePort ?? -1) - (b.remotePort ?? -1);
}

/**
 * Sort comparator for PortSet keys (`tcp6/::1/80`): protocol (tcp, tcp6, udp, udp6), address by
 * its bytes, then port number. A key that is not `protocol/address/port` goes after, by its text.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const protocolA = a.indexOf("/"), portA = a.lastIndexOf("/");
  const protocolB = b.indexOf("/"), portB = b.lastIndexOf("/");
  const rankA = keyRank(a, protocolA, portA), rankB = keyRank(b, protocolB, portB);
  if (rankA !== rankB) return rankA - rankB;
  if (rankA === KEY_NOT_KEY) return compareText(a, b);
  return compareAddresses(a.slice(protocolA + 1, portA), b.slice(protocolB + 1, portB)) ||
    Number(a.slice(portA + 1)) - Number(b.slice(portB + 1)) ||
    compareText(a, b);
}

/** The rank of a key that is not `protocol/address/port`: after every protocol's. */
const KEY_NOT_KEY = 4;

function keyRank(key: string, protocolEnd: number, portStart: number): number {
  if (protocolEnd < 0 || portStart === protocolEnd) return KEY_NOT_KEY;
  const protocol = key.slice(0, protocolEnd);
  // Own properties only: a key may start with any text, `constructor/` included.
  return Object.hasOwn(PROTOCOL_RANK, protocol) ? PROTOCOL_RANK[protocol as Protocol] : KEY_NOT_KEY;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What {@linkcode compareDotted} returns when either text is not a plain dotted quad. */
const NOT_DOTTED = 2;

/**
 * Two plain dotted quads compared octet by octet as they are read: the common case, IPv4
 * sockets, with no words written. {@linkcode NOT_DOTTED} for anything else, which the full
 * reading decides.
 */
function compareDotted(a: string, b: string): number {
  let i = 0, j = 0, octets = 0, result = 0;
  const lengthA = a.length, lengthB = b.length;
  for (;;) {
    let octetA = 0, octetB = 0, code = 0;
    const startA = i, startB = j;
    for (; i < lengthA && (code = a.charCodeAt(i)) >= 0x30 && code <= 0x39; i++) {
      octetA = octetA * 10 + code - 0x30;
    }
    for (; j < lengthB && (code = b.charCodeAt(j)) >= 0x30 && code <= 0x39; j++) {
      octetB = octetB * 10 + code - 0x30;
    }
    const digitsA = i - startA, digitsB = j - startB;
    if (digitsA === 0 || digitsB === 0 || digitsA > 3 || digitsB > 3) return NOT_DOTTED;
    if (octetA > 255 || octetB > 255) return NOT_DOTTED;
    if (result === 0 && octetA !== octetB) result = octetA < octetB ? -1 : 1;
    if (++octets === 4) return i === lengthA && j === lengthB ? result : NOT_DOTTED;
    if (a.charCodeAt(i++) !== 0x2e || b.charCodeAt(j++) !== 0x2e) return NOT_DOTTED;
  }
}

/**
 * Reads numeric address text into `words` and returns its family; sets {@linkcode scopeAt}. A
 * loop over character codes, not a parse into a new array: sorting a busy host's sockets reads
 * an address for every comparison of two that differ.
 */
function readAddress(text: string, words: Uint16Array): number {
  let end = text.indexOf("%");
  if (end < 0) end = text.length;
  scopeAt = end;
  if (text.indexOf(":") < 0) return readIpv4(text, 0, end, words, 6) ? IPV4 : NOT_ADDRESS;
  return readIpv6(text, end, words) ? IPV6 : NOT_ADDRESS;
}

/** Dotted-quad text in `text[start..end)` into `words[at]` and `words[at + 1]`; false if none. */
function readIpv4(text: string, start: number, end: number, words: Uint16Array, at: number) {
  let octet = -1, octets = 0, high = 0;
  for (let i = start; i <= end; i++) {
    const code = i < end ? text.charCodeAt(i) : 0x2e;
    if (code >= 0x30 && code <= 0x39) {
      octet = octet < 0 ? code - 0x30 : octet * 10 + code - 0x30;
      if (octet > 255) return false;
    } else if (code === 0x2e && octet >= 0 && octets < 4) {
      if (octets === 1) words[at] = (high << 8) | octet;
      else if (octets === 3) words[at + 1] = (high << 8) | octet;
      high = octet;
      octets++;
      octet = -1;
    } else {
      return false;
    }
  }
  return octets === 4;
}

/** IPv6 text in `text[0..end)`, with `::` and an optional dotted tail, into `words`. */
function readIpv6(text: string, end: number, words: Uint16Array): boolean {
  let count = 0, gap = -1, i = 0;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    const start = i;
    let word = 0;
    for (; i < end && i - start < 5; i++) {
      const digit = hexDigit(text.charCodeAt(i));
      if (digit < 0) break;
      word = word * 16 + digit;
    }
    if (i < end && text.charCodeAt(i) === 0x2e) {
      // A dotted IPv4 tail (`::ffff:127.0.0.1`): the last two words.
      if (count > 6 || !readIpv4(text, start, end, words, count)) return false;
      count += 2;
      break;
    }
    if (i === start || i - start > 4 || count === 8) return false;
    words[count++] = word;
    if (i === end) break;
    if (text.charCodeAt(i) !== 0x3a) return false;
    i++;
    if (text.charCodeAt(i) === 0x3a) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0) return count === 8;
  if (count > 7) return false;
  // Move the words after `::` to the end, and zero the gap.
  const moved = count - gap;
  for (let k = 0; k < moved; k++) words[7 - k] = words[count - 1 - k];
  for (let k = gap; k < 8 - moved; k++) words[k] = 0;
  return true;
}

function hexDigit(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Endpoint indexes go in the low 32 bits of a sort key, below protocol and port. */
const INDEX_SPACE = 2 ** 32;

/** Runs of endpoints sharing protocol and port up to this long are sorted in place by insertion. */
const INSERTION_RUN_MAX = 8;

/**
 * Sorts endpoints in place into {@linkcode compareEndpoints} order. Protocol, port and the
 * endpoint's index pack into one number (below 2^50), so one native sort of a Float64Array
 * orders every endpoint by protocol and port with no JavaScript call per comparison, and stably;
 * only endpoints that share both (an accepting listener's connections, say) are then compared in
 * full. The first snapshot runs this cold, where every JavaScript step over 16,000 objects costs:
 * this takes half the time of the counting sort it replaced, which walked a 262,144-entry table.
 * Where several network namespaces are listed, each one's endpoints are sorted so, in namespace
 * order.
 */
export function sortEndpoints(endpoints: Endpoint[]): Endpoint[] {
  // Collectors add each namespace's endpoints together, the current one's first: each stretch
  // is sorted where it lies when they come in namespace order, with no grouping to make.
  const starts = [0];
  for (let i = 1; i < endpoints.length; i++) {
    if (endpoints[i].netns === endpoints[i - 1].netns) continue;
    const previous = endpoints[starts[starts.length - 1]].netns;
    if (compareNamespaces(previous, endpoints[i].netns) >= 0) return sortByNamespace(endpoints);
    starts.push(i);
  }
  starts.push(endpoints.length);
  for (let k = 0; k + 1 < starts.length; k++) sortRange(endpoints, starts[k], starts[k + 1]);
  return endpoints;
}

/**
 * Endpoints of several namespaces in no namespace order: each namespace's gathered and sorted,
 * in namespace order (one namespace's sockets together, as a report lists them).
 */
function sortByNamespace(endpoints: Endpoint[]): Endpoint[] {
  const groups = new Map<NetworkNamespace | undefined, Endpoint[]>();
  for (const endpoint of endpoints) {
    const group = groups.get(endpoint.netns);
    if (group) group.push(endpoint);
    else groups.set(endpoint.netns, [endpoint]);
  }
  let at = 0;
  for (const namespace of [...groups.keys()].sort(compareNamespaces)) {
    const group = groups.get(namespace)!;
    sortRange(group, 0, group.length);
    for (const endpoint of group) endpoints[at++] = endpoint;
  }
  return endpoints;
}

/** Sorts `endpoints[start..end)`, which share one namespace (see {@linkcode sortEndpoints}). */
function sortRange(endpoints: Endpoint[], start: number, end: number): void {
  const count = end - start;
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const endpoint = endpoints[start + i];
    keys[i] = (PROTOCOL_RANK[endpoint.protocol] * 65536 + endpoint.localPort) * INDEX_SPACE + i;
  }
  keys.sort();
  const unsorted = endpoints.slice(start, end);
  let runStart = start, runBucket = -1;
  for (let i = 0; i < count; i++) {
    const bucket = Math.floor(keys[i] / INDEX_SPACE);
    endpoints[start + i] = unsorted[keys[i] - bucket * INDEX_SPACE];
    if (bucket !== runBucket) {
      if (start + i - runStart > 1) sortRun(endpoints, runStart, start + i);
      runStart = start + i;
      runBucket = bucket;
    }
  }
  if (end - runStart > 1) sortRun(endpoints, runStart, end);
}

/** Sorts `endpoints[start..end)`, which share protocol and port, by the comparator. */
function sortRun(endpoints: Endpoint[], start: number, end: number): void {
  if (end - start <= INSERTION_RUN_MAX) {
    // Most runs are two or three sockets: no array to allocate for them.
    for (let i = start + 1; i < end; i++) {
      const endpoint = endpoints[i];
      let j = i - 1;
      for (; j >= start && compareEndpoints(endpoints[j], endpoint) > 0; j--) {
        endpoints[j + 1] = endpoints[j];
      }
      endpoints[j + 1] = endpoint;
    }
    return;
  }
  const run = endpoints.slice(start, end).sort(compareEndpoints);
  for (let i = 0; i < run.length; i++) endpoints[start + i] = run[i];
}
