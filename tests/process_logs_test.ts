/**
 * The PR-INITIAL and PR-PIDS readers, on what portset's own writers produce (a round trip through
 * the real formatters), on the original's logs as published, and on our own logs of that layout.
 */

import assert from "node:assert/strict";
import type { ProcessInfo } from "../model/endpoint.ts";
import type { LogProblem } from "../port_reporter/layout.ts";
import { formatInitialLog, InitialLogReader } from "../port_reporter/initial_log.ts";
import { formatPidsHeader, formatPidsRecord, PidsLogReader } from "../port_reporter/pids_log.ts";
import type { PidsRecord } from "../port_reporter/pids_log.ts";
import { makeEndpoint, makeProcessInfo, makeSnapshot } from "./support/endpoints.ts";

const PUBLISHED = new URL("./fixtures/port_reporter_published/", import.meta.url);
const ORIGINAL = new URL("./fixtures/port_reporter_original/", import.meta.url);

const SSHD: ProcessInfo = makeProcessInfo({
  services: [{ name: "ssh.service", displayName: "OpenBSD Secure Shell server", shared: false }],
  modules: [{ path: "/usr/sbin/sshd", baseAddress: "0x55d0c0a00000" }, {
    path: "/usr/lib/x86_64-linux-gnu/libc.so.6",
    baseAddress: "0x7f0000000000",
  }],
});

function readInitial(text: string) {
  const problems: LogProblem[] = [];
  const reader = new InitialLogReader((problem) => problems.push(problem));
  text.split(/\r?\n/).forEach((line, i) => reader.push(line, i + 1));
  return { initial: reader.finish(), problems };
}

function readPids(text: string) {
  const records: PidsRecord[] = [];
  const problems: LogProblem[] = [];
  const reader = new PidsLogReader((r) => records.push(r), (p) => problems.push(p));
  text.split(/\r?\n/).forEach((line, i) => reader.push(line, i + 1));
  reader.finish();
  return { records, problems, reader };
}

/** A socket as the tests compare them. */
function socketRow(s: {
  protocol: string;
  ipv6: boolean;
  localAddress: string;
  localPort: number;
  remoteAddress: string | null;
  remotePort: number | null;
  state: string | null;
  pid: number | null;
  process: string | null;
}) {
  return [
    s.protocol,
    s.ipv6,
    s.localAddress,
    s.localPort,
    s.remoteAddress,
    s.remotePort,
    s.state,
    s.pid,
    s.process,
  ];
}

