/**
 * Reading a log's lines: line ends of every kind, lines longer than any log writes, and the
 * chunk boundaries between them.
 */

import assert from "node:assert/strict";
import { readLines } from "../port_reporter/line_reader.ts";
import { defaultInterests } from "../report/interests.ts";
import { readLogDirectory } from "../report/read_logs.ts";

async function linesOf(bytes: Uint8Array | string): Promise<[number, string][]> {
  const path = Deno.makeTempFileSync();
  try {
    Deno.writeFileSync(path, typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
    const lines: [number, string][] = [];
    await readLines(path, (line, number) => lines.push([number, line]));
    return lines;
  } finally {
    Deno.removeSync(path);
  }
}

Deno.test("a line ends at LF, CR LF or a CR alone; CR CR LF is one end, as before", async () => {
  assert.deepEqual(await linesOf("a\nb\r\nc\rd\r\r\ne\r"), [
    [1, "a"],
    [2, "b"],
    [3, "c"],
    [4, "d\r"],
    [5, "e"],
  ]);
  // A CR that ends one chunk of the file (256 KiB) is decided by the chunk after it.
  const chunk = 256 * 1024;
  const first = "x".repeat(chunk - 1);
  assert.deepEqual(
    (await linesOf(`${first}\r\nnext\n${first.slice(6)}\ralone\n`)).map(([n, l]) => [n, l.length]),
    [[1, chunk - 1], [2, 4], [3, chunk - 7], [4, 5]],
  );
});

Deno.test("a line too long to be a log's is cut, and the lines after it keep their numbers", async () => {
  const lines = await linesOf(`one\n${"y".repeat(3 * 1024 * 1024)}\nthree\n`);
  assert.deepEqual(lines.at(-1), [3, "three"]);
  assert.ok(lines.slice(1, -1).every(([number]) => number === 2), String(lines.map(([n]) => n)));
  assert.equal(lines.slice(1, -1).reduce((sum, [, line]) => sum + line.length, 0), 3 * 1024 ** 2);
});

Deno.test("two records run together by a lone CR are both read, and a later line is quoted by its own number", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const line = (time: string, port: number, record: number) =>
      `2026-11-22,${time},TCP,${port},127.0.0.9,,0.0.0.0,6012,python3,<root>,LISTENING,listen,${record},`;
    Deno.writeTextFileSync(
      `${dir}/PR-PORTS-20261122-010000.log`,
      [
        "portset 0.1.0 Port Reporter Log File - Port usage log",
        "",
        "date,time,protocol,local port,local IP address,remote port,remote IP address,PID,module,user context,state,change,record,namespace",
        "",
        line("01:00:00", 8001, 1),
        line("01:00:01", 8002, 2) + "\r" + line("01:00:02", 8003, 3),
        "z".repeat(2 * 1024 * 1024),
        "2026-11-22,01:00:03,TCP,70000,127.0.0.9,,0.0.0.0,1,x,<root>,LISTENING,listen,4,",
        "",
      ].join("\n"),
    );
    const report = await readLogDirectory(dir, { interests: defaultInterests(), baseline: null });
    assert.deepEqual(report.ports.map((p) => p.port).sort(), [8001, 8002, 8003]);
    assert.equal(report.totals.changes, 3);
    // The lone CR ends line 6, so the long line is the 8th, and it is one line however cut.
    assert.deepEqual(report.problems, [
      "PR-PORTS-20261122-010000.log:8: not a change line (it starts with no date)",
      "PR-PORTS-20261122-010000.log:8: not a change line (it starts with no date)",
      "PR-PORTS-20261122-010000.log:9: '70000' is not a port",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
