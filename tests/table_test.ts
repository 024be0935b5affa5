/**
 * outputs/table.ts: columns padded to their widest cell, two spaces apart, no trailing blanks.
 */

import assert from "node:assert/strict";
import { ByteText } from "../text/byte_text.ts";
import { formatTable, type LaidOutRows, writeTable } from "../text/table.ts";

Deno.test("formatTable pads every column but the last to its widest cell", () => {
  const lines = formatTable([
    ["Proto", "Local", "State"],
    ["tcp", "0.0.0.0:22", "LISTENING"],
    ["tcp6", "[::1]:631", "ESTABLISHED"],
  ]);
  assert.deepEqual(lines, [
    " Proto  Local       State",
    " tcp    0.0.0.0:22  LISTENING",
    " tcp6   [::1]:631   ESTABLISHED",
  ]);
  // Every column starts at the same offset on every line.
  const second = lines.map((line) => line.indexOf(line.trim().split(/\s+/)[1]));
  assert.equal(new Set(second).size, 1);
});

Deno.test("formatTable takes the indent it is given", () => {
  assert.deepEqual(formatTable([["a", "b"], ["ccc", "d"]], ""), ["a    b", "ccc  d"]);
  assert.deepEqual(formatTable([["a", "b"]], "    "), ["    a  b"]);
});

Deno.test("formatTable leaves no trailing blanks when the last cells are empty", () => {
  const lines = formatTable([["name", "value"], ["x", ""], ["longer", ""]]);
  assert.deepEqual(lines, [" name    value", " x", " longer"]);
  for (const line of lines) assert.equal(line, line.trimEnd());
});

Deno.test("formatTable lays out rows of different lengths", () => {
  assert.deepEqual(formatTable([["a", "bb", "c"], ["dddd"], ["e", "f"]]), [
    " a     bb  c",
    " dddd",
    " e     f",
  ]);
});

Deno.test("formatTable of no rows is no lines", () => {
  assert.deepEqual(formatTable([]), []);
});

/** writeTable's lines, as formatTable returns them. */
function written(
  cells: string[],
  rows: number[],
  options: { lead?: string[]; laidOut?: LaidOutRows; record?: boolean; out?: ByteText } = {},
): { lines: string[]; laidOut: LaidOutRows | undefined } {
  const out = options.out ?? new ByteText(16);
  const from = out.length;
  const header = options.lead ? ["Who", "Port", "Address", "State"] : ["Port", "Address", "State"];
  const laidOut = writeTable(out, { header, cells, columns: 3, rows, lead: options.lead }, " ", {
    laidOut: options.laidOut,
    record: options.record,
  });
  const text = new TextDecoder().decode(out.bytes().subarray(from));
  return { lines: text.slice(0, -1).split("\n"), laidOut };
}

/** What formatTable makes of `rows` of `cells` (three to a row), headed as `written` heads them. */
function formatted(cells: string[], rows: number[], lead?: string[]): string[] {
  const row = (r: number) => cells.slice(r * 3, r * 3 + 3);
  return formatTable([
    lead ? ["Who", "Port", "Address", "State"] : ["Port", "Address", "State"],
    ...rows.map((r, i) => lead ? [lead[i], ...row(r)] : row(r)),
  ]);
}

