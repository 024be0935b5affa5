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
  return rows.map((row) =>
    indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")
      .trimEnd()
  );
}
