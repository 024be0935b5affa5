/**
 * PR-INITIAL names each start-up socket's network namespace when some socket is of another than
 * the monitor's: a `Namespace` column at the end of the start-up table and of a process's own
 * table, read back into the snapshot's sockets (the original's tables, without it, read as the
 * host's); the report then tells a container's start-up socket from the host's on the same key,
 * as it does PR-PORTS lines; and a real monitor started while a namespace holds a listener names
 * that namespace on its row.
 */

import assert from "node:assert/strict";
import type { NetworkNamespace } from "../model/endpoint.ts";
import { formatInitialLog, InitialLogReader } from "../port_reporter/initial_log.ts";
import type { LogProblem } from "../port_reporter/layout.ts";
import { LogAnalyzer } from "../report/analyzer.ts";
import { defaultInterests } from "../report/interests.ts";
import { makeEndpoint, makeSnapshot } from "./support/endpoints.ts";
import { holdSockets, Namespace, namespaceUnavailable } from "./support/netns.ts";
import { pollUntil } from "./support/poll.ts";
import {
  exists,
  runCli,
  startMonitor,
  startNamedListener,
  SYSTEM_PYTHON,
} from "./support/processes.ts";

const HOST: NetworkNamespace = { inode: 4026531840, name: null, container: null, current: true };
/** A name that would add a line of its own to the log, were it written as it is. */
const HOSTILE: NetworkNamespace = {
  inode: 4026532281,
  name: "blue\nLog number: 9  or not",
  container: null,
  current: false,
};
const HOSTILE_SHOWN = "blue?Log number: 9  or not";
const CONTAINER: NetworkNamespace = {
  inode: 4026532300,
  name: null,
  container: { runtime: "docker", id: "4f2a9c1b7d3e".padEnd(64, "0") },
  current: false,
};

function readInitial(text: string) {
  const problems: LogProblem[] = [];
  const reader = new InitialLogReader((problem) => problems.push(problem));
  text.split(/\r?\n/).forEach((line, i) => reader.push(line, i + 1));
  return { initial: reader.finish(), problems };
}

const FACTS = { time: new Date(2026, 10, 22, 9, 5, 7), operatingSystem: "Linux 6.18.0 x86_64" };

Deno.test("PR-INITIAL: a Namespace column names another namespace's sockets, and reads back", () => {
  const endpoints = [
    makeEndpoint({ netns: HOST }),
    // The host's key again, in a namespace whose name is hostile.
    makeEndpoint({ pid: 900, process: "sshd", netns: HOSTILE }),
    makeEndpoint({
      protocol: "udp6",
      localAddress: "fe80::1%eth0",
      localPort: 5353,
      state: null,
      pid: 901,
      process: "avahi-daemon",
      netns: CONTAINER,
    }),
    makeEndpoint({
      localPort: 40000,
      remoteAddress: "203.0.113.5",
      remotePort: 443,
      state: "TIME_WAIT",
      pid: null,
      process: null,
      netns: CONTAINER,
    }),
  ];
  const text = formatInitialLog(makeSnapshot(endpoints), FACTS);
  assert.match(text, /\nPID:Process +Port +Local IP +State +Remote IP:Port +Namespace\n/);
  // The host's row has no cell; another's ends with its label, made one line.
  assert.match(text, /\n812:sshd +TCP 22 +0\.0\.0\.0 +LISTENING +0\.0\.0\.0\n/);
  assert.match(
    text,
    /\n900:sshd +TCP 22 +0\.0\.0\.0 +LISTENING +0\.0\.0\.0 +blue\?Log number: 9 {2}or not\n/,
  );
  assert.doesNotMatch(text, /^Log number/m);

  const { initial, problems } = readInitial(text);
  assert.deepEqual(problems, []);
  assert.deepEqual(
    initial.sockets.map((s) => [s.pid, s.protocol, s.localAddress, s.localPort, s.namespace]),
    [
      [812, "TCP", "0.0.0.0", 22, null],
      [900, "TCP", "0.0.0.0", 22, HOSTILE_SHOWN],
      [901, "UDP", "fe80::1%eth0", 5353, "docker:4f2a9c1b7d3e"],
      [null, "TCP", "0.0.0.0", 40000, "docker:4f2a9c1b7d3e"],
    ],
  );
  // Each process's own table has the column when its sockets are another namespace's.
  const byPid = new Map(initial.processes.map((detail) => [detail.pid, detail]));
  assert.deepEqual(byPid.get(812)!.ports.map((row) => row.namespace), [null]);
  assert.deepEqual(byPid.get(900)!.ports.map((row) => row.namespace), [HOSTILE_SHOWN]);
  assert.deepEqual(byPid.get(901)!.ports.map((row) => [row.localPort, row.namespace]), [
    [5353, "docker:4f2a9c1b7d3e"],
  ]);
});