Deno.test("PR-INITIAL as portset writes it reads back: header, every socket with its owner, each process", () => {
  const endpoints = [
    makeEndpoint(),
    makeEndpoint({ protocol: "tcp6", localAddress: "::", v6only: true }),
    makeEndpoint({
      localAddress: "192.0.2.2",
      remoteAddress: "198.51.100.7",
      remotePort: 51000,
      state: "ESTABLISHED",
    }),
    makeEndpoint({
      protocol: "udp",
      localAddress: "0.0.0.0",
      localPort: 68,
      state: null,
      pid: null,
      process: null,
      user: null,
    }),
    makeEndpoint({
      localPort: 40000,
      remoteAddress: "203.0.113.5",
      remotePort: 443,
      state: "TIME_WAIT",
      pid: null,
      process: null,
    }),
  ];
  const snapshot = makeSnapshot(endpoints, {
    processes: new Map([[812, SSHD]]),
    host: "web1",
    warnings: ["not root: other users' owners are not shown"],
  });
  const text = formatInitialLog(snapshot, {
    time: new Date(2026, 10, 22, 9, 5, 7),
    operatingSystem: "Linux 6.18.0 x86_64",
  });
  assert.match(
    text,
    /^portset \S+ Port Reporter Log File\n\nService initialization log\n\nSystem Date: Sun Nov 22 09:05:07 2026\n\nTimes: log entries are dated YYYY-MM-DD,HH:MM:SS .*UTC[+-]\d\d:\d\d\n\nLocal computer name:\n\n web1\n\nOperating System: Linux 6\.18\.0 x86_64\n\nNote: not root.*\n\nTCP\/UDP Port to Process Mappings at service start-up\n\n5 mappings found\n\nPID:Process +Port +Local IP +State +Remote IP:Port\n812:sshd +TCP 22 +0\.0\.0\.0 +LISTENING +0\.0\.0\.0\n/,
  );
  const { initial, problems } = readInitial(text);
  assert.deepEqual(problems, []);
  assert.equal(initial.dialect, "portset");
  assert.equal(initial.host, "web1");
  assert.equal(initial.operatingSystem, "Linux 6.18.0 x86_64");
  assert.equal(initial.systemTime, Date.UTC(2026, 10, 22, 9, 5, 7) / 1000);
  assert.deepEqual(
    initial.sockets.map((s) => [...socketRow(s), s.user]).sort(),
    [
      ["TCP", false, "0.0.0.0", 22, null, null, "LISTENING", 812, "sshd", "root"],
      ["TCP", true, "::", 22, null, null, "LISTENING", 812, "sshd", "root"],
      ["TCP", false, "192.0.2.2", 22, "198.51.100.7", 51000, "ESTABLISHED", 812, "sshd", "root"],
      ["UDP", false, "0.0.0.0", 68, null, null, null, null, null, null],
      ["TCP", false, "0.0.0.0", 40000, "203.0.113.5", 443, "TIME_WAIT", null, null, null],
    ].sort(),
  );
  assert.equal(initial.processes.length, 1);
  const [sshd] = initial.processes;
  assert.deepEqual(
    { ...sshd, ports: sshd.ports.length },
    {
      pid: 812,
      process: "sshd",
      path: "/usr/sbin/sshd",
      user: "root",
      services: [
        { name: "ssh.service", displayName: "OpenBSD Secure Shell server", shared: false },
      ],
      modules: ["/usr/sbin/sshd", "/usr/lib/x86_64-linux-gnu/libc.so.6"],
      ports: 3,
      statistics: {
        tcp: 3,
        udp: 0,
        states: [{ state: "LISTENING", count: 2 }, { state: "ESTABLISHED", count: 1 }],
      },
    },
  );
});

Deno.test("PR-INITIAL as published: the header's values, all 15 start-up sockets with their owners", async () => {
  const { initial, problems } = readInitial(
    await Deno.readTextFile(new URL("PR-INITIAL-05-07-6-13-44-4.log", PUBLISHED)),
  );
  assert.deepEqual(problems, []);
  assert.equal(initial.systemDate, "Wed Jul 06 13:44:04 2005");
  assert.equal(initial.systemTime, Date.UTC(2005, 6, 6, 13, 44, 4) / 1000);
  assert.equal(initial.host, "TEST");
  assert.equal(initial.operatingSystem, "Windows XP");
  assert.deepEqual(initial.sockets.map(socketRow), [
    ["TCP", false, "0.0.0.0", 445, null, null, "LISTENING", 4, "System"],
    ["TCP", false, "172.16.16.150", 139, null, null, "LISTENING", 4, "System"],
    ["UDP", false, "0.0.0.0", 445, null, null, null, 4, "System"],
    ["UDP", false, "172.16.16.150", 137, null, null, null, 4, "System"],
    ["UDP", false, "172.16.16.150", 138, null, null, null, 4, "System"],
    ["TCP", false, "127.0.0.1", 1025, null, null, "LISTENING", 392, "alg.exe"],
    ["UDP", false, "0.0.0.0", 500, null, null, null, 932, "lsass.exe"],
    ["UDP", false, "0.0.0.0", 4500, null, null, null, 932, "lsass.exe"],
    ["TCP", false, "0.0.0.0", 135, null, null, "LISTENING", 1196, "svchost.exe"],
    ["UDP", false, "127.0.0.1", 123, null, null, null, 1308, "svchost.exe"],
    ["UDP", false, "172.16.16.150", 123, null, null, null, 1308, "svchost.exe"],
    ["UDP", false, "0.0.0.0", 1029, null, null, null, 1460, "svchost.exe"],
    ["UDP", false, "0.0.0.0", 1049, null, null, null, 1460, "svchost.exe"],
    ["UDP", false, "127.0.0.1", 1900, null, null, null, 1500, "svchost.exe"],
    ["UDP", false, "172.16.16.150", 1900, null, null, null, 1500, "svchost.exe"],
  ]);
  // The article leaves out the per-process blocks that follow the table.
  assert.deepEqual(initial.processes, []);
});

