/**
 * The endpoint map as PortQry shows it: each entry's protocol tower (C706 appendix L, [MS-RPCE]
 * 2.2.1.1) read into the interface it serves and a string binding
 * (`ncacn_ip_tcp:169.254.12.191[4144]`, `ncacn_np:\\MYSERVER[\PIPE\lsass]`), and the report's
 * lines for a whole lookup.
 *
 * @module
 */

import { formatIpv4 } from "../../model/address.ts";
import { cString, DceRpcError, decodeUuid, type EptEntry, type SyntaxId } from "./dcerpc/mod.ts";

/** Protocol identifiers a tower floor starts with (C706 appendix I, [MS-RPCE] 2.2.1.1). */
const TOWER_PROTOCOL = {
  DNET_NSP: 0x04,
  OSI_TP4: 0x05,
  OSI_CLNS: 0x06,
  TCP: 0x07,
  UDP: 0x08,
  IP: 0x09,
  /** Connectionless RPC (ncadg_*). */
  RPC_CL: 0x0a,
  /** Connection-oriented RPC (ncacn_*). */
  RPC_CO: 0x0b,
  /** Local RPC (ncalrpc). */
  LRPC: 0x0c,
  UUID: 0x0d,
  IPX: 0x0e,
  /** An SMB named pipe's name, `\PIPE\lsass`. */
  NAMED_PIPE: 0x0f,
  /** A local endpoint's name (ncalrpc's `LRPC-...`). */
  LOCAL_PIPE: 0x10,
  NETBIOS: 0x11,
  NETBEUI: 0x12,
  SPX: 0x13,
  NB_IPX: 0x14,
  APPLETALK_DSP: 0x16,
  APPLETALK_DDP: 0x17,
  APPLETALK: 0x18,
  VINES_SPP: 0x1a,
  VINES_IPC: 0x1b,
  STREETTALK: 0x1c,
  HTTP: 0x1f,
  UNIX_SOCKET: 0x20,
  NULL: 0x21,
} as const;

/** Short names for the identifiers, for towers no binding string describes. */
const PROTOCOL_NAMES = new Map<number, string>([
  [0x04, "dnet_nsp"],
  [0x05, "osi_tp4"],
  [0x06, "osi_clns"],
  [0x07, "tcp"],
  [0x08, "udp"],
  [0x09, "ip"],
  [0x0a, "ncadg"],
  [0x0b, "ncacn"],
  [0x0c, "ncalrpc"],
  [0x0d, "uuid"],
  [0x0e, "ipx"],
  [0x0f, "smb"],
  [0x10, "pipe"],
  [0x11, "netbios"],
  [0x12, "netbeui"],
  [0x13, "spx"],
  [0x14, "nb_ipx"],
  [0x16, "dsp"],
  [0x17, "ddp"],
  [0x18, "appletalk"],
  [0x1a, "vines_spp"],
  [0x1b, "vines_ipc"],
  [0x1c, "streettalk"],
  [0x1f, "http"],
  [0x20, "unix"],
  [0x21, "null"],
]);

/** Floors whose right-hand side is a port, big-endian. */
const PORT_PROTOCOLS = new Set<number>([0x07, 0x08, 0x1a, 0x1b, 0x1f]);
/** Floors naming an RPC protocol, whose right-hand side is only its minor version. */
const RPC_PROTOCOLS = new Set<number>([0x0a, 0x0b, 0x0c]);
/** Floors whose right-hand side is a NUL-terminated string. */
const STRING_PROTOCOLS = new Set<number>([0x0f, 0x10, 0x11, 0x1c, 0x20]);

/** One floor: its protocol identifier, the rest of its left-hand side, its right-hand side. */
export interface TowerFloor {
  protocol: number;
  /** The left-hand side after the protocol byte (a UUID and major version, for 0x0d). */
  lhs: Uint8Array;
  rhs: Uint8Array;
}

