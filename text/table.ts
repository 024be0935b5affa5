/**
 * Aligned text columns, padded by the columns a terminal gives each cell (display_width.ts).
 *
 * @module
 */

import type { ByteText } from "./byte_text.ts";
import { displayWidth } from "./display_width.ts";

/** Lays out rows as columns padded to their widest cell, each line prefixed by `indent`. */
export function formatTable(rows: readonly (readonly string[])[], indent = " "): string[] {
  const cellWidths = rows.map((row) => row.map(displayWidth));
  const widths: number[] = [];
  for (const row of cellWidths) {
    for (let i = 0; i < row.length; i++) {
      if ((widths[i] ?? 0) < row[i]) widths[i] = row[i];
    }
  }
  // Built cell by cell, not with map, padEnd and join per row: a -local report of 16,000 sockets
  // lays out 48,000 rows, and those made an array and a string per cell.
  const lines = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r], rowWidths = cellWidths[r];
    const last = row.length - 1;
    let cells = "";
    for (let i = 0; i < last; i++) cells += row[i] + blanks((widths[i] ?? 0) - rowWidths[i] + 2);
    lines[r] = indent + (last >= 0 ? cells + row[last] : cells).trimEnd();
  }
  return lines;
}

let spaces = "        ";

/** `count` spaces. */
function blanks(count: number): string {
  while (spaces.length < count) spaces += spaces;
  return spaces.slice(0, count);
}

/** A table whose rows are picked from a flat list of cells, for {@linkcode writeTable}. */
export interface CellTable {
  /** Every column's title, `lead`'s first when there is one. */
  header: readonly string[];
  /** The cells of every row there is, one row after another, `columns` to a row. */
  cells: readonly string[];
  /** Cells to a row in `cells`. */
  columns: number;
  /** The rows to lay out (their numbers in `cells`), in order. */
  rows: ArrayLike<number>;
  /** A first column, one cell for each of `rows`, in the same order. */
  lead?: readonly string[];
  /**
   * Each of `cells`' display width (display_width.ts), in the same order. Absent, each cell is
   * taken to be as wide as it is long, as printable ASCII is: the caller knows (measuring 80,000
   * cells of addresses and states would only find that again).
   */
  cellWidths?: ArrayLike<number>;
  /** Each of `lead`'s display width, as `cellWidths` is `cells'`. */
  leadWidths?: ArrayLike<number>;
  /**
   * The widest cell of each column among `rows` (the lead's first), when the caller has them:
   * the table then need not look at every cell again to find them. Trusted as given: each must be
   * at least as wide as every cell of its column among `rows`, or lines come out misaligned.
   */
  widths?: readonly number[];
}

/**
 * Where a table written by {@linkcode writeTable} put each row's cells (after its lead) in the
 * output, by row number, and the widths they were padded to: a later table of the same rows with
 * the same widths copies those bytes instead of laying the cells out again.
 */
export interface LaidOutRows {
  widths: readonly number[];
  /** Byte offsets of each row's cells and of the end of its line; -1 for a row not written. */
  start: Int32Array;
  end: Int32Array;
  /**
   * Each row's last column written (the rest were blank, trimmed): its bytes depend on the widths
   * of the columns before that one only.
   */
  last: Uint8Array;
}

/**
 * Lays out `table` as {@linkcode formatTable} does (header, then each row, columns padded to
 * their widest cell, each line prefixed by `indent`), written into `out`: the same row can be
 * listed in several tables without being copied, and no line is made as a string. With
 * `laidOut`, rows that table wrote with this table's widths are copied from it; with `record`,
 * what this table wrote is returned for later tables.
 */
