/**
 * The local report's port rows: each endpoint's cells, made once, and the column widths of every
 * table that lists them (the port table, the port-to-process mappings, each process's block),
 * gathered in the same pass. Left to the tables, each would look at every cell of its rows again
 * to find its widths: three passes over 80,000 cells on a 16,000-socket host, run once in a
 * short-lived process whose code has not been optimised yet.
 *
 * @module
 */

import { formatAddressPort } from "../model/address.ts";
import { type Endpoint, isIpv6, isTcp, TCP_STATES } from "../model/endpoint.ts";
import { otherNamespaceLabel } from "../model/network_namespace.ts";
import { displayWidth } from "../text/display_width.ts";
import { printableAddress, printableField } from "../text/printable.ts";

/** The port table's columns; a Namespace column follows when other namespaces' rows are listed. */
export const PORT_HEADER: readonly string[] = ["Port", "Local IP", "State", "Remote IP:Port"];

/**
 * Rows counted for the Port Statistics: slot `i` counts TCP endpoints in `TCP_STATES[i]`, then
 * {@linkcode OTHER_TCP_SLOT} TCP ones in no state of that list, {@linkcode UDP_SLOT} UDP ones.
 */
export type PortCounts = number[];

/** The slot of {@linkcode PortCounts} that counts TCP endpoints in a state not in `TCP_STATES`. */
export const OTHER_TCP_SLOT: number = TCP_STATES.length;
/** The slot of {@linkcode PortCounts} that counts UDP endpoints. */
export const UDP_SLOT: number = TCP_STATES.length + 1;

/** One process's rows, the widest of its cells in each column, and its rows counted. */
export interface ProcessRows {
  /** Its endpoints' indexes, in order. */
  indexes: number[];
  /** The widest cell of each column among them. */
  widths: number[];
  /** Its rows counted by protocol and state. */
  counts: PortCounts;
}

/** Every endpoint's cells, and which rows each table lists with how wide its columns are. */
export interface PortRows {
  /** Cells to a row: {@linkcode PORT_HEADER}'s, and the namespace's when `namespaces` was asked. */
  columns: number;
  /** Every endpoint's cells, one row after another. */
  cells: string[];
  /**
   * Each cell's display width (text/display_width.ts), as `cells`; undefined when each is as wide
   * as it is long, as nearly always (see {@linkcode portRows}).
   */
  cellWidths?: Int32Array;
  /** The widest cell of each column over every row, in display width as all widths here. */
  widths: number[];
  /** Every row counted by protocol and state. */
  counts: PortCounts;
  /** The rows of endpoints with an owner, in order: the mappings' rows. */
  mapped: number[];
  /** The mappings' first column, `PID:Process`, for each of `mapped`. */
  owners: string[];
  /** Each of `owners`' display width; undefined as `cellWidths` is. */
  ownerWidths?: number[];
  /** The widest cell of each of the mappings' columns, the `PID:Process` column first. */
  mappedWidths: number[];
  /** Each holding process's rows (every holder of a shared socket), by pid, ascending. */
  byProcess: Map<number, ProcessRows>;
}

/**
 * The cells of every endpoint: `TCP 80`, local address, state, peer, and with `namespaces` the
 * label of an endpoint's namespace other than the current one. Addresses are fields from outside
 * too: an IPv6 scope is an interface's name, which may hold an escape character.
 *
 * Widths are display widths. Ports, states and addresses are ASCII, one column a character, but
 * for an interface's name in a scope; so are most names. The cells are gathered taking each
 * cell's length for its width, the few that may differ measured as they come (each process's
 * `PID:Process` cell, each namespace's label, scoped addresses); at the first that does differ,
 * they are gathered again with every cell's width measured and kept: a host whose process names
 * are CJK pays a second pass, every other host no measuring of 80,000 cells.
 */
export function portRows(endpoints: readonly Endpoint[], namespaces: boolean): PortRows {
  return gatherRows(endpoints, namespaces, false) ?? gatherRows(endpoints, namespaces, true)!;
}

/**
 * {@linkcode portRows}' pass: with `measured`, every cell's display width is kept; without, null
 * as soon as a cell's display width is not its length.
 */
