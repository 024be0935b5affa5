/**
 * DNS (RFC 1035) on UDP 53: a query for the root's name servers (`.` NS), which every server
 * answers one way or another (with the list, a referral, or REFUSED), so any reply proves a DNS
 * server is there; the report gives its response code and the names it returned.
 *
 * @module
 */

import { formatIpv4, formatIpv6 } from "../../model/address.ts";

/** The header DNS and NetBIOS name service packets share. */
export const HEADER_SIZE = 12;
const TYPE_NS = 2;
const CLASS_IN = 1;
/** Response codes (RFC 1035 4.1.1, RFC 6895), by number. */
const RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"];

/** A query for `name`'s records of `type` (default: the root's NS records), recursion not asked. */
export function encodeDnsQuery(id: number, name = ".", type = TYPE_NS): Uint8Array {
  const labels = name.split(".").filter((label) => label !== "");
  const encoder = new TextEncoder();
  const nameBytes: number[] = [];
  for (const label of labels) {
    const bytes = encoder.encode(label);
    if (bytes.length > 63) throw new Error(`DNS label longer than 63 bytes: ${label}`);
    nameBytes.push(bytes.length, ...bytes);
  }
  nameBytes.push(0);
  return encodeQuestion(id, nameBytes, type);
}

/**
 * A packet asking one question: the 12-byte header (`id`; flags 0, a standard query with RD
 * clear, the server's own knowledge being enough, and for NetBIOS no broadcast; one question),
 * then `name` already encoded, `type` and class IN. NetBIOS name service packets (RFC 1002) have
 * the same layout.
 */
export function encodeQuestion(id: number, name: ArrayLike<number>, type: number): Uint8Array {
  const packet = new Uint8Array(HEADER_SIZE + name.length + 4);
  const view = new DataView(packet.buffer);
  view.setUint16(0, id);
  view.setUint16(4, 1); // one question
  packet.set(name, HEADER_SIZE);
  view.setUint16(HEADER_SIZE + name.length, type);
  view.setUint16(HEADER_SIZE + name.length + 2, CLASS_IN);
  return packet;
}

/** One resource record, its data shown as text where the type is understood. */
export interface DnsRecord {
  name: string;
  type: number;
  ttl: number;
  /** NS, CNAME, PTR: the name; A/AAAA: the address; otherwise null. */
  data: string | null;
}

/** What a reply says. */
export interface DnsReply {
  id: number;
  authoritative: boolean;
  recursionAvailable: boolean;
  rcode: string;
  questions: number;
  answers: DnsRecord[];
  authority: DnsRecord[];
}

/** Reads a reply. Throws for a truncated or malformed one. */
export function decodeDnsReply(bytes: Uint8Array): DnsReply {
  if (bytes.length < HEADER_SIZE) throw new Error(`a DNS reply of ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint16(2);
  if (!(flags & 0x8000)) throw new Error("a DNS query, not a reply");
  const counts = [4, 6, 8].map((offset) => view.getUint16(offset));
  let offset = HEADER_SIZE;
  for (let i = 0; i < counts[0]; i++) {
    offset = readName(bytes, offset).next + 4;
  }
  const records = (count: number): DnsRecord[] => {
    const list: DnsRecord[] = [];
    for (let i = 0; i < count; i++) {
      const { name, next } = readName(bytes, offset);
      if (next + 10 > bytes.length) throw new Error("DNS reply ends inside a record");
      const type = view.getUint16(next);
      const ttl = view.getUint32(next + 4);
      const length = view.getUint16(next + 8);
      const start = next + 10;
      if (start + length > bytes.length) throw new Error("DNS reply ends inside record data");
      list.push({ name, type, ttl, data: recordData(bytes, type, start, length) });
      offset = start + length;
    }
    return list;
  };
  const answers = records(counts[1]);
  const authority = records(counts[2]);
  return {
    id: view.getUint16(0),
    authoritative: Boolean(flags & 0x0400),
    recursionAvailable: Boolean(flags & 0x0080),
    rcode: RCODES[flags & 0x0f] ?? `RCODE ${flags & 0x0f}`,
    questions: counts[0],
    answers,
    authority,
  };
}

function recordData(bytes: Uint8Array, type: number, start: number, length: number) {
  switch (type) {
    case 1: // A
      return length === 4 ? formatIpv4(bytes, start) : null;
    case 28: // AAAA
      return length === 16 ? formatIpv6(bytes, start) : null;
    case 2: // NS
    case 5: // CNAME
    case 12: // PTR
      return readName(bytes, start).name;
    default:
      return null;
  }
}

/** The longest name, in its wire form: length bytes, labels and the root's 0 (RFC 1035 3.1). */
const MAX_NAME_BYTES = 255;

/**
 * A (possibly compressed) name at `offset`, and where the data after it starts. Each pointer
 * must lead before the start of the piece being read, so a hostile reply cannot make the reader
 * loop; and a name may not grow past {@linkcode MAX_NAME_BYTES}, so pointers that lead back
 * through a chain of labels cannot make each of thousands of records a name of thousands of
 * labels (seconds of work and megabytes of text for one 64 KB datagram).
 */
export function readName(bytes: Uint8Array, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  const decoder = new TextDecoder();
  let position = offset;
  let pieceStart = offset;
  let next = -1;
  let size = 1; // the root's 0
  for (;;) {
    if (position >= bytes.length) throw new Error("DNS name runs past the reply");
    const length = bytes[position];
    if (length === 0) {
      if (next < 0) next = position + 1;
      break;
    }
    if ((length & 0xc0) === 0xc0) {
      if (position + 1 >= bytes.length) throw new Error("DNS name pointer runs past the reply");
      const target = ((length & 0x3f) << 8) | bytes[position + 1];
      if (target >= pieceStart) throw new Error("DNS name pointer does not lead backwards");
      if (next < 0) next = position + 2;
      position = pieceStart = target;
      continue;
    }
    if (length > 63) throw new Error(`DNS label length ${length}`);
    if (position + 1 + length > bytes.length) throw new Error("DNS label runs past the reply");
    size += 1 + length;
    if (size > MAX_NAME_BYTES) throw new Error(`DNS name longer than ${MAX_NAME_BYTES} bytes`);
    labels.push(decoder.decode(bytes.subarray(position + 1, position + 1 + length)));
    position += 1 + length;
  }
  return { name: labels.length === 0 ? "." : labels.join(".") + ".", next };
}

/** Lines for the report: the response code, and the names the server gave. */
export function describeDnsReply(reply: DnsReply): string[] {
  const lines = [
    `DNS server answered: ${reply.rcode}, ${reply.answers.length} answer(s), ` +
    `${reply.authority.length} authority record(s)` +
    (reply.authoritative ? ", authoritative" : "") +
    (reply.recursionAvailable ? ", recursion available" : ""),
  ];
  const named = [...reply.answers, ...reply.authority].filter((record) => record.data !== null);
  for (const record of named.slice(0, 5)) lines.push(`${record.name} -> ${record.data}`);
  if (named.length > 5) lines.push(`(${named.length - 5} more)`);
  return lines;
}
