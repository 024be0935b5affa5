/**
 * Reading whole log directories: the original's dialect from a fixture, and portset's own logs
 * written by a real monitor watching real sockets in a network namespace, among them a program
 * named sshd running from a temporary directory.
 */

import assert from "node:assert/strict";
import { defaultInterests, parseInterests } from "../report/interests.ts";
import { LogDirectoryError } from "../port_reporter/log_files.ts";
import { readLogDirectory } from "../report/read_logs.ts";
import { findLogHosts } from "../report/log_hosts.ts";
import { cacheDependencies } from "./servers/support/portset.ts";
import { Namespace, namespaceUnavailable, serve } from "./support/netns.ts";
import { isRoot, RunningCli, SYSTEM_PYTHON } from "./support/processes.ts";
import { pollUntil } from "./support/poll.ts";
import { startHolder } from "./support/processes.ts";
import { withLocalOffset } from "./support/local_time.ts";

const ORIGINAL = new URL("./fixtures/port_reporter_original/", import.meta.url).pathname;
const PUBLISHED = new URL("./fixtures/port_reporter_published/", import.meta.url).pathname;

Deno.test("the original's logs as published (2005): every socket, record, user context and the host", async () => {
  const report = await readLogDirectory(PUBLISHED, {
    interests: defaultInterests(),
    baseline: null,
  });
  assert.deepEqual(report.computers, ["TEST"]);
  assert.deepEqual(
    report.files.map((
      f,
    ) => [f.name, f.dialect, f.records, f.skipped, f.computer, f.operatingSystem]),
    [
      ["PR-INITIAL-05-07-6-13-44-4.log", "port-reporter", 15, 0, "TEST", "Windows XP"],
      ["PR-PIDS-05-07-6-13-44-4.log", "port-reporter", 1, 0, "TEST", "Windows XP"],
      ["PR-PORTS-05-07-6-13-44-4.log", "port-reporter", 3, 0, undefined, undefined],
    ],
  );
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.totals, {
    changes: 3,
    initialSockets: 15,
    pidsRecords: 1,
    skippedLines: 0,
    unreadFiles: 0,
  });
  // From the service's start (PR-INITIAL's System Date) to the last record: none says it stopped.
  assert.deepEqual(report.window, {
    start: withLocalOffset("2005-07-06T13:44:04"),
    end: withLocalOffset("2005-07-06T13:52:04"),
    seconds: 480,
  });
  // The start-up table's ports (System's 445 and 139, lsass's IKE, svchost's 135, 123, 1900 …)
  // listened all along; 3389 from its line at 13:52:01 to the last, at 13:52:04.
  const port = (protocol: string, n: number) =>
    report.ports.find((p) => p.port === n && p.transport === protocol.toLowerCase());
  for (const [protocol, n] of [["TCP", 445], ["TCP", 139], ["TCP", 1025], ["TCP", 135]] as const) {
    assert.equal(port(protocol, n)?.share, 1, `${protocol} ${n}`);
  }
  for (const n of [445, 137, 138, 500, 4500, 123, 1029, 1049, 1900]) {
    assert.equal(port("UDP", n)?.share, 1, `UDP ${n}`);
  }
  assert.equal(port("TCP", 3389)?.seconds, 3);
  assert.deepEqual(report.users.map((u) => [u.user, u.changes, u.processes]), [
    ["NT AUTHORITY\\SYSTEM", 2, ["svchost.exe"]],
    ["TEST\\Administrator", 1, ["rdpclip.exe"]],
  ]);
  assert.deepEqual(report.remoteAddresses.map((r) => [r.address, r.remotePorts]), [
    ["172.16.16.100", [1486]],
  ]);
  // PR-PIDS's record 1: svchost.exe 1096, its path from its first module, and its two services.
  assert.deepEqual(report.sharedProcesses, [{
    pid: 1096,
    process: "svchost.exe",
    path: "C:\\WINDOWS\\system32\\svchost.exe",
    services: [
      { name: "DcomLaunch", displayName: "DCOM Server Process Launcher" },
      { name: "TermService", displayName: "Terminal Services" },
    ],
  }]);
});

