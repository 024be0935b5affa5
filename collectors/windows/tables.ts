/**
 * The tables `GetExtendedTcpTable` and `GetExtendedUdpTable` fill, parsed from bytes: the
 * OWNER_MODULE classes (with the bind time and the module cookie) and the OWNER_PID ones Windows
 * falls back to. Pure functions, tested on buffers laid out like the structs.
 *
 * Layouts (iprtrmib.h, tcpmib.h, udpmib.h; x64, 8-byte alignment for the 64-bit members):
 * - MIB_TCPTABLE_OWNER_MODULE: DWORD count, 4 bytes padding, rows of MIB_TCPROW_OWNER_MODULE
 *   (DWORD state, localAddr, localPort, remoteAddr, remotePort, owningPid; LARGE_INTEGER
 *   createTimestamp at 24; ULONGLONG owningModuleInfo[16] at 32) = 160 bytes
 * - MIB_TCP6ROW_OWNER_MODULE: UCHAR localAddr[16], DWORD localScopeId, localPort, UCHAR
 *   remoteAddr[16], DWORD remoteScopeId, remotePort, state, owningPid; createTimestamp at 56;
 *   module info at 64 = 192 bytes
 * - MIB_UDPROW_OWNER_MODULE: DWORD localAddr, localPort, owningPid; createTimestamp at 16; int
 *   flags at 24; module info at 32 = 160 bytes
 * - MIB_UDP6ROW_OWNER_MODULE: UCHAR localAddr[16], DWORD localScopeId, localPort, owningPid;
 *   createTimestamp at 32; flags at 40; module info at 48 = 176 bytes
 * - OWNER_PID rows: the same without timestamp and module info, DWORD-aligned after a 4-byte
 *   count: TCP 24, TCP6 56, UDP 12, UDP6 28 bytes.
 * Ports are network byte order in the low 16 bits of their DWORD; IPv4 addresses are in network
 * byte order as they lie in memory.
 *
 * @module
 */

import { formatIpv4, formatIpv6, ipv6NeedsScope } from "../../model/address.ts";
import type { Protocol, TcpState } from "../../model/endpoint.ts";

/** Which table a buffer holds. */
export type TableLayout =
  | "tcp-module"
  | "tcp6-module"
  | "udp-module"
  | "udp6-module"
  | "tcp-pid"
  | "tcp6-pid"
  | "udp-pid"
  | "udp6-pid";

/** Where each layout's rows start, and how long each is. */
export const TABLE_LAYOUTS: Record<TableLayout, { header: number; row: number }> = {
  "tcp-module": { header: 8, row: 160 },
  "tcp6-module": { header: 8, row: 192 },
  "udp-module": { header: 8, row: 160 },
  "udp6-module": { header: 8, row: 176 },
  "tcp-pid": { header: 4, row: 24 },
  "tcp6-pid": { header: 4, row: 56 },
  "udp-pid": { header: 4, row: 12 },
  "udp6-pid": { header: 4, row: 28 },
};

/**
 * Names of the MIB_TCP_STATE values, indexed by value (1 to 12), as PortQry names them: Windows'
 * numbering, not the report order of the model's TCP_STATES.
 */
const MIB_TCP_STATE_NAMES: readonly (TcpState | undefined)[] = [
  undefined,
  "CLOSED",
  "LISTENING",
  "SYN_SENT",
  "SYN_RECEIVED",
  "ESTABLISHED",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "CLOSE_WAIT",
  "CLOSING",
  "LAST_ACK",
  "TIME_WAIT",
  "CLOSED", // 12 DELETE_TCB
];

/** One row of a table. */
export interface TableRow {
  protocol: Protocol;
  localAddress: string;
  localPort: number;
  remoteAddress: string | null;
  remotePort: number | null;
  state: TcpState | null;
  /** 0 when Windows does not say (the System Idle Process, or Wine for native sockets). */
  pid: number;
  /** When the socket was bound; null when the table has no timestamp or it is zero. */
  created: Date | null;
  /** The row's place in the buffer, for GetOwnerModuleFrom*Entry. */
  offset: number;
}

