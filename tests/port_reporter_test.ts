/**
 * port_reporter/reporter.ts in process, on real sockets: what a change writes, and that rotation by
 * size and by date keeps every line and its record.
 */

import assert from "node:assert/strict";
import { LinuxCollector } from "../collectors/linux/mod.ts";
import type { Snapshot } from "../model/endpoint.ts";
import { PortReporter } from "../port_reporter/reporter.ts";
import { SocketTracker } from "../monitor/tracker.ts";
import { PORTS_FIELDS } from "../port_reporter/layout.ts";
import { defaultInterests } from "../report/interests.ts";
import { readLogDirectory } from "../report/read_logs.ts";
import { TestSockets } from "./support/sockets.ts";
import { loadLaterParts } from "../collectors/linux/later_parts.ts";

// setUp() makes its reporter's collector with `new` (it is synchronous), and it looks often.
await loadLaterParts();
import { withLocalOffset } from "./support/local_time.ts";

/** Data lines of each PR-PORTS file the reporter wrote, in the order it wrote them. */
function portsLines(reporter: PortReporter): string[][] {
  return reporter.files.filter((path) => path.includes("/PR-PORTS-")).map((path) => {
    const lines = Deno.readTextFileSync(path).split("\n");
    const start = lines.indexOf(PORTS_FIELDS) + 1;
    assert.ok(start > 0, `${path} has the format line`);
    assert.equal(lines.at(-1), "", `${path} ends with a whole line`);
    return lines.slice(start, -1).filter((line) => /^\d/.test(line));
  });
}

/** Record numbers of a PR-PIDS file. */
function pidsRecords(path: string): number[] {
  return [...Deno.readTextFileSync(path).matchAll(/^Log number: (\d+)$/gm)].map((m) =>
    Number(m[1])
  );
}

/** A reporter on this host's real sockets, with a clock the test moves. */
function setUp(maxBytes?: number) {
  const directory = Deno.makeTempDirSync({ prefix: "portset-pr-" }) + "/logs";
  let clock = new Date(2026, 10, 22, 23, 59, 0);
  const collector = new LinuxCollector();
  const tracker = new SocketTracker();
  const snapshot = (): Snapshot => collector.collect({ reuseOwners: true, modules: true });
  const first = snapshot();
  tracker.reset(first.endpoints);
  const reporter = PortReporter.start(
    { directory, maxBytes, now: () => clock, operatingSystem: "Linux test" },
    first,
  );
  return {
    directory,
    reporter,
    setClock(time: Date) {
      clock = time;
    },
    tick(): number {
      const now = snapshot();
      const changes = tracker.update(now.endpoints);
      reporter.record(changes, now);
      return changes.length;
    },
    [Symbol.dispose]() {
      reporter.close();
      collector.close();
      Deno.removeSync(directory.replace(/\/logs$/, ""), { recursive: true });
    },
  };
}

Deno.test("a new listener is a PR-PORTS line in the original's field order and a PR-PIDS record", () => {
  using reporter = setUp();
  assert.equal(
    Deno.statSync(reporter.directory).mode! & 0o777,
    0o700,
    "the directory is the owner's only",
  );
  const initial = reporter.reporter.files[0];
  assert.match(initial, /\/PR-INITIAL-20261122-235900\.log$/);
  assert.match(
    Deno.readTextFileSync(initial),
    new RegExp(
      String.raw`^portset .* Port Reporter Log File\n\nService initialization log\n\n` +
        String.raw`System Date: Sun Nov 22 23:59:00 2026\n\nTimes: .*\n\n` +
        String.raw`Local computer name:\n\n .+\n\nOperating System: Linux test\n\n(Note: .*\n\n)*` +
        String.raw`TCP/UDP Port to Process Mappings at service start-up\n\n\d+ mappings found\n\n` +
        // A Namespace column too when the host has other network namespaces in use.
        String.raw`PID:Process +Port +Local IP +State +Remote IP:Port( +Namespace)?\n`,
    ),
  );

  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.81");
  const udp = sockets.udp("127.0.0.81");
  reporter.tick();
  const [lines] = portsLines(reporter.reporter);
  // The test's own sockets only: other processes may open some on 127.0.0.81 meanwhile.
  const mine = lines.filter((line) =>
    line.includes(`,TCP,${listener.port},127.0.0.81,`) ||
    line.includes(`,UDP,${udp.port},127.0.0.81,`)
  );
  assert.deepEqual(
    mine.map((line) => line.split(",").slice(0, 12)).sort(),
    [
      [
        "2026-11-22",
        "23:59:00",
        "TCP",
        String(listener.port),
        "127.0.0.81",
        "",
        "0.0.0.0",
        String(Deno.pid),
        "deno",
        mine[0].split(",")[9],
        "LISTENING",
        "listen",
      ],
      [
        "2026-11-22",
        "23:59:00",
        "UDP",
        String(udp.port),
        "127.0.0.81",
        "*",
        "*",
        String(Deno.pid),
        "deno",
        mine[0].split(",")[9],
        "",
        "bind",
      ],
    ].sort(),
  );
  assert.match(mine[0].split(",")[9], /^<.+>$/, "user context in angle brackets");

  const pids = reporter.reporter.files.find((f) => f.includes("PR-PIDS-"))!;
  const record = Number(mine[0].split(",")[12]);
  const text = Deno.readTextFileSync(pids);
  const block = text.slice(text.indexOf(`Log number: ${record}\n`));
  assert.match(
    block,
    new RegExp(
      `^Log number: ${record}\\n\\nLog entry below recorded at: 2026-11-22,23:59:00\\n\\nLines below in this record: \\d+\\n\\n=+\\n\\n` +
        `Change: (listen|bind) `,
    ),
  );
  assert.match(
    block,
    new RegExp(`Process ID: ${Deno.pid} \\(deno\\)\\n\\nPath: .*deno\\n\\nUser context: `),
  );
  assert.match(
    block,
    new RegExp(`\\n${Deno.pid} +TCP ${listener.port} +127\\.0\\.0\\.81 +LISTENING`),
  );
  assert.match(block, /Loaded modules:\n\/.*deno \(0x[0-9a-f]+\)/);
});