Deno.test("the original's dialect as published, with content of our own: CRLF, values on lines of their own, wrapped records", async () => {
  const report = await readLogDirectory(ORIGINAL, {
    interests: defaultInterests(),
    baseline: null,
  });
  assert.deepEqual(report.computers, ["TESTHOST"]);
  assert.deepEqual(report.files.map((f) => [f.kind, f.dialect, f.records, f.skipped]), [
    ["initial", "port-reporter", 5, 0],
    ["pids", "port-reporter", 3, 0],
    ["ports", "port-reporter", 8, 0],
  ]);
  assert.deepEqual(report.files.map((f) => f.operatingSystem), [
    "Windows Server 2003",
    "Windows Server 2003",
    undefined,
  ]);
  assert.deepEqual(report.window, {
    start: withLocalOffset("2005-07-06T13:52:00"),
    end: withLocalOffset("2005-07-07T00:00:05"),
    seconds: 36485,
  });
  assert.equal(report.timeBasis, "upper-bound");
  assert.equal(report.totals.changes, 8);
  assert.deepEqual(report.problems, []);
  // Port 135 listened from the snapshot to the end; 4444 from its line at 14:05:09.
  const port = (n: number) => report.ports.find((p) => p.port === n && p.transport === "tcp")!;
  assert.equal(port(135).share, 1);
  assert.equal(port(4444).seconds, 36485 - (14 * 3600 + 5 * 60 + 9 - (13 * 3600 + 52 * 60)));
  // The start-up table's connections (one in TIME_WAIT) were contacts with their peer too.
  // Most connections first; addresses counted alike in natural order, by their bytes.
  assert.deepEqual(report.remoteAddresses.map((r) => [r.address, r.connections]), [
    ["172.16.16.7", 2],
    ["172.16.16.100", 2],
    ["172.16.16.101", 1],
    ["198.51.100.23", 1],
    ["203.0.113.9", 1],
  ]);
  // The start-up snapshot's users count too: NETWORK SERVICE ran a listener all along.
  assert.deepEqual(report.users.map((u) => [u.user, u.changes, u.startupSockets]), [
    ["NT AUTHORITY\\SYSTEM", 4, 3],
    ["TEST\\Administrator", 3, 0],
    ["NT AUTHORITY\\NETWORK SERVICE", 0, 1],
    ["TEST\\Guest", 1, 0],
  ]);
  assert.deepEqual(report.hours.filter((h) => h.changes > 0).map((h) => [h.hour, h.changes]), [
    [0, 1],
    [13, 3],
    [14, 2],
    [15, 1],
    [23, 1],
  ]);
  assert.deepEqual(
    report.sharedProcesses.map((s) => [s.pid, s.process, s.services.map((x) => x.name)]),
    [
      [484, "lsass.exe", ["PolicyAgent"]],
      [892, "svchost.exe", ["RpcSs", "DcomLaunch"]],
      [1096, "inetinfo.exe", ["IISADMIN", "W3SVC"]],
    ],
  );
  assert.deepEqual(report.flags.map((f) => `${f.kind} ${f.subject} ${f.ports.join(" ")}`), [
    "unexpected-directory C:\\Documents and Settings\\Administrator\\Local Settings\\Temp\\svchost.exe ",
    "port-of-interest TCP 4444 ",
    "process-of-interest nc.exe ",
    "port-of-interest TCP 6667 (remote) ",
    "new-listener inetinfo.exe TCP 0.0.0.0:80",
    "new-listener dllhost.exe UDP 0.0.0.0:1088",
    "new-listener svchost.exe TCP 0.0.0.0:4444",
    "user-of-interest TEST\\Guest ",
  ]);
});

