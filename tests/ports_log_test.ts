import assert from "node:assert/strict";
import {
  formatPortsHeader,
  formatPortsLine,
  formatStopLine,
  parsePortsLine,
  PortsLogReader,
  type PortsRecord,
} from "../port_reporter/ports_log.ts";
import { type LogProblem, PORTS_FIELDS } from "../port_reporter/layout.ts";
import { splitCsv } from "../text/csv.ts";
import { makeEndpoint } from "./support/endpoints.ts";

function read(
  lines: string[],
): { records: PortsRecord[]; problems: LogProblem[]; reader: PortsLogReader } {
  const records: PortsRecord[] = [];
  const problems: LogProblem[] = [];
  const reader = new PortsLogReader((r) => records.push(r), (p) => problems.push(p));
  lines.forEach((line, i) => reader.push(line, i + 1));
  reader.finish();
  return { records, problems, reader };
}

Deno.test("a line portset's monitor writes reads back field for field", () => {
  const endpoint = makeEndpoint({
    protocol: "tcp6",
    localAddress: "2001:db8::5",
    localPort: 443,
    remoteAddress: "2001:db8::9",
    remotePort: 50123,
    state: "ESTABLISHED",
    pid: 812,
    process: 'web, "edge"',
    user: "www-data",
  });
  const line = formatPortsLine(new Date(2026, 10, 22, 9, 5, 7), { kind: "connect", endpoint }, 12);
  const header = formatPortsHeader("PR-PIDS-20261122-090507.log", new Date(2026, 10, 22, 9, 5, 7));
  assert.match(
    header,
    /^portset \S+ Port Reporter Log File - Port usage log\n\nCheck PR-PIDS-20261122-090507\.log for corresponding process data\n\nTimes: .*\n\nLog format:\n(.*)\n\n$/,
  );
  assert.ok(header.includes(`\n${PORTS_FIELDS}\n`));
  const { records, problems, reader } = read([...header.split("\n"), line.trimEnd()]);
  assert.deepEqual(problems, []);
  assert.equal(reader.dialect, "portset");
  assert.deepEqual(records[0], {
    time: Date.UTC(2026, 10, 22, 9, 5, 7) / 1000,
    protocol: "TCP",
    ipv6: true,
    localAddress: "2001:db8::5",
    localPort: 443,
    remoteAddress: "2001:db8::9",
    remotePort: 50123,
    pid: 812,
    process: 'web, "edge"',
    user: "www-data",
    state: "ESTABLISHED",
    change: "connect",
    namespace: null,
    line: 11,
  });
});

Deno.test("a line of another network namespace's socket names it; one written before reads as the host's", () => {
  const time = new Date(2026, 10, 22, 9, 5, 7);
  const netns = { inode: 4026532281, name: "blue, or not", container: null, current: false };
  const endpoint = makeEndpoint({ localAddress: "127.0.0.1", localPort: 47501, netns });
  const line = formatPortsLine(time, { kind: "listen", endpoint }, 3);
  assert.ok(line.endsWith(`,LISTENING,listen,3,"blue, or not"\n`), line);
  const host = formatPortsLine(
    time,
    { kind: "listen", endpoint: { ...endpoint, netns: { ...netns, current: true } } },
    4,
  );
  assert.ok(host.endsWith(",LISTENING,listen,4,\n"), host);
  const header = formatPortsHeader("PR-PIDS-20261122-090507.log", time).split("\n");
  const old = "2026-11-22,09:05:08,TCP,47501,127.0.0.1,,0.0.0.0,812,sshd,<root>,LISTENING,listen,5";
  const oldHeader = header.map((text) =>
    text === PORTS_FIELDS ? PORTS_FIELDS.replace(/,namespace$/, "") : text
  );
  const { records, problems, reader } = read([...header, line.trimEnd(), host.trimEnd()]);
  assert.deepEqual(problems, []);
  assert.deepEqual(records.map((record) => record.namespace), ["blue, or not", null]);
  const before = read([...oldHeader, old]);
  assert.deepEqual(before.problems, []);
  assert.equal(before.reader.dialect, "portset", "a log of before namespaces is portset's");
  assert.deepEqual(before.records.map((record) => [record.namespace, record.change]), [[
    null,
    "listen",
  ]]);
  assert.equal(reader.dialect, "portset");
});