/**
 * The longest tower read. A real one takes under 200 bytes (a named pipe on a long host name is
 * about 140); a longer one is listed as unreadable rather than shown, since its floors, written
 * out in hex, made a hostile server's 60 KB floors into lines of 480 KB each (120 MB of report
 * and 850 MB of memory in one 5 s lookup).
 */
export const MAX_TOWER_BYTES = 1024;

/**
 * A tower's floors: floor_count (2 bytes), then per floor the left-hand side's length (2), the
 * left-hand side (its first byte the protocol identifier), the right-hand side's length (2) and
 * the right-hand side. Lengths are little-endian whatever the reply's byte order, as the tower is
 * an octet string; the values in it are big-endian where they are network addresses and ports.
 */
export function decodeTower(bytes: Uint8Array): TowerFloor[] {
  if (bytes.length > MAX_TOWER_BYTES) {
    throw new DceRpcError(`longer than the ${MAX_TOWER_BYTES} bytes a tower is read to`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (offset: number, what: string) => {
    if (offset + 2 > bytes.length) throw new DceRpcError(`the tower ends inside ${what}`);
    return view.getUint16(offset, true);
  };
  const count = u16(0, "its floor count");
  const floors: TowerFloor[] = [];
  let offset = 2;
  for (let i = 0; i < count; i++) {
    const lhsLength = u16(offset, `floor ${i + 1}'s length`);
    offset += 2;
    if (lhsLength === 0 || offset + lhsLength > bytes.length) {
      throw new DceRpcError(`floor ${i + 1}'s left-hand side of ${lhsLength} bytes does not fit`);
    }
    const protocol = bytes[offset];
    const lhs = bytes.subarray(offset + 1, offset + lhsLength);
    offset += lhsLength;
    const rhsLength = u16(offset, `floor ${i + 1}'s right-hand side length`);
    offset += 2;
    if (offset + rhsLength > bytes.length) {
      throw new DceRpcError(`floor ${i + 1}'s right-hand side of ${rhsLength} bytes does not fit`);
    }
    floors.push({ protocol, lhs, rhs: bytes.subarray(offset, offset + rhsLength) });
    offset += rhsLength;
  }
  return floors;
}

/**
 * The syntax a UUID floor names: the UUID and major version on the left, the minor version on
 * the right (both little-endian); null when the floor is not one.
 */
export function floorSyntax(floor: TowerFloor | undefined): SyntaxId | null {
  if (!floor || floor.protocol !== TOWER_PROTOCOL.UUID || floor.lhs.length < 18) return null;
  const view = new DataView(floor.lhs.buffer, floor.lhs.byteOffset, floor.lhs.byteLength);
  const minor = floor.rhs.length >= 2 ? floor.rhs[0] | (floor.rhs[1] << 8) : 0;
  return { uuid: decodeUuid(floor.lhs, 0, true), major: view.getUint16(16, true), minor };
}

/** The transports a binding string names, by the protocols of floors 3, 4 and 5. */
const PROTOCOL_SEQUENCES: { name: string; rpc: number; endpoint: number; host: number | null }[] = [
  { name: "ncacn_ip_tcp", rpc: 0x0b, endpoint: 0x07, host: 0x09 },
  { name: "ncadg_ip_udp", rpc: 0x0a, endpoint: 0x08, host: 0x09 },
  { name: "ncacn_np", rpc: 0x0b, endpoint: 0x0f, host: 0x11 },
  { name: "ncacn_http", rpc: 0x0b, endpoint: 0x1f, host: 0x09 },
  { name: "ncalrpc", rpc: 0x0c, endpoint: 0x10, host: null },
  { name: "ncacn_unix_stream", rpc: 0x0b, endpoint: 0x20, host: null },
];

/**
 * A tower's string binding as PortQry writes it, `protseq:address[endpoint]`: the protocol
 * sequence from floors 3 and 4, the endpoint (port, pipe or local name) from floor 4, the network
 * address (IPv4, or the NetBIOS name with its leading `\\`) from floor 5 when there is one. A
 * tower of any other shape is listed floor by floor from the third, `unknown:ncacn spx=0x0100`,
 * which says what it is without guessing a binding.
 */
export function towerBinding(floors: readonly TowerFloor[]): string {
  const [rpc, endpoint, host] = [floors[2], floors[3], floors[4]];
  const sequence = PROTOCOL_SEQUENCES.find((candidate) =>
    candidate.rpc === rpc?.protocol && candidate.endpoint === endpoint?.protocol &&
    (host === undefined || candidate.host === host.protocol)
  );
  if (!sequence || floors.length > 5) return `unknown:${unknownFloors(floors.slice(2))}`;
  const address = host ? floorValue(host) : "";
  return `${sequence.name}:${address}[${floorValue(endpoint)}]`;
}

/** Floors described one by one: `name=value`, or the protocol's number for an unnamed one. */
function unknownFloors(floors: readonly TowerFloor[]): string {
  if (floors.length === 0) return "(no transport floors)";
  return floors.map((floor) => {
    const name = PROTOCOL_NAMES.get(floor.protocol) ??
      `0x${floor.protocol.toString(16).padStart(2, "0")}`;
    const value = floorValue(floor);
    return value === "" ? name : `${name}=${value}`;
  }).join(" ");
}

/** A floor's right-hand side as text: a port, an address, a name, or hex. */
function floorValue(floor: TowerFloor): string {
  const { protocol, rhs } = floor;
  if (PORT_PROTOCOLS.has(protocol) && rhs.length === 2) return String((rhs[0] << 8) | rhs[1]);
  if (protocol === TOWER_PROTOCOL.IP && rhs.length === 4) return formatIpv4(rhs);
  if (STRING_PROTOCOLS.has(protocol)) return cString(rhs);
  if (RPC_PROTOCOLS.has(protocol) || rhs.length === 0) return "";
  return "0x" + [...rhs].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** One endpoint, as the report lists it. */
export interface EndpointEntry {
  /** The interface the endpoint serves (the tower's first floor), or null if it names none. */
  interface: SyntaxId | null;
  /** The entry's object UUID (nil for most). */
  object: string;
  annotation: string;
  /** `ncacn_ip_tcp:169.254.12.191[4144]` and the like. */
  binding: string;
}

/**
 * An `ept_lookup` entry read for the report. A tower that cannot be read does not lose the
 * entry: its binding says what was wrong with it.
 */
export function endpointEntry(entry: EptEntry): EndpointEntry {
  if (!entry.tower) {
    const { object, annotation } = entry;
    return { interface: null, object, annotation, binding: "(no protocol tower)" };
  }
  try {
    const floors = decodeTower(entry.tower);
    return {
      interface: floorSyntax(floors[0]),
      object: entry.object,
      annotation: entry.annotation,
      binding: towerBinding(floors),
    };
  } catch (error) {
    return {
      interface: null,
      object: entry.object,
      annotation: entry.annotation,
      binding: `unreadable tower of ${entry.tower.length} bytes: ${(error as Error).message}`,
    };
  }
}

/**
 * PortQry's endpoint list: per entry `UUID: <interface> <annotation>` (the annotation only when
 * there is one; the object UUID when the tower names no interface), the binding, a blank line;
 * then `Total endpoints found: N`.
 */
export function describeEndpoints(entries: readonly EndpointEntry[]): string[] {
  const lines: string[] = [];
  for (const entry of entries) {
    const uuid = entry.interface?.uuid ?? entry.object;
    lines.push(`UUID: ${uuid}${entry.annotation === "" ? "" : ` ${entry.annotation}`}`);
    lines.push(entry.binding);
    lines.push("");
  }
  lines.push(`Total endpoints found: ${entries.length}`);
  return lines;
}
