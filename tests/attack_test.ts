/**
 * Attacks on portset, one per hardening promise (issue 17): each test does what an attacker or an
 * unlucky host did to an earlier build, and asserts that it no longer works. New features add
 * their attacks here.
 */

import assert from "node:assert/strict";
import { PORTS_FIELDS } from "../port_reporter/layout.ts";
import { formatReportText } from "../outputs/report_text.ts";
import { defaultInterests } from "../report/interests.ts";
import type { Report } from "../report/model.ts";
import { readLogDirectory } from "../report/read_logs.ts";
import {
  exists,
  isRoot,
  REPO_ROOT,
  runCli,
  RunningCli,
  type SocketHolder,
  startHolder,
  SYSTEM_PYTHON,
} from "./support/processes.ts";
import { Namespace, namespaceUnavailable } from "./support/netns.ts";
import { seededRandom } from "./support/random.ts";
import { pollUntil } from "./support/poll.ts";
import { TestSockets } from "./support/sockets.ts";

/** Every PR-PORTS data line in `directory`'s files, in name order. */
function portsLines(directory: string): string[] {
  return names(directory, "PR-PORTS-").flatMap((name) => {
    const lines = Deno.readTextFileSync(`${directory}/${name}`).split("\n");
    return lines.slice(lines.indexOf(PORTS_FIELDS) + 1, -1).filter((line) => /^\d/.test(line));
  });
}

function names(directory: string, prefix: string): string[] {
  try {
    return [...Deno.readDirSync(directory)].map((entry) => entry.name)
      .filter((name) => name.startsWith(prefix)).sort();
  } catch {
    return [];
  }
}

/** Waits, with a deadline, until a PR-PORTS line in `directory` logs a UDP bind of `port`. */
async function waitForBind(directory: string, address: string, port: number): Promise<void> {
  const pattern = new RegExp(`,UDP,${port},${address.replaceAll(".", "\\.")},\\*,\\*,.*,bind,`);
  const line = await pollUntil(() => portsLines(directory).find((l) => pattern.test(l)), {
    deadlineMs: 15_000,
  });
  assert.ok(line, `no bind of ${port} logged:\n${portsLines(directory).join("\n")}`);
}