Deno.test("listeners and unconnected UDP sockets have no peer in either dialect", () => {
  const tcp = parsePortsLine(
    "05/7/6,13:52:1,TCP,3389,0.0.0.0,,0.0.0.0,1096,svchost.exe,<NT AUTHORITY\\SYSTEM>",
    1,
    "ymd",
  );
  const udp = parsePortsLine(
    "05/7/6,13:52:4,UDP,1088,0.0.0.0,*,*,1540,rdpclip.exe,<TEST\\Administrator>",
    2,
    "ymd",
  );
  assert.ok(typeof tcp !== "string" && typeof udp !== "string");
  assert.equal(tcp.remoteAddress, null);
  assert.equal(tcp.state, "LISTENING");
  assert.equal(tcp.change, "seen");
  assert.equal(tcp.user, "NT AUTHORITY\\SYSTEM");
  assert.equal(udp.remoteAddress, null);
  assert.equal(udp.remotePort, null);
  assert.equal(udp.protocol, "UDP");
});

Deno.test("the original's header is header, its wrapped records are joined: published, and cut mid-field", async () => {
  const published = await Deno.readTextFile(
    new URL("./fixtures/port_reporter_published/PR-PORTS-05-07-6-13-44-4.log", import.meta.url),
  );
  const sample = read(published.split("\n"));
  assert.deepEqual(sample.problems, []);
  assert.equal(sample.reader.dialect, "port-reporter");
  assert.deepEqual(
    sample.records.map((r) => [r.line, r.protocol, r.localPort, r.remoteAddress, r.pid, r.user]),
    [
      [9, "TCP", 3389, null, 1096, "NT AUTHORITY\\SYSTEM"],
      [11, "TCP", 3389, "172.16.16.100", 1096, "NT AUTHORITY\\SYSTEM"],
      [13, "UDP", 1088, null, 1540, "TEST\\Administrator"],
    ],
  );

  const { records, problems } = read([
    "date,time,protocol,local port,local IP address,remote port,remote IP address,PID,module,user context",
    "05/7/6,14:5:9,TCP,4444,0.0.0.0,,0.0.0.0,2210,svchost.exe,<TEST\\Administra",
    "tor>",
    "05/7/6,14:6:30,TCP,4444,172.16.16.150,51220,198.51.",
    "100.23,2210,svchost.exe,<TEST\\Administrator>",
    "garbage after a whole record",
    "05/7/6,15:0:0,TCP,1031,172.16.16.150,6667,203.0.113.9,2300,nc.exe,<TEST\\Guest>",
    "",
    "more garbage after a blank line",
  ]);
  assert.deepEqual(records.map((r) => [r.line, r.user, r.remoteAddress]), [
    [2, "TEST\\Administrator", null],
    [4, "TEST\\Administrator", "198.51.100.23"],
    [7, "TEST\\Guest", "203.0.113.9"],
  ]);
  assert.deepEqual(problems, [
    { line: 6, reason: "not a change line (it starts with no date)" },
    { line: 9, reason: "not a change line (it starts with no date)" },
  ]);
});

Deno.test("the stop record: its time is kept, and it is no change", () => {
  const stop = formatStopLine(new Date(2026, 10, 22, 10, 0, 5), "SIGTERM");
  assert.equal(stop, "Service stopped at: 2026-11-22,10:00:05 (SIGTERM)\n");
  const { records, problems, reader } = read([
    "2026-11-22,09:05:07,TCP,22,0.0.0.0,,0.0.0.0,812,sshd,<root>,LISTENING,listen,1",
    stop.trimEnd(),
  ]);
  assert.equal(records.length, 1);
  assert.deepEqual(problems, []);
  assert.equal(reader.stopped, Date.UTC(2026, 10, 22, 10, 0, 5) / 1000);
  assert.equal(read(["05/7/6,13:52:1,TCP,80,0.0.0.0,,0.0.0.0,8,w.exe,<S>"]).reader.stopped, null);
});