Deno.test("PR-PIDS as published: the header, and record 1 whole (services, port table, statistics, modules)", async () => {
  const { records, problems, reader } = readPids(
    await Deno.readTextFile(new URL("PR-PIDS-05-07-6-13-44-4.log", PUBLISHED)),
  );
  assert.deepEqual(problems, []);
  assert.equal(reader.records, 1);
  assert.deepEqual(
    [reader.header.dialect, reader.header.host, reader.header.operatingSystem],
    ["port-reporter", "TEST", "Windows XP"],
  );
  assert.equal(reader.header.systemTime, Date.UTC(2005, 6, 6, 13, 44, 4) / 1000);
  const [record] = records;
  assert.equal(record.number, 1);
  assert.equal(record.time, Date.UTC(2005, 6, 6, 13, 52, 1) / 1000);
  assert.equal(record.change, null);
  const detail = record.detail!;
  assert.deepEqual([detail.pid, detail.process, detail.user, detail.path], [
    1096,
    "svchost.exe",
    "NT AUTHORITY\\SYSTEM",
    "C:\\WINDOWS\\system32\\svchost.exe",
  ]);
  assert.deepEqual(detail.services, [
    { name: "DcomLaunch", displayName: "DCOM Server Process Launcher", shared: true },
    { name: "TermService", displayName: "Terminal Services", shared: true },
  ]);
  // The header row has a tab after PID, the rows spaces.
  assert.deepEqual(detail.ports.map(socketRow), [
    ["TCP", false, "0.0.0.0", 3389, null, null, "LISTENING", 1096, null],
    ["TCP", false, "172.16.16.150", 3389, "172.16.16.100", 1486, "ESTABLISHED", 1096, null],
  ]);
  assert.deepEqual(detail.statistics, {
    tcp: 2,
    udp: 0,
    states: [{ state: "LISTENING", count: 1 }, { state: "ESTABLISHED", count: 1 }],
  });
  // A blank line after the first module does not end the list.
  assert.equal(detail.modules.length, 33);
  assert.equal(detail.modules.at(-1), "c:\\windows\\system32\\SETUPAPI.dll");
});

