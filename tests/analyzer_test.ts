/**
 * The analysis on records built by hand: time in use from open to close, per port and per
 * process, runs and restarts, flags, the bounded changes table.
 */

import assert from "node:assert/strict";
import { LIMITS, LogAnalyzer } from "../report/analyzer.ts";
import { defaultInterests } from "../report/interests.ts";
import { keySetBaseline } from "../report/listener_baseline.ts";
import type { InitialSnapshot } from "../port_reporter/initial_log.ts";
import type { PortsRecord } from "../port_reporter/ports_log.ts";

const T0 = Date.UTC(2026, 10, 22, 8, 0, 0) / 1000;

function record(overrides: Partial<PortsRecord>): PortsRecord {
  return {
    time: T0,
    protocol: "TCP",
    ipv6: false,
    localAddress: "0.0.0.0",
    localPort: 22,
    remoteAddress: null,
    remotePort: null,
    pid: 812,
    process: "sshd",
    user: "root",
    state: "LISTENING",
    change: "listen",
    line: 1,
    ...overrides,
  };
}

function analyzer(options: Partial<ConstructorParameters<typeof LogAnalyzer>[0]> = {}) {
  return new LogAnalyzer({ interests: defaultInterests(), baseline: null, ...options });
}

/** A start-up snapshot's header that says nothing. */
const NO_HEADER = {
  dialect: null,
  systemDate: null,
  systemTime: null,
  host: null,
  operatingSystem: null,
};
/** A process block with no port table. */
const NO_PORTS = { ports: [], statistics: { tcp: null, udp: null, states: [] } };

const finish = (a: LogAnalyzer) => a.finish({ directory: "logs", files: [] });

Deno.test("a port's time in use runs from its opening to its close, over the run's length", () => {
  const a = analyzer();
  a.beginRun(
    T0,
    { ...NO_HEADER, host: "web1", sockets: [], processes: [] },
    "PR-INITIAL-x.log",
  );
  a.change(record({ time: T0 + 600 }), "p.log"); // listen at +10 min
  a.change(record({ time: T0 + 1800, change: "close" }), "p.log"); // closed at +30 min
  a.change(record({ time: T0 + 3600, localPort: 80, process: "nginx", pid: 900 }), "p.log");
  const report = finish(a);
  assert.equal(report.window.seconds, 3600);
  const ssh = report.ports.find((p) => p.port === 22)!;
  assert.equal(ssh.seconds, 1200);
  assert.equal(ssh.share, 0.3333, "shares are rounded to four places");
  assert.equal(ssh.listening, true);
  assert.equal(ssh.changes, 2);
  const sshd = report.processes.find((p) => p.process === "sshd")!;
  assert.equal(sshd.seconds, 1200);
  assert.deepEqual(report.computers, ["web1"]);
  assert.equal(report.timeBasis, "open-to-close");
});

Deno.test("two sockets on one port count once; the port is in use while either is open", () => {
  const a = analyzer();
  const conn = (port: number) => ({
    remoteAddress: "198.51.100.7",
    remotePort: port,
    state: "ESTABLISHED",
  });
  a.change(record({ time: T0, change: "connect", ...conn(50000) }), "p.log");
  a.change(record({ time: T0 + 10, change: "connect", ...conn(50001) }), "p.log");
  a.change(record({ time: T0 + 20, change: "close", ...conn(50000) }), "p.log");
  a.change(record({ time: T0 + 40, change: "close", ...conn(50001) }), "p.log");
  a.change(
    record({ time: T0 + 100, localPort: 9, change: "bind", protocol: "UDP", state: null }),
    "p.log",
  );
  const report = finish(a);
  assert.equal(report.ports.find((p) => p.port === 22)!.seconds, 40);
  assert.equal(report.ports.find((p) => p.port === 22)!.connections, 2);
  assert.equal(report.remoteAddresses[0].address, "198.51.100.7");
  assert.equal(report.remoteAddresses[0].connections, 2);
  assert.deepEqual(report.remoteAddresses[0].remotePorts.sort(), [50000, 50001]);
  assert.equal(report.hours[8].connections, 2);
  assert.equal(report.hours[8].changes, 5);
});

