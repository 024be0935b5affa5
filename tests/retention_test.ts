/**
 * Retention of the log directory: a directory filled with sets of logs of known sizes and ages,
 * the oldest removed first by size and by age, the open set and other files never; a monitor's
 * own rotation kept within a size on real sockets; and the command line's limits.
 */

import assert from "node:assert/strict";
import { LinuxCollector } from "../collectors/linux/mod.ts";
import { PortReporter } from "../port_reporter/reporter.ts";
import { applyRetention, DEFAULT_RETENTION } from "../port_reporter/retention.ts";
import { SocketTracker } from "../monitor/tracker.ts";
import { runCli, RunningCli } from "./support/processes.ts";
import { TestSockets } from "./support/sockets.ts";

const DAY = 86_400_000;
const NOW = new Date(2026, 10, 22, 12, 0, 0);

/** A directory of logs: per stamp, the files of a set, `kib` KiB each, last written `days` ago. */
function fill(sets: { stamp: string; kinds: string[]; kib: number; days: number }[]) {
  const directory = Deno.makeTempDirSync({ prefix: "portset-retention-" });
  for (const set of sets) {
    const time = new Date(NOW.getTime() - set.days * DAY);
    for (const kind of set.kinds) {
      const path = `${directory}/PR-${kind}-${set.stamp}.log`;
      Deno.writeFileSync(path, new Uint8Array(set.kib * 1024));
      Deno.utimeSync(path, time, time);
    }
  }
  return {
    directory,
    names: () => [...Deno.readDirSync(directory)].map((entry) => entry.name).sort(),
    [Symbol.dispose]: () => Deno.removeSync(directory, { recursive: true }),
  };
}

const ALL = ["INITIAL", "PORTS", "PIDS"];
const PAIR = ["PORTS", "PIDS"];

Deno.test("by size: the least recently written sets go first, whole, until the rest fit", () => {
  using logs = fill([
    { stamp: "20261101-080000", kinds: ALL, kib: 10, days: 21 }, // a run's start: 30 KiB
    { stamp: "20261102-000000", kinds: PAIR, kib: 10, days: 20 }, // its rotations: 20 KiB each
    { stamp: "20261103-000000", kinds: PAIR, kib: 10, days: 19 },
    { stamp: "20261110-090000", kinds: ALL, kib: 10, days: 12 }, // a restart
    { stamp: "20261111-000000", kinds: PAIR, kib: 10, days: 11 },
  ]);
  Deno.writeTextFileSync(`${logs.directory}/notes.txt`, "x".repeat(100_000)); // not a log
  // 130 KiB of logs: 70 KiB must go, oldest first; the first three sets hold exactly that.
  const removed = applyRetention(
    logs.directory,
    { maxBytes: 60 * 1024, maxDays: null },
    new Set(),
    NOW,
  );
  assert.deepEqual(removed.sort(), [
    "PR-INITIAL-20261101-080000.log",
    "PR-PIDS-20261101-080000.log",
    "PR-PIDS-20261102-000000.log",
    "PR-PIDS-20261103-000000.log",
    "PR-PORTS-20261101-080000.log",
    "PR-PORTS-20261102-000000.log",
    "PR-PORTS-20261103-000000.log",
  ]);
  assert.deepEqual(logs.names(), [
    "PR-INITIAL-20261110-090000.log",
    "PR-PIDS-20261110-090000.log",
    "PR-PIDS-20261111-000000.log",
    "PR-PORTS-20261110-090000.log",
    "PR-PORTS-20261111-000000.log",
    "notes.txt",
  ]);
  // Within the limit now: nothing more goes.
  assert.deepEqual(
    applyRetention(logs.directory, { maxBytes: 60 * 1024, maxDays: null }, new Set(), NOW),
    [],
  );
});

Deno.test("by age: sets last written more than N days ago go; the open files never", () => {
  using logs = fill([
    { stamp: "20260801-080000", kinds: ALL, kib: 1, days: 110 },
    { stamp: "20260802-000000", kinds: PAIR, kib: 1, days: 100 },
    { stamp: "20260803-000000", kinds: PAIR, kib: 1, days: 91 },
    { stamp: "20260901-000000", kinds: PAIR, kib: 1, days: 80 },
  ]);
  // The run that started on 1 August is still going: its PR-INITIAL and its open pair stay.
  const open = new Set([
    "PR-INITIAL-20260801-080000.log",
    "PR-PORTS-20260802-000000.log",
    "PR-PIDS-20260802-000000.log",
  ]);
  const removed = applyRetention(logs.directory, { maxBytes: null, maxDays: 90 }, open, NOW);
  assert.deepEqual(removed.sort(), [
    "PR-PIDS-20260801-080000.log",
    "PR-PIDS-20260803-000000.log",
    "PR-PORTS-20260801-080000.log",
    "PR-PORTS-20260803-000000.log",
  ]);
  assert.deepEqual(logs.names(), [
    "PR-INITIAL-20260801-080000.log",
    "PR-PIDS-20260802-000000.log",
    "PR-PIDS-20260901-000000.log",
    "PR-PORTS-20260802-000000.log",
    "PR-PORTS-20260901-000000.log",
  ]);
  // Off: nothing is removed, however old or large.
  assert.deepEqual(
    applyRetention(logs.directory, { maxBytes: null, maxDays: null }, new Set(), NOW),
    [],
  );
});