Deno.test("rotation by size starts new PR-PORTS/PR-PIDS pairs between records and loses no line", () => {
  using reporter = setUp(1024); // a PR-PIDS record with modules is larger than that: a pair per record or so
  using sockets = new TestSockets();
  let changes = 0;
  for (let round = 0; round < 4; round++) {
    sockets.tcpListen("127.0.0.82");
    sockets.udp("127.0.0.82");
    changes += reporter.tick();
  }
  const files = portsLines(reporter.reporter);
  assert.ok(files.length >= 3, `rotated into ${files.length} PR-PORTS files`);
  assert.equal(files.flat().length, changes, "every change has its line");
  for (const lines of files) {
    // Numbering starts again in each file; each line's record is in its PR-PIDS partner.
    assert.deepEqual(
      lines.map((line) => Number(line.split(",").at(-2))), // the namespace follows
      lines.map((_, i) => i + 1),
    );
  }
  const pidsFiles = reporter.reporter.files.filter((f) => f.includes("PR-PIDS-"));
  assert.deepEqual(pidsFiles.map(pidsRecords).map((r) => r.length), files.map((l) => l.length));
});

Deno.test("rotation at local midnight: the next change goes to files of the new day, none lost", () => {
  using reporter = setUp();
  using sockets = new TestSockets();
  sockets.tcpListen("127.0.0.83");
  const before = reporter.tick();
  reporter.setClock(new Date(2026, 10, 23, 0, 0, 1));
  sockets.tcpListen("127.0.0.83");
  const after = reporter.tick();
  const names = reporter.reporter.files.map((f) => f.split("/").pop());
  assert.deepEqual(names.filter((n) => n!.startsWith("PR-PORTS-")), [
    "PR-PORTS-20261122-235900.log",
    "PR-PORTS-20261123-000001.log",
  ]);
  const [first, second] = portsLines(reporter.reporter);
  assert.equal(first.length, before);
  assert.equal(second.length, after);
  assert.ok(second.every((line) => line.startsWith("2026-11-23,00:00:01,")));
});

Deno.test("a stop record ends the report's window when the monitor stopped, not at the last change", async () => {
  using reporter = setUp();
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.80");
  reporter.tick(); // at 23:59:00
  reporter.setClock(new Date(2026, 10, 22, 23, 59, 40));
  reporter.reporter.stop("SIGTERM");
  for (const path of reporter.reporter.files.slice(1)) {
    assert.ok(
      Deno.readTextFileSync(path).endsWith("\nService stopped at: 2026-11-22,23:59:40 (SIGTERM)\n"),
      `${path} ends with the stop record`,
    );
  }
  const report = await readLogDirectory(reporter.directory, {
    interests: defaultInterests(),
    baseline: null,
  });
  assert.ok(report.files.every((file) => file.skipped === 0), JSON.stringify(report.problems));
  assert.deepEqual(report.window, {
    start: withLocalOffset("2026-11-22T23:59:00"),
    end: withLocalOffset("2026-11-22T23:59:40"),
    seconds: 40,
  });
  // Opened at the last change, 23:59:00, and still open when the monitor stopped.
  const port = report.ports.find((p) => p.port === listener.port && p.transport === "tcp")!;
  assert.equal(port.seconds, 40);
});