export function writeTable(
  out: ByteText,
  table: CellTable,
  indent = " ",
  options: { laidOut?: LaidOutRows; record?: boolean } = {},
): LaidOutRows | undefined {
  const { header, cells, columns, rows, lead } = table;
  const { cellWidths, leadWidths } = table;
  const first = lead ? 1 : 0;
  const known = table.widths;
  const headerWidths = header.map(displayWidth);
  const widths = headerWidths.map((title, column) => Math.max(title, known?.[column] ?? 0));
  for (let r = 0; known === undefined && r < rows.length; r++) {
    const leadWidth = lead ? leadWidths?.[r] ?? lead[r].length : 0;
    if (widths[0] < leadWidth) widths[0] = leadWidth;
    const base = rows[r] * columns;
    for (let c = 0; c < columns; c++) {
      const width = cellWidths ? cellWidths[base + c] : cells[base + c].length;
      if (widths[first + c] < width) widths[first + c] = width;
    }
  }
  const columnWidths = widths.slice(first);
  const laidOut = options.laidOut;
  // A row laid out before is copied when the columns before its last written one are as wide
  // here: its own last is never padded, and the blank ones after it were trimmed.
  const alike = laidOut ? widthsAlike(laidOut.widths, columnWidths) : -1;
  const rowCount = cells.length / columns;
  const recorded = options.record
    ? {
      widths: columnWidths,
      start: new Int32Array(rowCount).fill(-1),
      end: new Int32Array(rowCount).fill(-1),
      last: new Uint8Array(rowCount),
    }
    : undefined;
  writeLine(out, indent, widths, header, headerWidths, 0, header.length);
  out.line();
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let cellsAt: number;
    if (laidOut !== undefined && laidOut.start[row] >= 0 && laidOut.last[row] <= alike) {
      // The same cells, padded alike: the lead (if any) as usual, then the row's bytes again.
      out.text(indent);
      if (lead) {
        out.text(lead[r]);
        out.spaces(widths[0] - (leadWidths?.[r] ?? lead[r].length) + 2);
      }
      cellsAt = out.length;
      out.repeat(laidOut.start[row], laidOut.end[row]);
      keptColumn = laidOut.last[row] + first; // as writeLine would have left it, for `recorded`
    } else {
      cellsAt = writeLine(
        out,
        indent,
        widths,
        cells,
        cellWidths,
        row * columns,
        columns,
        lead?.[r],
        lead ? leadWidths?.[r] ?? lead[r].length : 0,
      );
    }
    if (recorded && cellsAt >= 0 && out.length > cellsAt) {
      recorded.start[row] = cellsAt;
      recorded.end[row] = out.length;
      recorded.last[row] = keptColumn - first;
    }
    out.line();
  }
  return recorded;
}

/** The last column {@linkcode writeLine} wrote, counting the lead: the others were blank. */
let keptColumn = 0;

/**
 * Writes a line as `formatTable` makes it: `indent`, then `lead` (when given) and the `count`
 * cells of `cells` from `base`, each padded to its width in `widths` (the lead's first) by its
 * display width in `cellWidths`, its length without (`leadWidth` the lead's), the line's end
 * trimmed as
 * `String.prototype.trimEnd` trims (a name may end in any Unicode space). Returns where the cells
 * after the lead start, or -1 when the trimmed line ends before them.
 */
function writeLine(
  out: ByteText,
  indent: string,
  widths: readonly number[],
  cells: readonly string[],
  cellWidths: ArrayLike<number> | undefined,
  base: number,
  count: number,
  lead?: string,
  leadWidth = 0,
): number {
  const first = lead === undefined ? 0 : 1;
  const total = first + count;
  // The last column that is not blank, and its text without trailing blanks; at once when the
  // last cell ends in a printable ASCII character, as addresses and states do.
  let kept = total - 1;
  let keptText = cells[base + count - 1];
  const end = keptText.charCodeAt(keptText.length - 1);
  if (!(end > 0x20 && end < 0x7f)) {
    keptText = keptText.trimEnd();
    while (keptText === "" && kept > 0) {
      kept--;
      keptText = (kept < first ? lead! : cells[base + kept - first]).trimEnd();
    }
  }
  out.text(indent);
  if (lead !== undefined && kept > 0) {
    out.text(lead);
    out.spaces(widths[0] - leadWidth + 2);
  }
  const cellsAt = kept >= first ? out.length : -1;
  for (let c = first; c < kept; c++) {
    const cell = cells[base + c - first];
    out.text(cell);
    out.spaces(widths[c] - (cellWidths ? cellWidths[base + c - first] : cell.length) + 2);
  }
  out.text(keptText);
  keptColumn = kept;
  return keptText === "" ? -1 : cellsAt;
}

/**
 * How many leading columns are as wide in `a` as in `b` (-1 when the tables differ in columns):
 * a row whose last written column comes no later reads the same padded to either.
 */
function widthsAlike(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return -1;
  let alike = 0;
  while (alike < a.length && a[alike] === b[alike]) alike++;
  return alike;
}
