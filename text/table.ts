/**
 * Aligned text columns.
 *
 * @module
 */

/** Lays out rows as columns padded to their widest cell, each line prefixed by `indent`. */
export function formatTable(rows: readonly (readonly string[])[], indent = " "): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if ((widths[i] ?? 0) < row[i].length) widths[i] = row[i].length;
    }
  }
  // Built cell by cell, not with map, padEnd and join per row: a -local report of 16,000 sockets
  // lays out 48,000 rows, and those made an array and a string per cell.
  const lines = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const last = row.length - 1;
    let cells = "";
    for (let i = 0; i < last; i++) cells += row[i] + blanks((widths[i] ?? 0) - row[i].length + 2);
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
