/**
 * NetBIOS name service (RFC 1002) on UDP 137: a node status request for the wildcard name `*`,
 * which a Windows host (or Samba) answers with its whole name table and its MAC address.
 *
 * @module
 */

import { encodeQuestion, HEADER_SIZE } from "./dns.ts";

const TYPE_NBSTAT = 0x21;
/** A name is 16 bytes (15 characters and a suffix), each half-byte written as a letter A-P. */
const ENCODED_NAME_SIZE = 32;

/** RFC 1001's first-level encoding of a 16-byte NetBIOS name, with its length byte and root. */
export function encodeNetbiosName(name: Uint8Array): Uint8Array {
  const encoded = new Uint8Array(ENCODED_NAME_SIZE + 2);
  encoded[0] = ENCODED_NAME_SIZE;
  for (let i = 0; i < 16; i++) {
    encoded[1 + 2 * i] = 0x41 + (name[i] >> 4);
    encoded[2 + 2 * i] = 0x41 + (name[i] & 0x0f);
  }
  return encoded; // the last byte stays 0: the empty root label
}

/** A node status request for `*` (padded with NULs, as the wildcard query is defined). */
export function encodeNodeStatusRequest(id: number): Uint8Array {
  const wildcard = new Uint8Array(16);
  wildcard[0] = 0x2a; // '*'
  return encodeQuestion(id, encodeNetbiosName(wildcard), TYPE_NBSTAT);
}

/** One registered name. */
export interface NetbiosName {
  /** The name without its padding, e.g. `WORKSTATION`. */
  name: string;
  /** The 16th byte: 0x00 workstation, 0x20 file server, 0x1d master browser, ... */
  suffix: number;
  group: boolean;
  /** Name flags beyond group: registered, conflict, deregistering. */
  status: string;
}

/** What a node status response says. */
export interface NodeStatus {
  names: NetbiosName[];
  /** The adapter's MAC address, `00:11:22:33:44:55`; null when the reply has no statistics. */
  mac: string | null;
}

/** Reads a node status response. Throws for anything truncated or of another type. */
export function decodeNodeStatusResponse(bytes: Uint8Array): NodeStatus {
  if (bytes.length < HEADER_SIZE) throw new Error(`a NetBIOS reply of ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!(view.getUint16(2) & 0x8000)) throw new Error("a NetBIOS request, not a response");
  if (view.getUint16(6) < 1) throw new Error("a NetBIOS response without an answer");
  // The answer's name repeats the question's: a length-prefixed label sequence.
  let offset = HEADER_SIZE;
  while (offset < bytes.length && bytes[offset] !== 0) offset += 1 + bytes[offset];
  offset += 1;
  if (offset + 11 > bytes.length) throw new Error("NetBIOS reply ends inside its answer");
  const type = view.getUint16(offset);
  if (type !== TYPE_NBSTAT) throw new Error(`a NetBIOS answer of type ${type}, not NBSTAT`);
  const dataLength = view.getUint16(offset + 8);
  const start = offset + 10;
  const end = Math.min(bytes.length, start + dataLength);
  const count = bytes[start];
  const names: NetbiosName[] = [];
  let position = start + 1;
  for (let i = 0; i < count; i++, position += 18) {
    if (position + 18 > end) throw new Error("NetBIOS name table runs past the reply");
    const flags = view.getUint16(position + 16);
    names.push({
      name: String.fromCharCode(...bytes.subarray(position, position + 15)).replace(/[ \0]+$/, ""),
      suffix: bytes[position + 15],
      group: Boolean(flags & 0x8000),
      status: flags & 0x1000
        ? "conflict"
        : flags & 0x0800
        ? "deregistering"
        : flags & 0x0400
        ? "registered"
        : "not registered",
    });
  }
  const mac = position + 6 <= end
    ? [...bytes.subarray(position, position + 6)].map((b) => b.toString(16).padStart(2, "0"))
      .join(":")
    : null;
  return { names, mac };
}

/** Lines for the report: the name table as `nbtstat -A` shows one, and the MAC address. */
export function describeNodeStatus(status: NodeStatus): string[] {
  const lines = [`NetBIOS name table (${status.names.length} name(s)):`];
  for (const entry of status.names) {
    const suffix = entry.suffix.toString(16).toUpperCase().padStart(2, "0");
    lines.push(
      `  ${entry.name.padEnd(15)} <${suffix}>  ${
        entry.group ? "GROUP " : "UNIQUE"
      }  ${entry.status}`,
    );
  }
  if (status.mac) lines.push(`MAC address: ${status.mac}`);
  return lines;
}
