/**
 * The port tables of PR-INITIAL and PR-PIDS, and the statistics under them. A row names its
 * owner first, `PID:Process` in PR-INITIAL's start-up table and the bare PID in a process's own
 * table, then the port, the local address, the TCP state and the peer:
 *
 * ```text
 * PID:Process    Port        Local IP        State       Remote IP:Port
 * 4:System       TCP 445     0.0.0.0         LISTENING    0.0.0.0
 * 4:System       UDP 137     172.16.16.150     *:*
 * 1096    TCP 3389   172.16.16.150   ESTABLISHED   172.16.16.100:1486
 * ```
 *
 * A listener's peer is its unspecified address with no port, an unconnected UDP socket's `*:*`;
 * UDP rows have no state. The original separates columns with spaces, or a tab after the PID; a
 * socket no process owns (TIME_WAIT) is written by portset with `-` for its owner.
 *
 * portset adds a last column, `Namespace`, to a table that holds a socket of another network
 * namespace than the monitor's: its label there (`blue`, `docker:4f2a9c1b7d3e`), and nothing for
 * the monitor's own, as PR-PORTS's `namespace` field. A table of the host's sockets alone, and
 * every table of the original's, has none, and reads as all of the host's.
 *
 * Under a process's table, `Port Statistics`: the TCP and UDP mappings, and per TCP state
 * `TCP ports in a LISTENING state: <tab>1 = 50.00%`.
 *
 * @module
 */

import { formatAddressPort } from "../model/address.ts";
import { type Endpoint, isIpv6, isTcp, TCP_STATES, type Transport } from "../model/endpoint.ts";
import { otherNamespaceLabel } from "../model/network_namespace.ts";
import { printableAddress, printableField } from "../text/printable.ts";
import { displayWidth } from "../text/display_width.ts";
import { formatTable } from "../text/table.ts";
import type { LogProtocol } from "./layout.ts";

/** One row of a port table. */
export interface PortRow {
  /** The transport; `ipv6` tells the family. */
  protocol: LogProtocol;
  /** The address family, from the protocol (`TCP6`) or the local address. */
  ipv6: boolean;
  /** The local address, without the brackets the table writes around an IPv6 one. */
  localAddress: string;
  /** The `Port` column. */
  localPort: number;
  /** Null for a listener or an unconnected UDP socket. */
  remoteAddress: string | null;
  /** The peer's port; null when `remoteAddress` is. */
  remotePort: number | null;
  /** `LISTENING`, `TIME_WAIT` …; null for UDP. */
  state: string | null;
  /** Null when no process owns the socket. */
  pid: number | null;
  /** From a `PID:Process` column; null in a PID-only column. */
  process: string | null;
  /**
   * The `Namespace` column: the label of the socket's network namespace; null for the monitor's
   * own (an empty cell), and in a table without the column.
   */
  namespace: string | null;
}

/** What a `Port Statistics` block says. */
export interface PortStatistics {
  /** `TCP mappings`; null when the block has no such line. */
  tcp: number | null;
  /** `UDP mappings`; null when the block has no such line. */
  udp: number | null;
  /** TCP sockets per state, in the order written. */
  states: { state: string; count: number }[];
}

/** How the owner column is written. */
export type OwnerColumn = "pid:process" | "pid";

/**
 * A port table: its header line, then a row per endpoint, columns aligned; with a last column,
 * `Namespace`, when some endpoint is of another network namespace than the monitor's. Process
 * names, addresses (whose IPv6 scope is an interface's name) and namespace labels show control
 * characters as `?`, so a row is one line.
 */
export function formatPortTable(endpoints: readonly Endpoint[], owner: OwnerColumn): string[] {
  const ownerOf = (endpoint: Endpoint) =>
    endpoint.pid === null
      ? "-"
      : owner === "pid"
      ? String(endpoint.pid)
      : `${endpoint.pid}:${printableField(endpoint.process ?? "?")}`;
  const namespaces = endpoints.some((endpoint) => otherNamespaceLabel(endpoint) !== null);
  const header = [
    owner === "pid" ? "PID" : "PID:Process",
    "Port",
    "Local IP",
    "State",
    "Remote IP:Port",
    ...(namespaces ? [NAMESPACE_COLUMN] : []),
  ];
  return formatTable([
    header,
    ...endpoints.map((endpoint) => {
      const row = [
        ownerOf(endpoint),
        `${endpoint.protocol.toUpperCase()} ${endpoint.localPort}`,
        printableAddress(endpoint.localAddress),
        endpoint.state ?? "",
        peerText(endpoint),
      ];
      // Empty for the monitor's own namespace: formatTable drops the trailing blanks.
      if (namespaces) row.push(printableField(otherNamespaceLabel(endpoint) ?? ""));
      return row;
    }),
  ], "");
}