Deno.test("PR-INITIAL: the host's sockets alone have no Namespace column; without it a row has no label", () => {
  const text = formatInitialLog(makeSnapshot([makeEndpoint({ netns: HOST })]), FACTS);
  assert.match(text, /\nPID:Process +Port +Local IP +State +Remote IP:Port\n/);
  assert.doesNotMatch(text, /Namespace/);
  // A row with a word past its peer is no row of a table without the column, as before.
  const extra = text.replace(/(\n812:sshd .*0\.0\.0\.0)\n/, "$1  blue\n");
  assert.notEqual(extra, text);
  const { initial, problems } = readInitial(extra);
  assert.deepEqual(initial.sockets, []);
  assert.equal(problems.length, 1);
});

Deno.test("report: a start-up socket of another namespace is its own, closed by its namespace's line", () => {
  const start = Date.UTC(2026, 10, 22, 9, 5, 7) / 1000;
  const endpoints = [
    makeEndpoint({ localPort: 8080, pid: 100, process: "web", netns: HOST }),
    makeEndpoint({ localPort: 8080, pid: 200, process: "web-container", netns: HOSTILE }),
  ];
  const { initial } = readInitial(formatInitialLog(makeSnapshot(endpoints), FACTS));
  const analyzer = new LogAnalyzer({ interests: defaultInterests(), baseline: null });
  analyzer.beginRun(start, initial, "PR-INITIAL-x.log");
  // The container's listener closes after ten minutes; PR-PORTS names its namespace.
  analyzer.change({
    ...initial.sockets[1],
    time: start + 600,
    change: "close",
    state: "CLOSED",
    line: 5,
  }, "PR-PORTS-x.log");
  analyzer.stopped(start + 3600);
  const report = analyzer.finish({ directory: "logs", files: [] });
  assert.equal(report.totals.initialSockets, 2);
  const seconds = Object.fromEntries(report.processes.map((p) => [p.process, p.seconds]));
  assert.deepEqual(seconds, { "web": 3600, "web-container": 600 });
});

/**
 * Process names that read as a row's cells after their spaces: in a table with the `Namespace`
 * column, the label took everything after the first peer found, so the name's fake port was read
 * as the row's and the row's own port, address and state as the label (a telnet listener that
 * never was, `already at start-up`, and the real one gone). Any user can name a process so
 * (/proc/self/comm holds 15 bytes: `x TCP 23 ::1 ::`), and open a namespace with `unshare -rn`.
 */
const ROW_LIKE_NAMES = [
  "x TCP 23 ::1 ::",
  "漢字 UDP 4444 0.0.0.0 *:*",
  "y TCP 23 ::1 A 0.0.0.0  blue",
];

Deno.test("PR-INITIAL: a process named like a row's cells is read as its own row, Namespace column or not", () => {
  for (const netns of [HOSTILE, HOST]) {
    const endpoints = [
      ...ROW_LIKE_NAMES.map((process, i) =>
        makeEndpoint({ localAddress: "127.0.0.1", localPort: 8080 + i, pid: 700 + i, process })
      ),
      makeEndpoint({ pid: 900, process: "sshd", netns }),
    ];
    const text = formatInitialLog(makeSnapshot(endpoints), FACTS);
    assert.equal(/Remote IP:Port +Namespace\n/.test(text), netns === HOSTILE);
    const { initial, problems } = readInitial(text);
    assert.deepEqual(problems, []);
    assert.deepEqual(
      initial.sockets.map((s) => [s.pid, s.process, s.protocol, s.localPort, s.namespace]),
      [
        ...ROW_LIKE_NAMES.map((process, i) => [700 + i, process, "TCP", 8080 + i, null]),
        [900, "sshd", "TCP", 22, netns === HOSTILE ? HOSTILE_SHOWN : null],
      ],
    );
  }
});

const unavailable = namespaceUnavailable() ??
  (exists(SYSTEM_PYTHON) ? null : "needs Debian's python3 (apt-get install python3)");
