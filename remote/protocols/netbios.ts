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
function encodeNetbiosName(name: Uint8Array): Uint8Array {
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

/** How a name's owner resolves names (RFC 1001 §10, RFC 1002 §4.2.1.3's ONT field). */
export type NodeType = "B" | "P" | "M" | "H";

/** The ONT field's two bits, in order: broadcast, point-to-point, mixed, hybrid. */
const NODE_TYPES: readonly NodeType[] = ["B", "P", "M", "H"];

/** NAME_FLAGS bits of a node status entry (RFC 1002 §4.2.18). */
const FLAG_GROUP = 0x8000;
const FLAG_DEREGISTERING = 0x1000;
const FLAG_CONFLICT = 0x0800;
const FLAG_ACTIVE = 0x0400;
const FLAG_PERMANENT = 0x0200;
/** An entry: a 16-byte name (15 characters and the suffix), then NAME_FLAGS. */
const ENTRY_SIZE = 18;
const MAC_SIZE = 6;

/** One registered name. */
export interface NetbiosName {
  /**
   * The name's first 15 bytes as Latin-1 characters, cut at a NUL and with the space padding
   * trimmed, as Samba reads it, e.g. `WORKSTATION`; control characters are kept (the browse
   * master's name is `\x01\x02__MSBROWSE__\x02`) so that only the display replaces them.
   */
  name: string;
  /** The 16th byte: 0x00 workstation, 0x20 file server, 0x1d master browser, ... */
  suffix: number;
  /** G: a group name, which many hosts may hold, rather than a unique one. */
  group: boolean;
  /** ONT: the owner's node type. */
  nodeType: NodeType;
  /** DRG: the name is being released. */
  deregistering: boolean;
  /** CNF: another node claimed the name too. */
  conflict: boolean;
  /** ACT: the name is registered and in use. */
  active: boolean;
  /** PRM: the node's permanent name; RFC 1002 leaves the flag clear on every other name. */
  permanent: boolean;
}

/** What a node status response says. */
export interface NodeStatus {
  names: NetbiosName[];
  /**
   * The statistics' unit id, the adapter's MAC address, as nmblookup prints it:
   * `00-11-22-33-44-55` (Samba's nmbd sends zeros); null when the reply has no statistics.
   */
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
  for (let i = 0; i < count; i++, position += ENTRY_SIZE) {
    if (position + ENTRY_SIZE > end) throw new Error("NetBIOS name table runs past the reply");
    const flags = view.getUint16(position + 16);
    names.push({
      name: readName(bytes.subarray(position, position + 15)),
      suffix: bytes[position + 15],
      group: (flags & FLAG_GROUP) !== 0,
      nodeType: NODE_TYPES[(flags >> 13) & 0x03],
      deregistering: (flags & FLAG_DEREGISTERING) !== 0,
      conflict: (flags & FLAG_CONFLICT) !== 0,
      active: (flags & FLAG_ACTIVE) !== 0,
      permanent: (flags & FLAG_PERMANENT) !== 0,
    });
  }
  const mac = position + MAC_SIZE <= end
    ? [...bytes.subarray(position, position + MAC_SIZE)]
      .map((byte) => byte.toString(16).toUpperCase().padStart(2, "0")).join("-")
    : null;
  return { names, mac };
}

/**
 * The name's characters up to its first NUL, trailing spaces dropped: the name is padded with
 * spaces to 15, but the wildcard `*` and some embedded stacks pad with NULs.
 */
function readName(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return String.fromCharCode(...(nul < 0 ? bytes : bytes.subarray(0, nul))).replace(/ +$/, "");
}

/**
 * One name's line as Samba's `nmblookup -A` prints it, without its leading tab and trailing
 * space: the name in 15 columns with bytes outside printable ASCII shown as `.`, the suffix in
 * two lowercase hex digits, `<GROUP>` or as many spaces, the node type, then each status flag
 * set, e.g. `..__MSBROWSE__. <01> - <GROUP> B <ACTIVE>`.
 */
export function describeNetbiosName(entry: NetbiosName): string {
  const shown = entry.name.replace(/[^\x20-\x7e]/g, ".");
  const suffix = entry.suffix.toString(16).padStart(2, "0");
  const flags = [
    entry.group ? "<GROUP>" : "       ",
    entry.nodeType,
    ...(entry.deregistering ? ["<DEREGISTERING>"] : []),
    ...(entry.conflict ? ["<CONFLICT>"] : []),
    ...(entry.active ? ["<ACTIVE>"] : []),
    ...(entry.permanent ? ["<PERMANENT>"] : []),
  ];
  return `${shown.padEnd(15)} <${suffix}> - ${flags.join(" ")}`;
}

/**
 * Lines for the report, those of `nmblookup -A` after its `Looking up status of` line: one per
 * name, then a blank line and `MAC Address = 00-11-22-33-44-55` when the reply has statistics.
 */
export function describeNodeStatus(status: NodeStatus): string[] {
  const lines = status.names.map(describeNetbiosName);
  if (status.mac) lines.push("", `MAC Address = ${status.mac}`);
  return lines;
}