Deno.test("a monitor rotating on real sockets keeps its directory within the size, its open files always", async () => {
  const directory = Deno.makeTempDirSync({ prefix: "portset-retention-" }) + "/logs";
  const collector = await LinuxCollector.open();
  const tracker = new SocketTracker();
  const first = collector.collect({ reuseOwners: true, modules: true });
  tracker.reset(first.endpoints);
  const removals: string[][] = [];
  // Each change's PR-PIDS record lists the test's whole port table, which grows by a listener a
  // round: at 2 KiB, the files rotate every change or two, and the rounds write twice the limit.
  const limit = 12 * 1024;
  const reporter = PortReporter.start(
    {
      directory,
      maxBytes: 2048,
      operatingSystem: "Linux test",
      retention: { maxBytes: limit, maxDays: 90 },
      onRemoved: (names) => removals.push(names),
    },
    first,
  );
  try {
    using sockets = new TestSockets();
    for (let round = 0; round < 16; round++) {
      sockets.tcpListen("127.0.0.79");
      const now = collector.collect({ reuseOwners: true, modules: true });
      reporter.record(tracker.update(now.endpoints), now);
    }
    const written = reporter.files.map((path) => path.split("/").pop()!);
    const left = [...Deno.readDirSync(directory)].map((entry) => entry.name);
    const size = (name: string) => Deno.statSync(`${directory}/${name}`).size;
    assert.ok(removals.length > 0, "something was removed");
    // What was removed is the oldest of what was written, in order; the rest is still there.
    const removed = removals.flat();
    assert.deepEqual(
      [...removed].sort(),
      written.filter((name) => !left.includes(name)).sort(),
    );
    const oldestLeft = Math.min(...left.map((name) => written.indexOf(name)).filter((i) => i > 0));
    for (const name of removed) assert.ok(written.indexOf(name) < oldestLeft, name);
    // The run's PR-INITIAL and the open pair are kept.
    for (const name of [written[0], ...written.slice(-2)]) assert.ok(left.includes(name), name);
    // Within the limit, but for what is never removed: the open pair, which grows until it
    // rotates, and the run's PR-INITIAL, as large as the host's socket table.
    const kept = [written[0], ...written.slice(-2)];
    const closed = left.filter((name) => !kept.includes(name));
    assert.ok(closed.reduce((sum, name) => sum + size(name), 0) <= limit);
  } finally {
    reporter.stop("test");
    collector.close();
    Deno.removeSync(directory.replace(/\/logs$/, ""), { recursive: true });
  }
});

Deno.test("portset monitor: --keep-days removes old logs at start and says so; the limits' flags", async () => {
  using logs = fill([
    { stamp: "20200101-000000", kinds: ALL, kib: 1, days: 2000 },
    { stamp: "20200102-000000", kinds: PAIR, kib: 1, days: 1999 },
  ]);
  // Recent files stay: utime relative to the real clock, as the monitor runs on it.
  const recent = `${logs.directory}/PR-PORTS-20991231-000000.log`;
  Deno.writeTextFileSync(recent, "kept\n");
  {
    await using monitor = new RunningCli([
      "monitor",
      "--log-dir",
      logs.directory,
      "--interval",
      "1",
      "--keep-days",
      "30",
    ]);
    await monitor.waitForError(
      /portset: removed 5 old log files \(PR-\S+ … PR-\S+\) to keep \S+ within 1G and 30 days/,
    );
    await monitor.waitForError(/portset: monitoring every 1 s/);
    assert.equal((await monitor.stop("SIGTERM")).code, 0);
  }
  const names = logs.names();
  assert.ok(!names.some((name) => name.includes("-2020")), names.join(" "));
  assert.ok(names.includes("PR-PORTS-20991231-000000.log"));
  assert.equal(names.filter((name) => name.startsWith("PR-INITIAL-")).length, 1);

  const cases: [string[], RegExp][] = [
    [["--keep-size", "1M"], /--keep-size SIZE must be at least --max-size \(5M\)/],
    [["--keep-size", "2Q"], /--keep-size SIZE must be from 1K to 1T/],
    [["--keep-days", "1.5"], /--keep-days N must be a whole number from 1 to 36500/],
  ];
  for (const [flags, message] of cases) {
    const run = await runCli(["monitor", "--log-dir", logs.directory, ...flags]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
  }
  const ruleOnly = await runCli(["monitor", "--rule", "x.xml", "--keep-days", "7"]);
  assert.match(ruleOnly.stderr, /--keep-days is about the logs: it goes with --log-dir DIR/);
  assert.deepEqual(DEFAULT_RETENTION, { maxBytes: 1024 ** 3, maxDays: 90 });
});