/** The title of portset's last column, the socket's network namespace. */
const NAMESPACE_COLUMN = "Namespace";

/** The peer column: `address:port`, a listener's unspecified address, or UDP's `*:*`. */
function peerText(endpoint: Endpoint): string {
  if (endpoint.remoteAddress !== null) {
    return formatAddressPort(printableAddress(endpoint.remoteAddress), endpoint.remotePort ?? 0);
  }
  if (!isTcp(endpoint.protocol)) return "*:*";
  return isIpv6(endpoint.protocol) ? "::" : "0.0.0.0";
}

/** `Port Statistics`: the TCP and UDP mappings, then the TCP sockets in each state. */
export function formatPortStatistics(endpoints: readonly Endpoint[]): string[] {
  const tcp = endpoints.filter((endpoint) => isTcp(endpoint.protocol));
  const counts = new Map<string, number>();
  for (const endpoint of tcp) {
    if (endpoint.state) counts.set(endpoint.state, (counts.get(endpoint.state) ?? 0) + 1);
  }
  const states = TCP_STATES.filter((state) => counts.has(state)).map((state) => {
    const count = counts.get(state)!;
    // The original's wording ("in a ESTABLISHED state") and its tab, kept as they are.
    return `TCP ports in a ${state} state: \t${count} = ${(100 * count / tcp.length).toFixed(2)}%`;
  });
  return [
    "Port Statistics",
    "",
    `TCP mappings: ${tcp.length}`,
    `UDP mappings: ${endpoints.length - tcp.length}`,
    ...(states.length ? ["", ...states] : []),
  ];
}

/** `4:System  TCP 445  0.0.0.0  LISTENING  0.0.0.0`, `1096  TCP 3389 …`, or an ownerless row. */
const ROW_START = String.raw`^\s*(?:(-|\d+)(?::(.*?))?\s+)?(TCP|UDP)(6|v6)?\s+(\d+)\s+(\S+)\s+` +
  String.raw`(?:([A-Z][A-Z_0-9 ]*?)\s+)?(\S+)`;
const ROW = new RegExp(`${ROW_START}\\s*$`);
/**
 * A row of a table with portset's `Namespace` column: the same, then the label, which is
 * everything after the peer (a label may hold spaces), or nothing for the monitor's namespace.
 * Apart from ROW: PortQry's `TIME WAIT` would read as a state `TIME`, a peer `WAIT` and a label.
 */
const ROW_WITH_NAMESPACE = new RegExp(`${ROW_START}(?:\\s+(\\S.*?))?\\s*$`);

const HEADER =
  /^\s*(?:PID(?::Process)?\s+)?Port\s+Local IP\s+State\s+Remote IP:Port(\s+Namespace)?\s*$/i;

/**
 * A table's header line: `PID:Process    Port …` or `PID<tab>Port …` (or PortQry's `Port …`),
 * with or without portset's `Namespace` column.
 */
export function isPortTableHeader(line: string): boolean {
  return HEADER.test(line);
}

/**
 * Where a table's `Namespace` column starts, in the columns a terminal gives the header line (see
 * {@linkcode isPortTableHeader}); null when the header has no such column. The writer pads every
 * cell to its column (text/table.ts), so each row's label starts there too.
 */
export function namespaceColumnAt(header: string): number | null {
  if (!hasNamespaceColumn(header)) return null;
  return displayWidth(header.slice(0, header.search(/Namespace\s*$/i)));
}

/** Whether a table's header line (see {@linkcode isPortTableHeader}) has the `Namespace` column. */
function hasNamespaceColumn(header: string): boolean {
  return HEADER.exec(header)?.[1] !== undefined;
}

