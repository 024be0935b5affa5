/**
 * The -local report's columns are padded by UTF-16 code units (`String.length`), not by the
 * columns a terminal gives a character: a process named in CJK (two columns a character) or with a
 * combining accent (none) pushes every later column of its mapping rows off the header's. Found
 * live with processes that wrote `日本語名前` and `éé` (e + U+0301, twice) to /proc/self/comm:
 * the `PID:Process` lead column, the only one a process name is in, misaligned every row of the
 * mappings by +5 and -2 columns. (As old as formatTable, whose padding the one-pass layout kept:
 * not the one pass's doing, but the "aligned columns" text/ promises.)
 */

import assert from "node:assert/strict";
import { formatLocalReport } from "../outputs/local_report.ts";
import { makeEndpoint, makeSnapshot } from "./support/endpoints.ts";

/** Terminal columns of `text`, for the characters used here: CJK wide, combining marks none. */
function columns(text: string): number {
  let width = 0;
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (code >= 0x0300 && code <= 0x036f) continue;
    width += code >= 0x4e00 && code <= 0x9fff ? 2 : 1;
  }
  return width;
}

Deno.test("the mappings' columns start where their titles do on a terminal, whatever the names", () => {
  const report = formatLocalReport(makeSnapshot([
    makeEndpoint({ pid: 101, process: "日本語名前", localPort: 80 }),
    makeEndpoint({ pid: 102, process: "e\u0301e\u0301", localPort: 81 }),
    makeEndpoint({ pid: 103, process: "sshd", localPort: 22 }),
  ]));
  const lines = report.split("\n");
  const header = lines.findIndex((line) => line.startsWith(" PID:Process "));
  const portColumn = columns(lines[header].slice(0, lines[header].indexOf("Port")));
  for (const row of lines.slice(header + 1, header + 4)) {
    assert.equal(columns(row.slice(0, row.indexOf("TCP "))), portColumn, row);
  }
});

Deno.test("every table's columns start where their titles do on a terminal: wide labels, scopes, names", () => {
  const web = { inode: 4026532777, current: false, name: "网络-ns", container: null };
  const host = { inode: 4026531840, current: true, name: null, container: null };
  const endpoints = [
    makeEndpoint({ pid: 101, process: "日本語名前", localPort: 80, netns: host }),
    makeEndpoint({
      protocol: "tcp6",
      localAddress: "fe80::1%网卡",
      localPort: 443,
      remoteAddress: "fe80::2%网卡",
      remotePort: 50000,
      state: "ESTABLISHED",
      pid: 101,
      process: "日本語名前",
      netns: host,
    }),
    makeEndpoint({ pid: 102, process: "e\u0301e\u0301", localPort: 81, netns: web }),
    makeEndpoint({ pid: 103, process: "sshd", localPort: 22, netns: web }),
  ];
  const lines = formatLocalReport(makeSnapshot(endpoints)).split("\n");
  const titles = ["Port", "Local IP", "State", "Remote IP:Port", "Namespace"];
  let tables = 0;
  for (let at = 0; at < lines.length; at++) {
    const header = lines[at];
    if (!header.includes(" Local IP ")) continue;
    tables++;
    const starts = titles.map((title) => columns(header.slice(0, header.indexOf(title))));
    // Each row's cells, found in order; blank cells at the end are trimmed away.
    for (let row = at + 1; row < lines.length && lines[row].trim() !== ""; row++) {
      const line = lines[row];
      const port = line.search(/(TCP6?|UDP6?) \d/);
      const fields = line.slice(port).split(/ {2,}/);
      let from = port;
      for (let cell = 0; cell < fields.length; cell++) {
        const position = line.indexOf(fields[cell], from);
        assert.equal(columns(line.slice(0, position)), starts[cell], `${line} (cell ${cell})`);
        from = position + fields[cell].length;
      }
    }
  }
  assert.equal(tables, 2 + 3, "the port table, the mappings and three processes' tables");
});