function gatherRows(
  endpoints: readonly Endpoint[],
  namespaces: boolean,
  measured: boolean,
): PortRows | null {
  const columns = PORT_HEADER.length + (namespaces ? 1 : 0);
  const cells = new Array<string>(endpoints.length * columns);
  const cellWidths = measured ? new Int32Array(endpoints.length * columns) : null;
  const widths = new Array<number>(columns).fill(0);
  const counts: PortCounts = new Array<number>(UDP_SLOT + 1).fill(0);
  const mapped: number[] = [];
  const owners: string[] = [];
  const ownerWidths: number[] | null = measured ? [] : null;
  const mappedWidths = new Array<number>(columns + 1).fill(0);
  const byProcess = new Map<number, ProcessRows>();
  // One `PID:Process` cell per owning process, made once: a busy process holds thousands of rows.
  const ownerCells = new Map<number, { process: string | null; cell: string; width: number }>();
  // Each namespace's label is made and measured once for its stretch of endpoints.
  let namespace: Endpoint["netns"] | null = null;
  let namespaceCell = "", namespaceWidth = 0;
  for (let index = 0; index < endpoints.length; index++) {
    const endpoint = endpoints[index];
    const { protocol } = endpoint;
    let peer: string;
    if (endpoint.remoteAddress !== null) {
      peer = formatAddressPort(printableAddress(endpoint.remoteAddress), endpoint.remotePort ?? 0);
    } else if (isTcp(protocol)) {
      peer = isIpv6(protocol) ? "[::]:0" : "0.0.0.0:0";
    } else {
      peer = "*:*";
    }
    const state = endpoint.state ?? "";
    const base = index * columns;
    const port = `${PROTOCOL_TITLES[protocol]} ${endpoint.localPort}`;
    const local = printableAddress(endpoint.localAddress);
    cells[base] = port;
    cells[base + 1] = local;
    cells[base + 2] = state;
    cells[base + 3] = peer;
    const localWidth = addressWidth(local), peerWidth = addressWidth(peer);
    if (cellWidths !== null) {
      cellWidths[base] = port.length;
      cellWidths[base + 1] = localWidth;
      cellWidths[base + 2] = state.length;
      cellWidths[base + 3] = peerWidth;
    } else if (localWidth !== local.length || peerWidth !== peer.length) {
      return null;
    }
    if (namespaces) {
      if (endpoint.netns !== namespace) {
        namespace = endpoint.netns;
        namespaceCell = printableField(otherNamespaceLabel(endpoint) ?? "");
        namespaceWidth = displayWidth(namespaceCell);
        if (cellWidths === null && namespaceWidth !== namespaceCell.length) return null;
      }
      cells[base + 4] = namespaceCell;
      if (cellWidths !== null) cellWidths[base + 4] = namespaceWidth;
    }
    widen(widths, 0, cells, cellWidths, base);
    const slot = isTcp(protocol) ? STATE_SLOTS.get(state) ?? OTHER_TCP_SLOT : UDP_SLOT;
    counts[slot]++;

    const { pid, process } = endpoint;
    if (pid !== null) {
      let made = ownerCells.get(pid);
      if (made === undefined || made.process !== process) {
        const cell = `${pid}:${printableField(process ?? "?")}`;
        made = { process, cell, width: displayWidth(cell) };
        if (ownerWidths === null && made.width !== cell.length) return null;
        ownerCells.set(pid, made);
      }
      mapped.push(index);
      owners.push(made.cell);
      ownerWidths?.push(made.width);
      if (mappedWidths[0] < made.width) mappedWidths[0] = made.width;
      widen(mappedWidths, 1, cells, cellWidths, base);
    }
    if (endpoint.owners) {
      for (const owner of endpoint.owners) {
        addRow(byProcess, owner.pid, cells, cellWidths, columns, index, slot);
      }
    } else if (pid !== null) {
      addRow(byProcess, pid, cells, cellWidths, columns, index, slot);
    }
  }
  return {
    columns,
    cells,
    cellWidths: cellWidths ?? undefined,
    widths,
    counts,
    mapped,
    owners,
    ownerWidths: ownerWidths ?? undefined,
    mappedWidths,
    byProcess: new Map([...byProcess].sort((a, b) => a[0] - b[0])),
  };
}

/** Each TCP state's slot in {@linkcode PortCounts}. */
const STATE_SLOTS = new Map<string, number>(TCP_STATES.map((state, slot) => [state, slot]));

const PROTOCOL_TITLES: Record<Endpoint["protocol"], string> = {
  tcp: "TCP",
  tcp6: "TCP6",
  udp: "UDP",
  udp6: "UDP6",
};

/**
 * Widens `widths` from `first` on to the cells of the row at `base`, as wide as `cellWidths` says
 * or, without, as long as they are: four, or five where `widths` has room for the namespace's.
 */
function widen(
  widths: number[],
  first: number,
  cells: readonly string[],
  cellWidths: Int32Array | null,
  base: number,
): void {
  // Written out cell by cell, not as a loop over the columns: it runs three times a row, cold.
  let width = cellWidths === null ? cells[base].length : cellWidths[base];
  if (widths[first] < width) widths[first] = width;
  width = cellWidths === null ? cells[base + 1].length : cellWidths[base + 1];
  if (widths[first + 1] < width) widths[first + 1] = width;
  width = cellWidths === null ? cells[base + 2].length : cellWidths[base + 2];
  if (widths[first + 2] < width) widths[first + 2] = width;
  width = cellWidths === null ? cells[base + 3].length : cellWidths[base + 3];
  if (widths[first + 3] < width) widths[first + 3] = width;
  if (first + 4 < widths.length) {
    width = cellWidths === null ? cells[base + 4].length : cellWidths[base + 4];
    if (widths[first + 4] < width) widths[first + 4] = width;
  }
}

/** An address cell's display width: its length, but where a scope names an interface. */
function addressWidth(address: string): number {
  return address.includes("%") ? displayWidth(address) : address.length;
}

/** Adds row `index` of `cells` (widths as {@linkcode widen} takes them), counted in `slot`. */
function addRow(
  byProcess: Map<number, ProcessRows>,
  pid: number,
  cells: readonly string[],
  cellWidths: Int32Array | null,
  columns: number,
  index: number,
  slot: number,
): void {
  let rows = byProcess.get(pid);
  if (rows === undefined) {
    rows = {
      indexes: [],
      widths: new Array<number>(columns).fill(0),
      counts: new Array<number>(UDP_SLOT + 1).fill(0),
    };
    byProcess.set(pid, rows);
  }
  rows.indexes.push(index);
  rows.counts[slot]++;
  widen(rows.widths, 0, cells, cellWidths, index * columns);
}