/** A table buffer that does not hold what its count says. */
export class TableParseError extends Error {
  override name = "TableParseError";
}

/** 100-ns intervals from 1601-01-01 to 1970-01-01. */
const FILETIME_UNIX_EPOCH = 116444736000000000n;

/** Parses the rows of a table of `layout` from the `length` bytes Windows filled in. */
export function parseTable(
  bytes: Uint8Array,
  layout: TableLayout,
  length = bytes.length,
): TableRow[] {
  if (length < 4) throw new TableParseError(`a ${layout} table needs 4 bytes, got ${length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const count = view.getUint32(0, true);
  const { header, row } = TABLE_LAYOUTS[layout];
  if (header + count * row > length) {
    throw new TableParseError(
      `a ${layout} table of ${count} rows needs ${header + count * row} bytes, got ${length}`,
    );
  }
  const rows: TableRow[] = [];
  for (let i = 0; i < count; i++) rows.push(parseRow(bytes, view, layout, header + i * row));
  return rows;
}

function parseRow(bytes: Uint8Array, view: DataView, layout: TableLayout, at: number): TableRow {
  const port = (offset: number) => (bytes[at + offset] << 8) | bytes[at + offset + 1];
  const v6 = (address: number, scope: number) => {
    let text = formatIpv6(bytes, at + address);
    const scopeId = view.getUint32(at + scope, true);
    if (scopeId !== 0 && ipv6NeedsScope(bytes, at + address)) text += `%${scopeId}`;
    return text;
  };
  const created = (offset: number) => {
    const ticks = view.getBigUint64(at + offset, true);
    return ticks === 0n ? null : new Date(Number((ticks - FILETIME_UNIX_EPOCH) / 10000n));
  };
  const tcp = (
    protocol: "tcp" | "tcp6",
    local: string,
    localPort: number,
    remote: string,
    remotePort: number,
    stateValue: number,
    pid: number,
    createdAt: Date | null,
  ): TableRow => {
    const state = MIB_TCP_STATE_NAMES[stateValue] ?? "CLOSED";
    const peer = state !== "LISTENING" && remotePort !== 0;
    return {
      protocol,
      localAddress: local,
      localPort,
      remoteAddress: peer ? remote : null,
      remotePort: peer ? remotePort : null,
      state,
      pid,
      created: createdAt,
      offset: at,
    };
  };
  const udp = (
    protocol: "udp" | "udp6",
    local: string,
    localPort: number,
    pid: number,
    createdAt: Date | null,
  ): TableRow => ({
    protocol,
    localAddress: local,
    localPort,
    remoteAddress: null,
    remotePort: null,
    state: null,
    pid,
    created: createdAt,
    offset: at,
  });
  const u32 = (offset: number) => view.getUint32(at + offset, true);
  switch (layout) {
    case "tcp-module":
    case "tcp-pid":
      return tcp(
        "tcp",
        formatIpv4(bytes, at + 4),
        port(8),
        formatIpv4(bytes, at + 12),
        port(16),
        u32(0),
        u32(20),
        layout === "tcp-module" ? created(24) : null,
      );
    case "tcp6-module":
    case "tcp6-pid":
      return tcp(
        "tcp6",
        v6(0, 16),
        port(20),
        v6(24, 40),
        port(44),
        u32(48),
        u32(52),
        layout === "tcp6-module" ? created(56) : null,
      );
    case "udp-module":
    case "udp-pid":
      return udp(
        "udp",
        formatIpv4(bytes, at),
        port(4),
        u32(8),
        layout === "udp-module" ? created(16) : null,
      );
    case "udp6-module":
    case "udp6-pid":
      return udp(
        "udp6",
        v6(0, 16),
        port(20),
        u32(24),
        layout === "udp6-module" ? created(32) : null,
      );
  }
}