Deno.test("PR-PIDS as portset writes it reads back: stamps, the change, process detail, no owner", () => {
  const time = new Date(2026, 10, 22, 9, 5, 7);
  const endpoint = makeEndpoint();
  const connection = makeEndpoint({
    remoteAddress: "2001:db8::9",
    remotePort: 50123,
    protocol: "tcp6",
    localAddress: "2001:db8::5",
    state: "ESTABLISHED",
  });
  const text = formatPidsHeader("PR-PORTS-20261122-090507.log", {
    time,
    host: "web1",
    operatingSystem: "Linux",
  }) +
    formatPidsRecord(time, { kind: "listen", endpoint }, 3, SSHD, [endpoint, connection]) +
    formatPidsRecord(
      new Date(2026, 10, 22, 9, 6, 0),
      { kind: "close", endpoint: makeEndpoint({ pid: null }), betweenLooks: true },
      4,
      undefined,
      [],
    );
  assert.match(
    text,
    /\nOperating System: Linux\n\n\n={54}\n\nLog number: 3\n\nLog entry below recorded at: 2026-11-22,09:05:07\n\nLines below in this record: 30\n\n={54}\n\nChange: listen TCP 0\.0\.0\.0:22 LISTENING\n\nProcess ID: 812 \(sshd\)\n\nPath: \/usr\/sbin\/sshd\n\nUser context: root\n\nService Name: ssh\.service\n/,
  );
  assert.match(
    text,
    /\nPID +Port +Local IP +State +Remote IP:Port\n812 +TCP 22 +0\.0\.0\.0 +LISTENING +0\.0\.0\.0\n812 +TCP6 22 +2001:db8::5 +ESTABLISHED +\[2001:db8::9\]:50123\n/,
  );
  assert.match(text, /\nTCP ports in a LISTENING state: \t1 = 50\.00%\n/);
  const { records, problems, reader } = readPids(text);
  assert.deepEqual(problems, []);
  assert.equal(reader.records, 2);
  assert.deepEqual(
    [reader.header.dialect, reader.header.host, reader.header.operatingSystem],
    ["portset", "web1", "Linux"],
  );
  assert.deepEqual(records.map((r) => [r.number, r.time, r.change, r.detail?.pid ?? null]), [
    [3, Date.UTC(2026, 10, 22, 9, 5, 7) / 1000, "listen TCP 0.0.0.0:22 LISTENING", 812],
    [4, Date.UTC(2026, 10, 22, 9, 6, 0) / 1000, "close TCP 0.0.0.0:22 LISTENING", null],
  ]);
  const detail = records[0].detail!;
  assert.equal(detail.path, "/usr/sbin/sshd");
  assert.equal(detail.services[0].name, "ssh.service");
  assert.equal(detail.modules.length, 2);
  assert.deepEqual(detail.ports.map(socketRow), [
    ["TCP", false, "0.0.0.0", 22, null, null, "LISTENING", 812, null],
    ["TCP", true, "2001:db8::5", 22, "2001:db8::9", 50123, "ESTABLISHED", 812, null],
  ]);
});

Deno.test("PR-PIDS of our own in the original's layout: each record's process, the executable among the modules", async () => {
  const { records, problems } = readPids(
    await Deno.readTextFile(new URL("PR-PIDS-05-07-6-13-52-0.log", ORIGINAL)),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(
    records.map((
      r,
    ) => [r.number, r.detail!.pid, r.detail!.process, r.detail!.path, r.detail!.user]),
    [
      [
        1,
        1096,
        "inetinfo.exe",
        "C:\\WINDOWS\\system32\\inetsrv\\inetinfo.exe",
        "NT AUTHORITY\\SYSTEM",
      ],
      [
        4,
        2210,
        "svchost.exe",
        "C:\\Documents and Settings\\Administrator\\Local Settings\\Temp\\svchost.exe",
        "TEST\\Administrator",
      ],
      [6, 2300, "nc.exe", "C:\\tools\\nc.exe", "TEST\\Guest"],
    ],
  );
  assert.deepEqual(records[0].detail!.services.map((s) => [s.name, s.shared]), [
    ["IISADMIN", true],
    ["W3SVC", true],
  ]);
});

Deno.test("lines that belong to no record are counted, not taken for part of one", () => {
  const { records, problems } = readPids(
    [
      "Port Reporter Version 1.01 Log File",
      "",
      "Process detail log",
      "",
      "=".repeat(54),
      "",
      "Log number: 1",
      "",
      "Log entry below recorded at: 05/7/6,13:52:1",
      "",
      "=".repeat(54),
      "",
      "Process ID: 4 (System)",
      "",
      "a line of something else",
      "User context: NT AUTHORITY\\SYSTEM",
    ].join("\r\n"),
  );
  assert.deepEqual(problems, [{ line: 15, reason: "not a line of a process detail record" }]);
  assert.equal(records[0].detail!.user, "NT AUTHORITY\\SYSTEM");
});