Deno.test("a restart ends the run: open sockets close at its last record; the gap is not observed", () => {
  const a = analyzer();
  a.beginRun(T0, null, "first");
  a.change(record({ time: T0 + 100 }), "p1.log");
  a.change(record({ time: T0 + 200, localPort: 80 }), "p1.log");
  // The monitor was down for an hour; the new run's snapshot has port 22 open again.
  const snapshot: InitialSnapshot = {
    ...NO_HEADER,
    sockets: [{ ...record({}), change: "seen" }],
    processes: [],
  };
  a.beginRun(T0 + 3800, snapshot, "second");
  a.change(record({ time: T0 + 4000, change: "close" }), "p2.log");
  const report = finish(a);
  assert.equal(report.window.seconds, 200 + 200);
  assert.equal(report.ports.find((p) => p.port === 22)!.seconds, 100 + 200);
  assert.equal(report.totals.initialSockets, 1);
});

Deno.test("flags: a port of interest seen first as a connection's end, then listening, is an alert", () => {
  const a = analyzer();
  // Any process's connection may leave from the port first; the listener that comes after is
  // what the flag must not hide.
  a.change(
    record({
      time: T0,
      pid: 70,
      process: "curl",
      localPort: 4444,
      remoteAddress: "203.0.113.9",
      remotePort: 443,
      change: "connect",
      state: "ESTABLISHED",
    }),
    "p.log",
  );
  a.change(record({ time: T0 + 1, pid: 66, process: "bd", localPort: 4444 }), "p.log");
  const flags = finish(a).flags.filter((f) => f.kind === "port-of-interest");
  assert.deepEqual(
    flags.map((f) => [f.severity, f.subject, f.count]),
    [["alert", "TCP 4444", 2]],
  );
  assert.match(flags[0].detail, /^listening on 0\.0\.0\.0 by /, "the alert's detail");
});

Deno.test("flags: ports, processes, users of interest, new listeners, known names in the wrong place", () => {
  const a = analyzer({ baseline: keySetBaseline(["tcp/0.0.0.0/22"], "base.json", true) });
  a.processDetail(
    {
      pid: 66,
      process: "sshd",
      path: "/tmp/.x/sshd",
      user: "guest",
      services: [],
      modules: ["/dev/shm/hook.so"],
      ...NO_PORTS,
    },
    T0,
  );
  a.change(record({ time: T0 }), "p.log");
  a.change(record({ time: T0 + 1, pid: 66, localPort: 4444, user: "guest" }), "p.log");
  a.change(
    record({
      time: T0 + 2,
      pid: 70,
      process: "ncat",
      localPort: 40000,
      remoteAddress: "203.0.113.9",
      remotePort: 6667,
      change: "connect",
      state: "ESTABLISHED",
    }),
    "p.log",
  );
  const report = finish(a);
  const flags = report.flags.map((f) => `${f.severity} ${f.kind} ${f.subject}`);
  assert.deepEqual(flags.sort(), [
    "alert port-of-interest TCP 4444",
    "alert process-of-interest ncat",
    "alert unexpected-directory /tmp/.x/sshd",
    "info user-of-interest guest",
    "warning module-of-interest /dev/shm/hook.so",
    "warning new-listener sshd",
    "warning port-of-interest TCP 6667 (remote)",
  ]);
  const newListeners = report.flags.find((f) => f.kind === "new-listener")!;
  assert.deepEqual([newListeners.ports, newListeners.portCount], [["TCP 0.0.0.0:4444"], 1]);
  assert.equal(report.flags[0].severity, "alert", "alerts first");
  assert.match(
    report.flags.find((f) => f.kind === "unexpected-directory")!.detail,
    /expected \/usr\/sbin or \/sbin/,
  );
  // The fake sshd is its own process row, apart from the real one.
  assert.deepEqual(report.processes.map((p) => `${p.process} ${p.path}`).sort(), [
    "ncat null",
    "sshd /tmp/.x/sshd",
    "sshd null",
  ]);
  assert.deepEqual(report.changes.map((row) => row.flagged), [false, true, true]);
});

Deno.test("the changes table keeps the last rows and every flagged one, in log order", () => {
  const a = analyzer({ changeRows: 5 });
  a.change(record({ time: T0, localPort: 4444, line: 1 }), "p.log"); // flagged, early
  for (let i = 0; i < 100; i++) {
    a.change(
      record({
        time: T0 + 1 + i,
        localPort: 2000 + i,
        line: 2 + i,
        change: i % 2 ? "close" : "listen",
      }),
      "p.log",
    );
  }
  const report = finish(a);
  assert.deepEqual(report.changes.map((row) => row.source), [
    "p.log:1",
    "p.log:97",
    "p.log:98",
    "p.log:99",
    "p.log:100",
    "p.log:101",
  ]);
  assert.equal(report.changesOmitted, 101 - 6);
});