/** A tmpfs of `kib` KiB mounted on a directory of its own, unmounted when disposed. */
function withTmpfs(kib: number): { path: string } & Disposable {
  const path = Deno.makeTempDirSync({ prefix: "portset-full-" });
  const mount = new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${kib}k,mode=0700`, "tmpfs", path],
  }).outputSync();
  assert.ok(mount.success, new TextDecoder().decode(mount.stderr));
  return {
    path,
    [Symbol.dispose]: () => {
      new Deno.Command("umount", { args: ["-l", path] }).outputSync();
      Deno.removeSync(path, { recursive: true });
    },
  };
}

/** Writes to `path` until the file system is full; returns how many bytes it took. */
function fill(path: string): number {
  const file = Deno.openSync(path, { write: true, create: true });
  const chunk = new Uint8Array(4096);
  let total = 0;
  try {
    for (;;) total += file.writeSync(chunk);
  } catch (error) {
    assert.match(String(error), /No space left on device/);
  } finally {
    file.close();
  }
  return total;
}

/** A Python that binds a UDP socket on `argv[1]`, says its port, and holds it until stdin ends. */
const UDP_HOLDER = "import json, socket, sys\n" +
  "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 0))\n" +
  "print(json.dumps({'port': s.getsockname()[1]}), flush=True)\nsys.stdin.read()\n";

Deno.test({
  name:
    "a disk that fills at a rotation: said once, the monitor goes on, and logs again once there is room",
  // In a network namespace of the test's own: on a busy host (CI's earlier tests leave TIME_WAIT
  // sockets to expire) other changes would fill the small disk first, or slip a change in.
  ignore: !isRoot() || namespaceUnavailable() !== null,
  async fn() {
    using disk = withTmpfs(64);
    await using namespace = await Namespace.create("disk-full");
    const wrap = (command: string[]) => namespace.wrap(command);
    const holders: SocketHolder[] = [];
    const bind = async () => {
      const [command, ...args] = wrap([SYSTEM_PYTHON, "-c", UDP_HOLDER, "127.0.0.91"]);
      const holder = await startHolder(command, args);
      holders.push(holder);
      return holder.ready.port;
    };
    try {
      const logs = `${disk.path}/logs`;
      await using monitor = new RunningCli(
        ["monitor", "--log-dir", logs, "--interval", "1", "--max-size", "1K"],
        wrap,
      );
      await monitor.waitForError(/portset: monitoring every 1 s/);
      const before = await bind();
      await waitForBind(logs, "127.0.0.91", before);

      // Full: tmpfs gives whole pages, so the next pair (a rotation, at 1K) finds no room.
      const filler = `${disk.path}/filler`;
      fill(filler);
      const lost: number[] = [];
      for (let i = 0; i < 8; i++) lost.push(await bind());
      await monitor.waitForError(
        /portset: cannot (write|create) \S+PR-P\S+: No space left on device[^\n]*; changes are not being logged until it can write again\n/,
      );
      // Still running, and still trying: more changes while full are counted, not fatal.
      for (let i = 0; i < 4; i++) lost.push(await bind());
      await new Promise((resolve) => setTimeout(resolve, 2500)); // two ticks of trying, on purpose

      Deno.removeSync(filler);
      const after = await bind();
      const [, count] = await monitor.waitForError(
        /portset: logging again to \S+PR-PORTS-\S+ and PR-PIDS-\S+; (\d+) changes? could not be logged meanwhile\n/,
      );
      await waitForBind(logs, "127.0.0.91", after);
      assert.ok(Number(count) >= 1);
      const logged = portsLines(logs).join("\n");
      for (const port of lost) {
        assert.doesNotMatch(logged, new RegExp(`,UDP,${port},127\\.0\\.0\\.91,`));
      }

      const run = await monitor.stop();
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stderr, /internal error|Bad resource/);
      assert.equal(run.stderr.match(/changes are not being logged/g)?.length, 1, run.stderr);
      assert.match(run.stderr, /\d+ changes? could not be logged/, "the stop line counts them");
      // Every PR-PORTS line whole: all the original's fields, no half records.
      for (const line of portsLines(logs)) {
        assert.equal(line.split(",").length, PORTS_FIELDS.split(",").length, line);
      }
      // No file left with only part of a header.
      for (const name of names(logs, "PR-P")) {
        const text = Deno.readTextFileSync(`${logs}/${name}`);
        assert.ok(text.endsWith("\n"), `${name} ends inside a line`);
      }
    } finally {
      for (const holder of holders) await holder.close();
    }
  },
});

/**
 * Removes a directory the monitor is writing in: a file it makes while the removal runs (a busy
 * host's changes, a rotation) leaves it not empty, and the removal is made again.
 */
function removeWhileWritten(path: string): void {
  for (let attempt = 1;; attempt++) {
    try {
      return Deno.removeSync(path, { recursive: true });
    } catch (error) {
      if (attempt === 20 || !/not empty/i.test((error as Error).message)) throw error;
    }
  }
}

Deno.test("the log directory removed while the monitor runs: made again, and the next changes logged there", async () => {
  const root = Deno.makeTempDirSync({ prefix: "portset-removed-" });
  try {
    const logs = `${root}/logs`;
    using sockets = new TestSockets();
    await using monitor = new RunningCli(
      ["monitor", "--log-dir", logs, "--interval", "1", "--max-size", "4K"],
    );
    await monitor.waitForError(/portset: monitoring every 1 s/);
    const first = sockets.udp("127.0.0.92").port;
    await waitForBind(logs, "127.0.0.92", first);

    removeWhileWritten(logs);
    // Before a rotation is due (4K): the open files are gone, so writing on would reach no one.
    const next = sockets.udp("127.0.0.92").port;
    await waitForBind(logs, "127.0.0.92", next);
    assert.equal(Deno.statSync(logs).mode! & 0o777, 0o700);

    // And again, with enough changes that rotations run into the removal too.
    removeWhileWritten(logs);
    const many = Array.from({ length: 30 }, () => sockets.udp("127.0.0.92").port);
    for (const port of many) await waitForBind(logs, "127.0.0.92", port);

    const run = await monitor.stop();
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stderr, /internal error|Bad resource|cannot/, run.stderr);
    assert.ok(names(logs, "PR-PORTS-").length > 1, "rotated after the removal");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

/** `length` bytes of seeded noise: every run of the test reads the same file. */
function randomBytes(length: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return Uint8Array.from({ length }, () => Math.floor(random() * 256));
}

const PUBLISHED = new URL("./fixtures/port_reporter_published/", import.meta.url).pathname;

/** A directory with `copies` sets of the original's published logs, each under its own stamp. */
function withPublishedCopies(copies: number): { path: string } & Disposable {
  const path = Deno.makeTempDirSync({ prefix: "portset-vanishing-" });
  for (let n = 0; n < copies; n++) {
    for (const kind of ["INITIAL", "PIDS", "PORTS"]) {
      // The original's stamps: year-month-day-hour-minute-second, unpadded.
      Deno.copyFileSync(
        `${PUBLISHED}/PR-${kind}-05-07-6-13-44-4.log`,
        `${path}/PR-${kind}-05-07-${6 + Math.floor(n / 60)}-13-${n % 60}-4.log`,
      );
    }
  }
  return { path, [Symbol.dispose]: () => Deno.removeSync(path, { recursive: true }) };
}

Deno.test("log files removed while a report reads them: each counted and named, the rest reported", async () => {
  using logs = withPublishedCopies(4);
  const all = names(logs.path, "PR-");
  let removed: string[] = [];
  const report = await readLogDirectory(logs.path, {
    interests: defaultInterests(),
    baseline: null,
    onProgress: (_done, _total, file) => {
      // As the first file is read, a monitor's retention removes every later one.
      if (removed.length > 0) return;
      removed = all.filter((name) => name !== file);
      for (const name of removed) Deno.removeSync(`${logs.path}/${name}`);
    },
  });
  assert.equal(removed.length, all.length - 1);
  assert.equal(report.totals.unreadFiles, removed.length);
  assert.deepEqual(
    report.files.filter((file) => file.unread).map((file) => file.name).sort(),
    removed.sort(),
  );
  for (const file of report.files.filter((file) => file.unread)) {
    assert.equal(file.unread, "removed before it could be read");
  }
  assert.ok(report.totals.initialSockets > 0 || report.totals.changes > 0, "the first file read");
  const text = formatReportText(report);
  assert.match(text, new RegExp(`; ${removed.length} could not be read, or not to their end\\)`));
});

Deno.test("report over logs being removed by another process: never a crash (12 runs)", async () => {
  for (let run = 0; run < 12; run++) {
    using logs = withPublishedCopies(120);
    await using report = new RunningCli(["report", logs.path, "--json"]);
    // Remove files from the end of the listing while the report lists, orders and reads them.
    const doomed = names(logs.path, "PR-").reverse();
    const stopAt = Math.floor(doomed.length * (run + 1) / 13);
    for (const name of doomed.slice(0, stopAt)) {
      Deno.removeSync(`${logs.path}/${name}`);
      if (doomed.indexOf(name) % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const result = await report.finished();
    assert.doesNotMatch(result.stderr, /internal error|at file:|Error:/, result.stderr);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as Report;
    // Every file nobody removed was read to its end.
    const read = json.files.filter((file) => file.unread === undefined);
    assert.ok(read.length >= doomed.length - stopAt, `${read.length} read`);
  }
});

Deno.test("files of random bytes named like logs: every line counted as unreadable, none read as a log", async () => {
  using logs = withPublishedCopies(1);
  const noise = randomBytes(300_000, 17);
  for (const kind of ["INITIAL", "PIDS", "PORTS"]) {
    Deno.writeFileSync(`${logs.path}/PR-${kind}-05-07-7-10-00-0.log`, noise);
  }
  const report = await readLogDirectory(logs.path, {
    interests: defaultInterests(),
    baseline: null,
  });
  const lines = new TextDecoder().decode(noise).split("\n").filter((line) => line.trim() !== "");
  const noisy = report.files.filter((file) => file.name.includes("-7-10-00-0"));
  assert.equal(noisy.length, 3);
  for (const file of noisy) {
    assert.equal(file.records, 0, file.name);
    assert.ok(
      file.skipped >= lines.length * 0.9,
      `${file.name}: ${file.skipped} of ~${lines.length}`,
    );
  }
  assert.equal(report.totals.skippedLines, noisy.reduce((sum, file) => sum + file.skipped, 0));
  // The published logs beside them still read whole.
  assert.equal(report.totals.changes, 3);
  assert.equal(report.totals.initialSockets, 15);
  assert.match(report.problems.join("\n"), /not a Port Reporter log: no header and no record/);
});

/** Runs portset with a deadline: a read that hangs (a FIFO) fails the test instead of hanging it. */
async function runWithin(args: string[], deadlineMs = 20_000) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `${REPO_ROOT}main.ts`, ...args],
    cwd: REPO_ROOT,
    stdin: "null",
    env: { NO_COLOR: "1" },
    signal: AbortSignal.timeout(deadlineMs),
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    signal: output.signal,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

const RULE = `<Rule><PortSet><include key="*"/></PortSet></Rule>\n`;

Deno.test("hostile input files (/dev/zero, a FIFO, a directory, 80 MiB) are refused in one line, at once", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "portset-inputs-" });
  try {
    Deno.writeTextFileSync(`${dir}/rule.xml`, RULE);
    const fifo = `${dir}/fifo`;
    assert.ok(new Deno.Command("mkfifo", { args: [fifo] }).outputSync().success);
    const huge = `${dir}/huge.xml`;
    using file = Deno.openSync(huge, { write: true, create: true });
    file.writeSync(new TextEncoder().encode(`<Rule><PortSet><include key="*"/></PortSet><!--`));
    file.truncateSync(80 << 20); // 80 MiB of NULs in a comment: the parser would take them all
    const logs = withPublishedCopies(1);
    const hostile = ["/dev/zero", fifo, dir, huge];
    const commands = hostile.flatMap((input) => [
      { args: ["scan", input], what: "rule file" },
      { args: ["check", `${dir}/rule.xml`, "--baseline", input], what: "baseline" },
      { args: ["report", logs.path, "--baseline", input], what: "baseline" },
      { args: ["report", logs.path, "--interests", input], what: "interests file" },
    ]);
    try {
      for (const { args, what } of commands) {
        const started = Date.now();
        const run = await runWithin(args);
        const label = args.join(" ");
        assert.equal(run.code, 2, `${label}: ${run.stderr}`);
        assert.equal(run.stderr.trimEnd().split("\n").length, 1, `${label}: ${run.stderr}`);
        assert.match(
          run.stderr,
          new RegExp(
            `cannot read the ${what}: (it is a device, FIFO or socket, not a regular file|` +
              `it is a directory|it is 80 MiB, more than the \\d+ MiB any such file needs)`,
          ),
          label,
        );
        assert.ok(Date.now() - started < 15_000, `${label} took ${Date.now() - started} ms`);
      }
    } finally {
      logs[Symbol.dispose]();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a baseline saved with a UTF-8 byte-order mark is read like the rule files that have one", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "portset-bom-" });
  try {
    Deno.writeTextFileSync(`${dir}/rule.xml`, "\uFEFF" + RULE);
    const made = await runWithin(["baseline", `${dir}/rule.xml`, "-o", `${dir}/base.json`]);
    assert.equal(made.code, 0, made.stderr);
    const text = Deno.readTextFileSync(`${dir}/base.json`);
    Deno.writeTextFileSync(`${dir}/base.json`, "\uFEFF" + text);
    const check = await runWithin(["check", `${dir}/rule.xml`, "--baseline", `${dir}/base.json`]);
    assert.doesNotMatch(check.stderr, /baseline/, check.stderr);
    assert.ok(check.code === 0 || check.code === 1, `${check.code}: ${check.stderr}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a symbolic link planted and removed while a watch log is opened is never written through", async () => {
  const directory = Deno.makeTempDirSync({ prefix: "portset-symlink-" });
  const victim = `${directory}/victim`;
  const log = `${directory}/watch.log`;
  Deno.writeTextFileSync(victim, "precious\n");
  // Another process plants the link and removes it, as fast as it can, while the logs open.
  const racer = new Deno.Command("/usr/bin/python3", {
    args: [
      "-c",
      "import os,sys\nvictim,log=sys.argv[1],sys.argv[2]\nwhile True:\n" +
      "  try: os.symlink(victim, log)\n  except OSError: pass\n" +
      "  try: os.unlink(log)\n  except OSError: pass\n",
      victim,
      log,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    // In this process, as `-wport -l FILE -y` opens its log: 3,000 opens against the racer.
    const { LogWriter } = await import("../cli/output.ts");
    let opened = 0;
    for (let i = 0; i < 3000; i++) {
      try {
        const writer = LogWriter.create(log, true);
        writer.write("watch\n");
        writer.close();
        opened++;
      } catch {
        // refused (the racer's link was there at the check): that is fine, writing through is not
      }
    }
    assert.ok(opened > 0, "some opens got through the race");
    assert.equal(
      Deno.readTextFileSync(victim),
      "precious\n",
      "the link's target was never written",
    );
    // And the command itself, a few times, with the racer still running.
    for (let i = 0; i < 3; i++) {
      const run = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", `${REPO_ROOT}main.ts`, "-wport", "1", "-wt", "1", "-l", log, "-y"],
        stdout: "null",
        stderr: "null",
        signal: AbortSignal.timeout(1500),
      }).output().catch(() => null);
      assert.ok(run === null || run.code !== 70, "never an internal error");
    }
    assert.equal(Deno.readTextFileSync(victim), "precious\n");
  } finally {
    racer.kill();
    await racer.status;
    Deno.removeSync(directory, { recursive: true });
  }
});

