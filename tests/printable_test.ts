/** Terminal-safe text: control characters and the bidirectional controls are shown as `?`. */

import assert from "node:assert/strict";
import { printable, printableAddress, printableField } from "../text/printable.ts";
import { formatLocalReport } from "../outputs/local_report.ts";
import { makeEndpoint, makeSnapshot } from "./support/endpoints.ts";

Deno.test("a field shows every control character as ?, line breaks and tabs included", () => {
  assert.equal(printableField("bad\nname\x1b[31m\t\x9b"), "bad?name?[31m??");
  assert.equal(
    printableField("sshd: root@pts/0 – ünïcödé 日本"),
    "sshd: root@pts/0 – ünïcödé 日本",
  );
});

Deno.test("a text keeps its line feeds and tabs, and shows other control characters as ?", () => {
  assert.equal(printable("line\tone\nline\x07two\r\n"), "line\tone\nline?two?\n");
});

Deno.test("bidirectional controls are shown as ?: they would reorder the rest of a row on screen", () => {
  const controls = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";
  assert.equal(printableField(`evil${controls}gpj.exe`), `evil${"?".repeat(12)}gpj.exe`);
  assert.equal(printable(`a\u202eb\nc`), "a?b\nc");
  // The line and paragraph separators break a line on some terminals, as a line feed would.
  assert.equal(printableField("a\u2028b\u2029c"), "a?b?c");
  assert.equal(printableAddress("fe80::1%eth\u202e0"), "fe80::1%eth?0");
  // Joiners and marks that draw text, not reorder it, are kept.
  assert.equal(printableField("e\u0301\u200d"), "e\u0301\u200d");
  const report = formatLocalReport(makeSnapshot([makeEndpoint({ pid: 7, process: "x\u202eyz" })]));
  assert.ok(report.includes("7:x?yz"), "the process's cell");
  assert.ok(!/[\u202a-\u202e\u2066-\u2069]/.test(report), "no bidirectional control in the report");
});
