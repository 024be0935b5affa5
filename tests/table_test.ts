/**
 * outputs/table.ts: columns padded to their widest cell, two spaces apart, no trailing blanks.
 */

import assert from "node:assert/strict";
import { formatTable } from "../text/table.ts";

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