Deno.test("a million connections to distinct addresses keep the report and the counter bounded", () => {
  const a = analyzer({ changeRows: 100 });
  for (let i = 0; i < 1_000_000; i++) {
    a.change(
      record({
        time: T0 + i,
        localPort: 443,
        remoteAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        remotePort: 40000 + (i % 1000),
        change: "connect",
        state: "ESTABLISHED",
      }),
      "p.log",
    );
  }
  const report = finish(a);
  assert.equal(report.totals.changes, 1_000_000);
  assert.equal(report.remoteAddresses.length, LIMITS.remoteAddresses);
  assert.equal(report.changes.length, 100);
  assert.ok(report.timeline.buckets.length <= 480);
  assert.ok(
    JSON.stringify(report).length < 2_000_000,
    "the report's size does not follow the log's",
  );
});

Deno.test("TIME_WAIT ends a connection's use; a loopback connection counts once, from its client", () => {
  const a = analyzer();
  a.beginRun(T0, null, "x");
  const server = {
    localAddress: "127.0.0.1",
    localPort: 8080,
    remoteAddress: "127.0.0.1",
    remotePort: 51000,
  };
  const client = {
    localAddress: "127.0.0.1",
    localPort: 51000,
    remoteAddress: "127.0.0.1",
    remotePort: 8080,
  };
  for (const end of [server, client]) {
    a.change(record({ time: T0, change: "connect", state: "ESTABLISHED", ...end }), "p.log");
  }
  a.change(record({ time: T0 + 10, change: "state", state: "TIME_WAIT", ...client }), "p.log");
  a.change(record({ time: T0 + 10, change: "close", ...server }), "p.log");
  a.change(record({ time: T0 + 70, change: "close", state: "TIME_WAIT", ...client }), "p.log");
  const report = finish(a);
  assert.equal(report.window.seconds, 70);
  assert.equal(
    report.ports.find((p) => p.port === 51000)!.seconds,
    10,
    "not the 60 s of TIME_WAIT",
  );
  assert.deepEqual(report.remoteAddresses.map((r) => [r.address, r.connections, r.remotePorts]), [
    ["127.0.0.1", 1, [8080]],
  ]);
});

Deno.test("one Windows executable in two spellings of its path is one process", () => {
  const a = analyzer();
  a.processDetail(
    {
      pid: 1,
      process: "svchost.exe",
      path: "C:\\WINDOWS\\system32\\svchost.exe",
      user: null,
      services: [],
      modules: [],
      ...NO_PORTS,
    },
    T0,
  );
  a.change(record({ pid: 1, process: "svchost.exe", localPort: 135 }), "p.log");
  a.processDetail(
    {
      pid: 2,
      process: "svchost.exe",
      path: "C:\\Windows\\System32\\svchost.exe",
      user: null,
      services: [],
      modules: [],
      ...NO_PORTS,
    },
    T0,
  );
  a.change(record({ time: T0 + 5, pid: 2, process: "svchost.exe", localPort: 3389 }), "p.log");
  const report = finish(a);
  assert.equal(report.processes.length, 1);
  assert.equal(report.processes[0].pidCount, 2);
  assert.equal(report.flags.length, 0, "System32 in any case is where svchost.exe belongs");
});