Deno.test("the original's file names order by their stamps' numbers, not their text", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    // Two runs: 9:05:10 comes before 13:44:04, though "9" sorts after "1" as text; each file
    // starts with no record a date could be read from, so only its name can place it.
    const initial = (host: string) =>
      `Service initialization log\n\nLocal computer name:\n\n ${host}\n`;
    Deno.writeTextFileSync(`${dir}/PR-INITIAL-05-07-6-13-44-4.log`, initial("LATER"));
    Deno.writeTextFileSync(`${dir}/PR-INITIAL-05-07-6-9-5-10.log`, initial("EARLIER"));
    Deno.writeTextFileSync(
      `${dir}/PR-PORTS-05-07-6-9-5-10.log`,
      "05/7/6,9:6:0,TCP,80,0.0.0.0,,0.0.0.0,8,web.exe,<EARLIER\\web>\n",
    );
    const report = await readLogDirectory(dir, { interests: defaultInterests(), baseline: null });
    assert.deepEqual(report.files.map((f) => f.name), [
      "PR-INITIAL-05-07-6-9-5-10.log",
      "PR-PORTS-05-07-6-9-5-10.log",
      "PR-INITIAL-05-07-6-13-44-4.log",
    ]);
    // The first run, started at 9:05:10, holds the change; the second adds no time of its own.
    assert.deepEqual(report.window, {
      start: withLocalOffset("2005-07-06T09:05:10"),
      end: withLocalOffset("2005-07-06T13:44:04"),
      seconds: 50,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("portset's files started within one second order by their sequence: -10 after -9", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (const n of [10, 9, 1]) {
      const suffix = n === 1 ? "" : `-${n}`;
      Deno.writeTextFileSync(
        `${dir}/PR-PORTS-20261122-090000${suffix}.log`,
        `2026-11-22,09:00:00,UDP,${1000 + n},127.0.0.1,*,*,7,d,<root>,,bind,1\n`,
      );
    }
    const report = await readLogDirectory(dir, { interests: defaultInterests(), baseline: null });
    assert.deepEqual(report.files.map((f) => f.name), [
      "PR-PORTS-20261122-090000.log",
      "PR-PORTS-20261122-090000-9.log",
      "PR-PORTS-20261122-090000-10.log",
    ]);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("a directory with no logs, or none at all, is a clear error", async () => {
  const empty = Deno.makeTempDirSync();
  try {
    await assert.rejects(
      readLogDirectory(empty, { interests: defaultInterests(), baseline: null }),
      (error: Error) =>
        error instanceof LogDirectoryError && /no Port Reporter logs/.test(error.message),
    );
    await assert.rejects(
      readLogDirectory(`${empty}/missing`, { interests: defaultInterests(), baseline: null }),
      (error: Error) =>
        error instanceof LogDirectoryError && /cannot read .*missing/.test(error.message),
    );
  } finally {
    Deno.removeSync(empty, { recursive: true });
  }
});

Deno.test("a log linked into the directory is read; a link that cannot be followed is named", async () => {
  const root = Deno.makeTempDirSync();
  try {
    // The PR-PORTS kept elsewhere (an archive, a larger disk) and linked in: its eight changes.
    Deno.mkdirSync(`${root}/logs`);
    Deno.mkdirSync(`${root}/archive`);
    for (const entry of Deno.readDirSync(ORIGINAL)) {
      const kept = entry.name.startsWith("PR-PORTS-") ? `${root}/archive` : `${root}/logs`;
      Deno.copyFileSync(`${ORIGINAL}/${entry.name}`, `${kept}/${entry.name}`);
    }
    Deno.symlinkSync(
      "../archive/PR-PORTS-05-07-6-13-52-0.log",
      `${root}/logs/PR-PORTS-05-07-6-13-52-0.log`,
    );
    Deno.symlinkSync("PR-PIDS-loop-b.log", `${root}/logs/PR-PIDS-loop-a.log`);
    Deno.symlinkSync("PR-PIDS-loop-a.log", `${root}/logs/PR-PIDS-loop-b.log`);
    const report = await readLogDirectory(`${root}/logs`, {
      interests: defaultInterests(),
      baseline: null,
    });
    assert.equal(report.totals.changes, 8);
    assert.deepEqual(
      report.files.filter((f) => f.unread).map((f) => f.name).sort(),
      ["PR-PIDS-loop-a.log", "PR-PIDS-loop-b.log"],
    );
    assert.equal(report.totals.unreadFiles, 2);
    // A folder of links alone holds logs too: it is one host's, not a tree to search.
    Deno.mkdirSync(`${root}/links`);
    Deno.symlinkSync(
      "../archive/PR-PORTS-05-07-6-13-52-0.log",
      `${root}/links/PR-PORTS-05-07-6-13-52-0.log`,
    );
    const found = await findLogHosts([`${root}/links`]);
    assert.equal(found.single, true);
    assert.equal(
      found.hosts[0].bytes,
      Deno.statSync(`${root}/archive/PR-PORTS-05-07-6-13-52-0.log`).size,
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("a line separator in a path or name hides nothing: the program from Temp is still an alert", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    for (const entry of Deno.readDirSync(ORIGINAL)) {
      // U+2028 is allowed in NTFS and Linux names; regular expressions' `.` does not match it.
      const text = Deno.readTextFileSync(`${ORIGINAL}/${entry.name}`)
        .replace("Local Settings\\Temp\\svchost.exe", "Local Settings\\Temp\u2028\\svchost.exe")
        .replace("<TEST\\Guest>", "<TEST\\Gu\u2028est>");
      Deno.writeTextFileSync(`${dir}/${entry.name}`, text);
    }
    const report = await readLogDirectory(dir, { interests: defaultInterests(), baseline: null });
    assert.equal(report.totals.skippedLines, 0, JSON.stringify(report.problems));
    assert.ok(
      report.flags.some((f) =>
        f.severity === "alert" && f.kind === "unexpected-directory" &&
        f.subject.endsWith("Temp\u2028\\svchost.exe")
      ),
      JSON.stringify(report.flags.map((f) => `${f.severity} ${f.kind} ${f.subject}`)),
    );
    assert.ok(report.users.some((u) => u.user === "TEST\\Gu\u2028est"));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test({
  name: "portset's own logs of real sockets: ports, processes, peers, and a fake sshd flagged",
  // In a network namespace of the test's own: the report ranks the host's ports, processes and
  // peers and keeps the first hundreds, which a busy host's own would fill, and a port of
  // interest is flagged whoever has it. There, the monitor sees the test's sockets only.
  ignore: namespaceUnavailable() !== null,
  async fn() {
    const root = Deno.makeTempDirSync({ prefix: "portset-report-" });
    try {
      const logs = `${root}/logs`;
      // A copy of python named sshd, in a directory sshd has no business running from.
      const fake = `${root}/.hidden/sshd`;
      Deno.mkdirSync(`${root}/.hidden`);
      Deno.copyFileSync(Deno.realPathSync(SYSTEM_PYTHON), fake);
      Deno.chmodSync(fake, 0o755);
      await using namespace = await Namespace.create("report");
      await cacheDependencies();
      await using monitor = new RunningCli(
        ["monitor", "--log-dir", logs, "--interval", "1"],
        (command) => namespace.wrap(command),
      );
      await monitor.waitForError(/portset: monitoring every 1 s/);
      const fakePort = 4022;
      const [command, ...args] = namespace.wrap([
        fake,
        new URL("./fixtures/hold_socket.py", import.meta.url).pathname,
        "listen",
        "127.0.0.86",
        String(fakePort),
      ]);
      await using _holder = await startHolder(command, args);
      // A low port, as a server's: the connection is counted once, from the client's end.
      const served = await serve(namespace, ["tcp/127.0.0.87/8087=connected"]);
      const client = served.clients["tcp/127.0.0.87/8087"];
      const portsText = () =>
        [...Deno.readDirSync(logs)].filter((e) => e.name.startsWith("PR-PORTS-"))
          .map((e) => Deno.readTextFileSync(`${logs}/${e.name}`)).join("");
      const seen = await pollUntil(
        () => {
          const text = portsText();
          return text.includes(`,TCP,${fakePort},127.0.0.86,`) &&
              text.includes(`,TCP,8087,127.0.0.87,${client},127.0.0.1,`) ||
            undefined;
        },
        { deadlineMs: 15_000 },
      );
      assert.ok(seen, `the monitor logged the sockets:\n${portsText()}`);
      await served.stop(); // which closes the connection
      const closed = new RegExp(`,TCP,8087,127\\.0\\.0\\.87,${client},.*,close,`);
      assert.ok(
        await pollUntil(() => closed.test(portsText()) || undefined, { deadlineMs: 15_000 }),
      );
      await monitor.stop("SIGTERM");
      const interests = parseInterests(JSON.stringify({ ports: [`tcp/${fakePort}`] }), "test");
      const report = await readLogDirectory(logs, { interests, baseline: null });
      assert.equal(report.timeBasis, "open-to-close");
      assert.ok(report.files.every((f) => f.dialect === "portset" && f.skipped === 0));
      assert.ok(report.window.seconds >= 1);

      const fakeRow = report.processes.find((p) => p.path === fake);
      assert.ok(fakeRow, `the fake sshd has its own row: ${JSON.stringify(report.processes)}`);
      assert.equal(fakeRow.process, "sshd");
      assert.ok(fakeRow.seconds > 0);
      const port = report.ports.find((p) => p.port === fakePort)!;
      assert.equal(port.listening, true);
      assert.deepEqual(port.processes, ["sshd"]);
      // The client's end of the connection has the listener's address as its peer, and is the
      // only one counted.
      assert.deepEqual(
        report.remoteAddresses.map((r) => [r.address, r.remotePorts]),
        [["127.0.0.87", [8087]]],
      );
      assert.deepEqual(
        report.flags.filter((f) => f.subject.includes(fake) || f.subject.includes(`${fakePort}`))
          .map((f) => `${f.severity} ${f.kind} ${f.subject}`).sort(),
        [
          `alert port-of-interest TCP ${fakePort}`,
          `alert unexpected-directory ${fake}`,
        ],
      );
      // The new listener is in its process's group.
      assert.deepEqual(
        report.flags.find((f) => f.kind === "new-listener" && f.subject === "sshd")!.ports,
        [`TCP 127.0.0.86:${fakePort}`],
      );
      assert.match(
        report.flags.find((f) => f.kind === "unexpected-directory" && f.subject === fake)!.detail,
        /sshd runs from .*\.hidden; expected \/usr\/sbin or \/sbin/,
      );
      assert.ok(
        report.changes.some((row) =>
          row.localPort === fakePort && row.change === "listen" && row.flagged
        ),
      );
    } finally {
      Deno.removeSync(root, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a link planted in a log directory to a kernel file or to another owner's file is named, not read",
  ignore: !isRoot(),
  async fn() {
    const root = Deno.makeTempDirSync();
    try {
      for (const entry of Deno.readDirSync(ORIGINAL)) {
        Deno.copyFileSync(`${ORIGINAL}/${entry.name}`, `${root}/${entry.name}`);
      }
      // /proc/kmsg looks like a regular file of 0 bytes and blocks a read for ever.
      Deno.symlinkSync("/proc/kmsg", `${root}/PR-PORTS-99-01-01-00-00-00-0.log`);
      // A link of nobody's to a file of root's: whoever can write to the directory made it.
      const secret = `${root}/secret`;
      Deno.writeTextFileSync(secret, "05/7/6,13:52:1,TCP,3389,0.0.0.0,,0.0.0.0,x,y\n");
      Deno.chmodSync(secret, 0o600);
      const planted = `${root}/PR-PIDS-99-01-01-00-00-00-0.log`;
      Deno.symlinkSync(secret, planted);
      await new Deno.Command("chown", { args: ["-h", "65534:65534", planted] }).output();
      const report = await readLogDirectory(root, {
        interests: defaultInterests(),
        baseline: null,
      });
      const unread = Object.fromEntries(
        report.files.filter((f) => f.unread).map((f) => [f.name, f.unread]),
      );
      assert.match(
        unread["PR-PORTS-99-01-01-00-00-00-0.log"] ?? "read",
        /a link to \/proc\/kmsg, a kernel file/,
      );
      assert.match(
        unread["PR-PIDS-99-01-01-00-00-00-0.log"] ?? "read",
        /whose owner \(uid 0\) is not the link's \(uid 65534\): not read/,
      );
      assert.equal(report.totals.changes, 8, "the directory's own logs are read as before");
    } finally {
      Deno.removeSync(root, { recursive: true });
    }
  },
});