/**
 * A port table's row; null when `line` is not one. `namespaceColumn`: where its table's header
 * has the `Namespace` column (see {@linkcode namespaceColumnAt}); null when it has none, as a row
 * of another table has none.
 *
 * A process's name may hold spaces, and what follows them may read as a row's cells
 * (`x TCP 23 ::1 ::`): a row is read to its end, where its own peer is, so that the name takes
 * everything before its own port. A label that took everything after the first peer found would
 * take the row's own cells instead, and leave a port that was never open: the label is cut off
 * where its column starts first. Only a row whose label does not start under its title (not as
 * portset lays a table out) has it read as the words after the first peer.
 */
export function parsePortRow(line: string, namespaceColumn: number | null = null): PortRow | null {
  if (namespaceColumn === null) return readRow(ROW.exec(line), null);
  const cut = cutAtColumn(line, namespaceColumn);
  if (cut === null) return readRow(ROW.exec(line), null);
  if (/\s$/.test(cut.before)) return readRow(ROW.exec(cut.before), cut.after.trimEnd());
  const row = ROW_WITH_NAMESPACE.exec(line);
  return readRow(row, row?.[9] ?? null);
}

/**
 * `line` cut where the terminal columns before reach `column`; null when the whole line takes no
 * more than that (a row with no label).
 */
function cutAtColumn(line: string, column: number): { before: string; after: string } | null {
  if (PRINTABLE_ASCII.test(line)) {
    return line.length <= column
      ? null
      : { before: line.slice(0, column), after: line.slice(column) };
  }
  let width = 0, at = 0;
  for (const character of line) {
    if (width >= column) break;
    width += displayWidth(character);
    at += character.length;
  }
  if (at >= line.length) return null;
  return { before: line.slice(0, at), after: line.slice(at) };
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

function readRow(row: RegExpExecArray | null, namespace: string | null): PortRow | null {
  if (!row) return null;
  const [, pid, process, protocol, six, port, localAddress, state, peerText] = row;
  const localPort = Number(port);
  if (localPort > 65535) return null;
  const peer = parsePeer(peerText);
  if (peer === undefined) return null;
  const address = localAddress.replace(/^\[(.*)\]$/, "$1");
  return {
    protocol: protocol as LogProtocol,
    ipv6: six !== undefined || address.includes(":"),
    localAddress: address,
    localPort,
    remoteAddress: peer?.address ?? null,
    remotePort: peer?.port ?? null,
    // PortQry spells some states with a space (`TIME WAIT`); portset's use an underscore.
    state: state ? state.trim().replace(/ /g, "_") : null,
    pid: pid === undefined || pid === "-" || pid === "0" ? null : Number(pid),
    process: process?.trim() || null,
    namespace,
  };
}

/** Addresses a socket with no peer shows in the peer column. */
const NO_PEER = new Set(["*:*", "*", "-", "0.0.0.0", "::", "[::]", "0.0.0.0:0", "[::]:0", "*:0"]);

/**
 * `1.2.3.4:80`, `[2001:db8::1]:443` → address and port; a listener's `0.0.0.0`, `*:*` and the
 * like → null (no peer); anything else → undefined (not a peer column).
 */
function parsePeer(text: string): { address: string; port: number } | null | undefined {
  if (NO_PEER.has(text)) return null;
  const cut = text.lastIndexOf(":");
  if (cut <= 0) return undefined;
  const address = text.slice(0, cut).replace(/^\[(.*)\]$/, "$1");
  const port = Number(text.slice(cut + 1));
  if (text.slice(cut + 1) === "" || !Number.isInteger(port) || port < 0 || port > 65535) {
    return undefined;
  }
  return { address, port };
}

/** Reads a `Port Statistics` block's lines into `statistics`; true when `line` was one. */
export function readStatisticsLine(line: string, statistics: PortStatistics): boolean {
  const text = line.trim();
  if (/^Port Statistics$/i.test(text)) return true;
  const mappings = /^(TCP|UDP) mappings:\s*(\d+)$/i.exec(text);
  if (mappings) {
    statistics[mappings[1].toLowerCase() as Transport] = Number(mappings[2]);
    return true;
  }
  const state = /^TCP ports in an? ([A-Z_ ]+?) state:\s*(\d+)\s*=\s*[\d.]+%$/i.exec(text);
  if (state) {
    statistics.states.push({ state: state[1].replace(/ /g, "_"), count: Number(state[2]) });
    return true;
  }
  return false;
}