if (unavailable) console.error(`initial_log_namespaces_test.ts: skipped: ${unavailable}`);

/** The text of the PR-INITIAL log in `logs`; empty until there is one. */
function initialLogText(logs: string): string {
  const file = [...Deno.readDirSync(logs)].find((e) => e.name.startsWith("PR-INITIAL-"));
  return file ? Deno.readTextFileSync(`${logs}/${file.name}`) : "";
}

Deno.test({
  name: "a monitor started while a namespace holds a listener names that namespace on its row",
  ignore: unavailable !== null,
  async fn() {
    const logs = Deno.makeTempDirSync({ prefix: "portset-initial-netns-" });
    try {
      await using namespace = await Namespace.create("initial");
      const held = await holdSockets(namespace, ["tcp/127.0.0.1/0"]);
      try {
        const port = held.keys[0].split("/")[2];
        await using monitor = await startMonitor(logs);
        const initialText = () => initialLogText(logs);
        const rowPattern = new RegExp(
          `\\n${held.pid}:python3 +TCP ${port} +127\\.0\\.0\\.1 +LISTENING +0\\.0\\.0\\.0 +` +
            `${namespace.name}\\n`,
        );
        const text = await pollUntil(
          () => rowPattern.test(initialText()) ? initialText() : undefined,
          {
            deadlineMs: 15_000,
          },
        );
        assert.ok(text, `no row naming ${namespace.name} in PR-INITIAL:\n${initialText()}`);
        assert.equal((await monitor.stop("SIGINT")).code, 0);

        const { initial, problems } = readInitial(text);
        assert.deepEqual(problems, []);
        const socket = initial.sockets.find((s) => s.pid === held.pid);
        assert.equal(socket?.namespace, namespace.name);
        assert.ok(
          initial.sockets.some((s) => s.namespace === null),
          "the host's sockets have no label",
        );
        const report = await runCli(["report", logs, "--json"]);
        assert.equal(report.code, 0, report.stderr);
        assert.equal(JSON.parse(report.stdout).totals.initialSockets, initial.sockets.length);
      } finally {
        await held.stop();
      }
    } finally {
      Deno.removeSync(logs, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "a process named 'x TCP 23 ::1 ::' while a namespace holds a socket: the report has its port, no telnet",
  ignore: unavailable !== null,
  async fn() {
    const logs = Deno.makeTempDirSync({ prefix: "portset-initial-row-name-" });
    try {
      const held = await holdSockets(null, ["tcp/127.0.0.1/0"]);
      try {
        await using renamed = await startNamedListener(ROW_LIKE_NAMES[0]);
        const port = renamed.ready.port;
        await using monitor = await startMonitor(logs);
        const initialText = () => initialLogText(logs);
        const rowPattern = new RegExp(
          `\\n${renamed.pid}:x TCP 23 ::1 :: +TCP ${port} +127\\.0\\.0\\.1 +LISTENING +0\\.0\\.0\\.0\\n`,
        );
        const text = await pollUntil(
          () =>
            rowPattern.test(initialText()) && /Namespace\n/.test(initialText())
              ? initialText()
              : undefined,
          { deadlineMs: 15_000 },
        );
        assert.ok(
          text,
          `no row of ${renamed.pid} in a table with a Namespace column:\n${initialText()}`,
        );
        assert.equal((await monitor.stop("SIGINT")).code, 0);

        const { initial } = readInitial(text);
        assert.deepEqual(
          initial.sockets.filter((s) => s.pid === renamed.pid)
            .map((s) => [s.process, s.protocol, s.localAddress, s.localPort, s.namespace]),
          [[ROW_LIKE_NAMES[0], "TCP", "127.0.0.1", port, null]],
        );
        const report = await runCli(["report", logs, "--json"]);
        assert.equal(report.code, 0, report.stderr);
        const json = JSON.parse(report.stdout);
        assert.ok(
          json.ports.some((p: { transport: string; port: number }) =>
            p.transport === "tcp" && p.port === port
          ),
          `TCP ${port} is not among the report's ports`,
        );
        const forged = json.flags.filter((f: { subject: string; detail: string }) =>
          f.subject === "TCP 23" && f.detail.includes(`(PID ${renamed.pid})`)
        );
        assert.deepEqual(forged, []);
      } finally {
        await held.stop();
      }
    } finally {
      Deno.removeSync(logs, { recursive: true });
    }
  },
});