Deno.test("a log in a directory every user can write, not sticky, is refused; sticky is fine", async () => {
  const directory = Deno.makeTempDirSync({ prefix: "portset-shared-" });
  try {
    Deno.chmodSync(directory, 0o777);
    for (
      const args of [
        ["-local", "-l", `${directory}/local.log`],
        ["-wport", "1", "-wt", "1", "-l", `${directory}/watch.log`],
        ["report", "tests/fixtures/port_reporter_original", "--html", `${directory}/r.html`],
      ]
    ) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(
        run.stderr,
        /^portset: cannot write .*: its directory .* can be written by every user and is not sticky, .*\n$/,
      );
      assert.deepEqual([...Deno.readDirSync(directory)], [], "nothing written there");
    }
    Deno.chmodSync(directory, 0o1777);
    const sticky = await runCli(["-local", "-l", `${directory}/local.log`]);
    assert.equal(sticky.code, 0, sticky.stderr);
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});

Deno.test("a check --update killed before its rename leaves a temporary file: the next write removes it", async () => {
  const directory = Deno.makeTempDirSync({ prefix: "portset-stale-" });
  try {
    const rule = `${directory}/rule.xml`;
    const baseline = `${directory}/base.json`;
    Deno.writeTextFileSync(rule, `<PortSet><include key="*/127.0.0.93/*"/></PortSet>`);
    // No process can have a PID above the kernel's limit: this one's run is surely gone.
    const pidMax = Number(Deno.readTextFileSync("/proc/sys/kernel/pid_max"));
    const gone = `${baseline}.${pidMax + 1}.tmp`;
    const running = `${baseline}.${Deno.pid}.tmp`; // this test runner's: alive
    const other = `${directory}/other.json.${pidMax + 1}.tmp`; // another file's
    for (const path of [gone, running, other]) Deno.writeTextFileSync(path, '{"half": ');
    const made = await runCli(["baseline", rule, "-o", baseline]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(
      made.stderr,
      new RegExp(
        `^portset: removed .*base\\.json\\.${pidMax + 1}\\.tmp, left by an interrupted run`,
      ),
    );
    assert.deepEqual(
      [...Deno.readDirSync(directory)].map((entry) => entry.name).sort(),
      ["base.json", `base.json.${Deno.pid}.tmp`, `other.json.${pidMax + 1}.tmp`, "rule.xml"],
      "the gone run's file removed; a live process's and another file's kept",
    );
    Deno.writeTextFileSync(gone, '{"half": ');
    const update = await runCli(["check", rule, "--baseline", baseline, "--update", "-y"]);
    assert.equal(update.code, 0, update.stderr);
    assert.ok(!exists(gone), "check --update cleans up too");
    assert.ok(exists(running));
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});