Deno.test("lines that are not change lines say why", () => {
  const { records, problems } = read([
    "2026-11-22,09:05:07,TCP,99999,127.0.0.1,,0.0.0.0,1,x,<root>,LISTENING,listen,1",
    "2026-11-22,09:05:07,SCTP,80,127.0.0.1,,0.0.0.0,1,x,<root>,LISTENING,listen,2",
    "2026-02-30,09:05:07,TCP,80,127.0.0.1,,0.0.0.0,1,x,<root>,LISTENING,listen,3",
    "2026-11-22,09:05:07,TCP,80,127.0.0.1,,0.0.0.0,1,x,<root>,LISTENING,exploded,4",
    "2026-11-22,09:05:07,TCP",
  ]);
  assert.equal(records.length, 0);
  assert.deepEqual(problems.map((p) => p.reason), [
    "'99999' is not a port",
    "'SCTP' is not TCP or UDP",
    "'2026-02-30,09:05:07' is not a date and time",
    "'exploded' is not a change kind",
    "3 fields, not the 10 of a change line",
  ]);
});

Deno.test("a line of portset's cut short (a crash mid-write) is counted, not read as the original's", () => {
  const { records, problems } = read([
    "portset 0.1.0 Port Reporter Log File - Port usage log",
    "",
    PORTS_FIELDS,
    "",
    "2026-11-22,09:05:07,TCP,8089,127.0.0.9,,0.0.0.0,6012,python3,<root>,LISTENING,listen,1,",
    // The close of a connection, cut after its state: read whole it was a socket appearing.
    "2026-11-22,09:05:09,TCP,8089,127.0.0.9,40000,127.0.0.1,6012,python3,<root>,ESTABLISHED",
  ]);
  assert.deepEqual(records.map((r) => [r.line, r.change]), [[5, "listen"]]);
  assert.deepEqual(problems, [
    { line: 6, reason: "a line cut short: 11 fields of the 13 or more portset writes" },
  ]);
  // The original's ten fields are its whole line.
  const original = read(["05/7/6,13:52:1,TCP,80,0.0.0.0,,0.0.0.0,8,w.exe,<S>"]);
  assert.deepEqual(original.problems, []);
  assert.equal(original.records[0].change, "seen");
});

Deno.test("CSV fields: quotes hold commas and doubled quotes", () => {
  assert.deepEqual(splitCsv('a,"b,c","d""e",'), ["a", "b,c", 'd"e', ""]);
  assert.deepEqual(splitCsv("a,,b"), ["a", "", "b"]);
});

Deno.test("a process ID is any 32-bit number, as Windows' are; one that is no number is refused, not dropped", () => {
  const line = (pid: string) =>
    parsePortsLine(`05/7/6,13:52:1,TCP,3389,0.0.0.0,,0.0.0.0,${pid},svchost.exe,`, 1, "ymd");
  const big = line("123456789");
  assert.ok(typeof big !== "string");
  assert.equal(big.pid, 123456789, "a 9-digit PID is kept");
  const none = line("");
  assert.ok(typeof none !== "string");
  assert.equal(none.pid, null, "an empty field is no PID");
  assert.equal(line("-1"), "'-1' is not a process ID");
  assert.equal(line("4294967296"), "'4294967296' is not a process ID");
  assert.equal(line("12ab"), "'12ab' is not a process ID");
});

Deno.test("a quoted field left open makes the line unreadable, not a process name holding the rest", () => {
  const open = parsePortsLine(
    '05/7/6,13:52:1,TCP,3389,0.0.0.0,,0.0.0.0,1096,"svchost.exe,<TEST\\Administrator>',
    1,
    "ymd",
  );
  assert.equal(open, "a quoted field that is never closed");
  const closed = parsePortsLine(
    '05/7/6,13:52:1,TCP,3389,0.0.0.0,,0.0.0.0,1096,"say ""hi"", then go",<TEST\\Administrator>',
    1,
    "ymd",
  );
  assert.ok(typeof closed !== "string", String(closed));
  assert.equal(closed.process, 'say "hi", then go');
  assert.equal(closed.user, "TEST\\Administrator");
});