Deno.test("a start-up snapshot is judged: a port of interest already listening is an alert", () => {
  const a = analyzer();
  const socket = (overrides: Partial<PortsRecord>) => {
    const { time: _time, ...rest } = record({ change: "seen", ...overrides });
    return rest;
  };
  a.beginRun(
    T0,
    {
      ...NO_HEADER,
      host: "web1",
      sockets: [
        socket({ localPort: 22 }),
        socket({ localPort: 4444, process: "bd", pid: 4000, user: "nobody" }),
        socket({ protocol: "UDP", localPort: 9999, process: "bd", pid: 4000, user: "nobody" }),
      ],
      processes: [],
    },
    "PR-INITIAL-1.log",
  );
  a.change(record({ time: T0 + 60, localPort: 8080, process: "web", pid: 9 }), "p.log");
  // A restart: the backdoor outlives it, and is judged again against the first snapshot.
  a.beginRun(
    T0 + 3600,
    {
      ...NO_HEADER,
      sockets: [
        socket({ localPort: 4444, process: "bd", pid: 4100, user: "nobody" }),
        socket({ localPort: 23, process: "inetd", pid: 4200 }),
      ],
      processes: [],
    },
    "PR-INITIAL-2.log",
  );
  const report = finish(a);
  const alerts = report.flags.filter((f) => f.severity === "alert");
  assert.deepEqual(alerts.map((f) => `${f.kind} ${f.subject}`), [
    "port-of-interest TCP 4444",
    "port-of-interest TCP 23",
  ]);
  assert.match(
    alerts[0].detail,
    /^listening on 0\.0\.0\.0 by bd \(PID 4000\), already at start-up$/,
  );
  assert.equal(alerts[0].count, 2, "seen in both snapshots");
  // New listeners: 8080 after the first snapshot; 23 in the second snapshot, not in the first.
  const news = report.flags.filter((f) => f.kind === "new-listener");
  assert.deepEqual(news.map((f) => [f.subject, f.ports]).sort(), [
    ["inetd", ["TCP 0.0.0.0:23"]],
    ["web", ["TCP 0.0.0.0:8080"]],
  ]);
  // The user the backdoor ran as, known from the snapshots alone.
  const nobody = report.users.find((u) => u.user === "nobody");
  assert.deepEqual(nobody && [nobody.changes, nobody.startupSockets, nobody.processes], [
    0,
    3,
    ["bd"],
  ]);
  // Flagged listening ports have their lanes, however short.
  assert.ok(report.timeline.lanes.some((lane) => lane.port === 4444 && lane.flagged));
});

Deno.test("a process churning listeners is one flag; alerts come first and are never dropped", () => {
  const a = analyzer({ changeRows: 10 });
  a.beginRun(T0, { ...NO_HEADER, sockets: [], processes: [] }, "PR-INITIAL-1.log");
  for (let i = 0; i < 990; i++) {
    a.change(record({ time: T0 + i, localPort: 30000 + i, process: "worker", pid: 7 }), "p.log");
  }
  // More distinct notes than the cap keeps: users of interest, one per record.
  for (let i = 0; i < LIMITS.flags + 50; i++) {
    a.change(
      record({ time: T0 + 1000 + i, localPort: 22, change: "state", user: `anonymous${i}` }),
      "p.log",
    );
  }
  a.change(record({ time: T0 + 5000, localPort: 4444, process: "bd", pid: 66 }), "p.log");
  const report = finish(a);
  assert.equal(report.flags[0].subject, "TCP 4444", "the alert first, raised last");
  const worker = report.flags.find((f) => f.kind === "new-listener" && f.subject === "worker")!;
  assert.equal(worker.count, 990);
  assert.equal(worker.portCount, 990);
  assert.equal(worker.ports.length, 20);
  assert.ok(report.flagsOmitted > 0, "notes past the cap are counted");
  assert.equal(report.counts.flags.total, report.flags.length + report.flagsOmitted);
  assert.ok(!report.problems.some((p) => /flags/.test(p)), "no flag note among unreadable lines");
});

Deno.test("cut lists say how long they were; the longest listeners and flagged ports get lanes", () => {
  const a = analyzer({ changeRows: 10 });
  a.beginRun(T0, { ...NO_HEADER, sockets: [], processes: [] }, "PR-INITIAL-1.log");
  // Port 22 listens the whole time; 700 ephemeral listeners come and go, a few seconds each.
  a.change(record({ time: T0, localPort: 22 }), "p.log");
  for (let i = 0; i < 700; i++) {
    const port = 40000 + i;
    a.change(record({ time: T0 + 10 + i * 5, localPort: port, process: "job", pid: 5 }), "p.log");
    a.change(
      record({ time: T0 + 12 + i * 5, localPort: port, process: "job", pid: 5, change: "close" }),
      "p.log",
    );
  }
  a.change(record({ time: T0 + 4000, localPort: 31337, process: "bd", pid: 6 }), "p.log");
  a.change(
    record({ time: T0 + 4001, localPort: 31337, process: "bd", pid: 6, change: "close" }),
    "p.log",
  );
  a.stopped(T0 + 5000);
  const report = finish(a);
  assert.equal(report.ports.length, LIMITS.ports);
  assert.deepEqual(report.counts.ports, { total: 702, exact: true });
  const lanes = report.timeline.lanes.map((lane) => lane.port);
  assert.equal(lanes[0], 31337, "a flagged port's lane first, though it listened a second");
  assert.ok(lanes.includes(22), `the port that listened all along has a lane: ${lanes}`);
  assert.equal(report.timeline.lanes.find((lane) => lane.port === 22)!.coverage.at(-1), 1);
});