Deno.test("writeTable lays out as formatTable does, and a later table copies only rows of equal widths", () => {
  // Row 2's state is empty: its line ends at its address, as formatTable trims it.
  const cells = [
    "TCP 22",
    "0.0.0.0",
    "LISTENING",
    "TCP 8080",
    "127.0.0.1",
    "ESTABLISHED",
    "UDP 53",
    "10.1.2.3",
    "",
    "TCP6 443",
    "fe80::1%eth0",
    "LISTENING",
  ]; // deno-fmt-ignore
  const expected = (rows: number[], lead?: string[]) => formatted(cells, rows, lead);

  const out = new ByteText(16); // grows while rows are copied from what it holds
  const all = [0, 1, 2, 3];
  const first = written(cells, all, { record: true, out });
  assert.deepEqual(first.lines, expected(all));
  assert.ok(first.laidOut);

  // The same widths (row 3 holds the widest cells of two columns, row 1 of the third): copied.
  const same = [3, 1, 0];
  assert.deepEqual(written(cells, same, { laidOut: first.laidOut, out }).lines, expected(same));
  const lead = ["1:sshd", "22:nginx", "3:x"];
  assert.deepEqual(
    written(cells, same, { laidOut: first.laidOut, lead, out }).lines,
    expected(same, lead),
  );
  // Only the last column narrower: the rows read the same, copied.
  const lastNarrower = [3, 0];
  assert.deepEqual(
    written(cells, lastNarrower, { laidOut: first.laidOut, out }).lines,
    expected(lastNarrower),
  );
  // Narrower columns: laid out anew, not copied with the wider padding.
  const narrow = [0, 2];
  assert.deepEqual(written(cells, narrow, { laidOut: first.laidOut, out }).lines, expected(narrow));
});

Deno.test("writeTable trims a line's end as String.prototype.trimEnd does, within its cells", () => {
  // A name may end in any Unicode space (no-break, ideographic), or be blank altogether.
  const cells = [
    "TCP 22",
    "0.0.0.0",
    "lab\u00a0",
    "TCP 80",
    "\u3000",
    "",
    "",
    "",
    "",
  ]; // deno-fmt-ignore
  const rows = [0, 1, 2];
  assert.deepEqual(
    written(cells, rows).lines,
    formatTable([["Port", "Address", "State"], ...rows.map((r) => cells.slice(r * 3, r * 3 + 3))]),
  );
});

Deno.test("writeTable copies a row whose last cells are blank when the columns before its last written one match", () => {
  // Rows 0 and 2 end at their address (no state); row 1 has one. Row 3 widens the address
  // column of the first table only.
  const cells = [
    "TCP 22",
    "10.0.0.1",
    "",
    "TCP 23",
    "10.0.0.2",
    "LISTENING",
    "UDP 53",
    "10.0.0.3",
    "",
    "TCP 80",
    "2001:db8::1234:5678",
    "LISTENING",
  ]; // deno-fmt-ignore
  const expected = (rows: number[]) => formatted(cells, rows);
  const out = new ByteText(16);
  const first = written(cells, [0, 1, 2, 3], { record: true, out });
  assert.deepEqual(first.lines, expected([0, 1, 2, 3]));
  // The address column is narrower here: rows 0 and 2 (no state) read the same as before and
  // may be copied; row 1's state would sit after wider padding: it must be laid out anew.
  const narrower = [0, 1, 2];
  assert.deepEqual(
    written(cells, narrower, { laidOut: first.laidOut, out }).lines,
    expected(narrower),
  );
  assert.deepEqual(first.laidOut!.last.slice(0, 4), Uint8Array.from([1, 2, 1, 2]));
});

Deno.test("writeTable records a copied row's last written column, for a table laid out from it", () => {
  // Table b copies row 1 from a and records it; c, laid out from b, must not copy row 1 (its
  // last written column is the third, and the second is narrower in c).
  const header = ["P", "Q", "R"];
  const rows = [["aaaa", "bbb", ""], ["c", "d", "e"], ["aaaa", "bbb", "x"], ["aaaa", "b", "y"]];
  const cells = rows.flat();
  const out = new ByteText(64);
  const a = writeTable(out, { header, cells, columns: 3, rows: [1, 2] }, " ", { record: true })!;
  const b = writeTable(out, { header, cells, columns: 3, rows: [0, 1] }, " ", {
    laidOut: a,
    record: true,
  })!;
  assert.equal(b.last[1], 2);
  const from = out.length;
  writeTable(out, { header, cells, columns: 3, rows: [1, 3] }, " ", { laidOut: b });
  const text = new TextDecoder().decode(out.bytes().subarray(from));
  assert.deepEqual(text.slice(0, -1).split("\n"), formatTable([header, rows[1], rows[3]]));
});
