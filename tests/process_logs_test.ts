/**
 * The PR-INITIAL and PR-PIDS readers, on what portset's own writers produce (a round trip through
 * the real formatters) and on the original's layout.
 */

import assert from "node:assert/strict";
import { formatLocalReport } from "../outputs/local_report.ts";
import type { ProcessInfo } from "../model/endpoint.ts";
import { formatInitialHeader, InitialLogReader } from "../port_reporter/initial_log.ts";
import { formatPidsRecord, PidsLogReader, type PidsRecord } from "../port_reporter/pids_log.ts";
import { makeEndpoint, makeSnapshot } from "./support/endpoints.ts";

const SSHD: ProcessInfo = {
  pid: 812,
  process: "sshd",
  path: "/usr/sbin/sshd",
  user: "root",
  uid: 0,
  ppid: 1,
  started: null,
  services: [{ name: "ssh.service", displayName: "OpenBSD Secure Shell server", shared: false }],
  modules: [{ path: "/usr/sbin/sshd", baseAddress: "0x55d0c0a00000" }, {
    path: "/usr/lib/x86_64-linux-gnu/libc.so.6",
    baseAddress: "0x7f0000000000",
  }],
};

function lines(text: string): string[] {
  return text.split("\n");
}

Deno.test("PR-INITIAL: the snapshot's sockets with their owners, users and process details", () => {
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
  const snapshot = makeSnapshot(endpoints, { processes: new Map([[812, SSHD]]), host: "web1" });
  const text = formatInitialHeader("web1", new Date(), "linux") +
    formatLocalReport(snapshot, { verbose: true });
  const reader = new InitialLogReader();
  lines(text).forEach((line, i) => reader.push(line, i + 1));
  const initial = reader.finish();
  assert.equal(initial.host, "web1");
  assert.deepEqual(
    initial.sockets.map((
      s,
    ) => [
      s.protocol,
      s.ipv6,
      s.localAddress,
      s.localPort,
      s.remoteAddress,
      s.remotePort,
      s.state,
      s.pid,
      s.process,
      s.user,
    ]).sort(),
    [
      ["TCP", false, "0.0.0.0", 22, null, null, "LISTENING", 812, "sshd", "root"],
      ["TCP", true, "::", 22, null, null, "LISTENING", 812, "sshd", "root"],
      ["TCP", false, "192.0.2.2", 22, "198.51.100.7", 51000, "ESTABLISHED", 812, "sshd", "root"],
      ["UDP", false, "0.0.0.0", 68, null, null, null, null, null, null],
      ["TCP", false, "0.0.0.0", 40000, "203.0.113.5", 443, "TIME_WAIT", null, null, null],
    ].sort(),
  );
  assert.deepEqual(initial.processes, [{
    pid: 812,
    process: "sshd",
    path: "/usr/sbin/sshd",
    user: "root",
    services: [{ name: "ssh.service", displayName: "OpenBSD Secure Shell server", shared: false }],
    modules: ["/usr/sbin/sshd", "/usr/lib/x86_64-linux-gnu/libc.so.6"],
  }]);
});

Deno.test("PR-PIDS: each record's stamp and process detail, from portset's writer", () => {
  const endpoint = makeEndpoint();
  const text =
    formatPidsRecord(new Date(2026, 10, 22, 9, 5, 7), { kind: "listen", endpoint }, 3, SSHD, [
      endpoint,
    ]) +
    formatPidsRecord(
      new Date(2026, 10, 22, 9, 6, 0),
      { kind: "close", endpoint: makeEndpoint({ pid: null }) },
      4,
      undefined,
      [],
    );
  const records: PidsRecord[] = [];
  const reader = new PidsLogReader((record) => records.push(record));
  for (const line of lines(text)) reader.push(line);
  reader.finish();
  assert.equal(reader.records, 2);
  assert.equal(records.length, 1, "the record with no owner has no process detail");
  assert.equal(records[0].time, Date.UTC(2026, 10, 22, 9, 5, 7) / 1000);
  assert.equal(records[0].detail.path, "/usr/sbin/sshd");
  assert.equal(records[0].detail.services[0].name, "ssh.service");
  assert.equal(records[0].detail.modules.length, 2);
});

Deno.test("PR-PIDS: the original's records, with the executable found among the modules", async () => {
  const text = await Deno.readTextFile(
    new URL("./fixtures/port_reporter_original/PR-PIDS-5-7-6-13-52-0.log", import.meta.url),
  );
  const records: PidsRecord[] = [];
  const reader = new PidsLogReader((record) => records.push(record));
  for (const line of text.split(/\r?\n/)) reader.push(line);
  reader.finish();
  assert.deepEqual(
    records.map((r) => [r.detail.pid, r.detail.process, r.detail.path, r.detail.user]),
    [
      [1096, "svchost.exe", "C:\\WINDOWS\\System32\\svchost.exe", "NT AUTHORITY\\SYSTEM"],
      [
        2210,
        "svchost.exe",
        "C:\\Documents and Settings\\Administrator\\Local Settings\\Temp\\svchost.exe",
        "TEST\\Administrator",
      ],
      [2300, "nc.exe", "C:\\tools\\nc.exe", "TEST\\Guest"],
    ],
  );
  assert.deepEqual(records[0].detail.services.map((s) => [s.name, s.shared]), [[
    "TermService",
    true,
  ], ["SessionEnv", true]]);
});
