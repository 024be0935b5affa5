/**
 * Safe text and CSV (issue 14) and logs nobody can forge (issue 17, point 3), against real
 * processes in a network namespace of the test's own: one renamed `bad\nname\e[31m` (through
 * /proc/self/comm, as prctl(PR_SET_NAME) does), run from a copy of python whose directory's name
 * holds line breaks, an escape and a forged PR-PIDS record; and two named `=SUM(1+2)` and `@cmd`.
 * Every text output portset makes of them must show each field on its one line with no control
 * character; the CSV must show the formulas as text; the report's reader must not take a name
 * for a record. In the namespace, no other test's -local ever meets these processes.
 */

import assert from "node:assert/strict";
import { PidsLogReader } from "../port_reporter/pids_log.ts";
import { PortsLogReader } from "../port_reporter/ports_log.ts";
import { RECORD_LINES, RULE } from "../port_reporter/layout.ts";
import { spreadsheetField } from "../text/csv.ts";
import { Namespace, namespaceUnavailable } from "./support/netns.ts";
import { pollUntil } from "./support/poll.ts";
import { RunningCli, startHolder, SYSTEM_PYTHON } from "./support/processes.ts";
import { runCliIn } from "./support/netns.ts";
import { cacheDependencies } from "./servers/support/portset.ts";

/** The name the first process gives itself: a line break, then an escape sequence (red). */
const HOSTILE_NAME = "bad\nname\x1b[31m";
/** It as every text output must show it. */
const HOSTILE_SHOWN = "bad?name?[31m";
/**
 * The directory the hostile executable runs from: its path would add a forged record to PR-PIDS,
 * an svchost.exe running from C:\Windows\Temp, were its line breaks written as they are.
 */
const EVIL_DIRECTORY =
  "evil\n\nLog number: 999\n\nProcess ID: 4 (svchost.exe)\n\nPath: C:\\Windows\\Temp\\svchost.exe\n\x1b[31mdir";
const EVIL_SHOWN =
  "evil??Log number: 999??Process ID: 4 (svchost.exe)??Path: C:\\Windows\\Temp\\svchost.exe??[31mdir";
/** Lines the forged record would have added, had a line break got through. */
const FORGED_LINES = [
  /^\s*Log number: 999/m,
  /^\s*Process ID: 4 \(svchost\.exe\)/m,
  /^\s*Path: C:\\Windows/m,
  /^name/m,
];

/**
 * Renames itself (argv[1]), holds a TCP listener and a UDP socket on argv[2] (one port, the
 * kernel's pick), says so in one JSON line, and waits for stdin to close.
 */
const HOLDER = new URL("./fixtures/renamed_holder.py", import.meta.url).pathname;

/** A syslog server for the monitor: each datagram received, as a JSON string on a line. */
const SYSLOG_SERVER = new URL("./fixtures/syslog_server.py", import.meta.url).pathname;
const SYSLOG_PORT = 5514;

/** A control character other than a line feed (and, where `tabs`, a tab). */
// deno-lint-ignore no-control-regex -- control characters are what it looks for
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
// deno-lint-ignore no-control-regex -- control characters are what it looks for
const CONTROL_BUT_TABS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Fails unless `text` holds no control character but line feeds (and tabs, for the logs, whose
 * statistics lines have the original's tab) and none of the forged lines.
 */
function assertSafe(text: string, what: string, { tabs = false } = {}): void {
  const control = (tabs ? CONTROL_BUT_TABS : CONTROL).exec(text);
  if (control) {
    const at = control.index;
    assert.fail(
      `${what}: U+${control[0].charCodeAt(0).toString(16).padStart(4, "0")} at ${at}: ` +
        JSON.stringify(text.slice(Math.max(0, at - 60), at + 60)),
    );
  }
  for (const forged of FORGED_LINES) assert.doesNotMatch(text, forged, what);
}

/** The lines of `text` that mention `needle`. */
function linesWith(text: string, needle: string): string[] {
  return text.split("\n").filter((line) => line.includes(needle));
}

/** Each file in `directory` whose name starts with `prefix`, with its text, in name order. */
function logs(directory: string, prefix: string): { name: string; text: string }[] {
  return [...Deno.readDirSync(directory)].map((entry) => entry.name)
    .filter((name) => name.startsWith(prefix)).sort()
    .map((name) => ({ name, text: Deno.readTextFileSync(`${directory}/${name}`) }));
}

/** A strict RFC 4180 reader, written for this test: records of fields. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [], field = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') field += text[++i];
      else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === "") quoted = true;
    else if (char === ",") record.push(field), field = "";
    else if (char === "\n") record.push(field), records.push(record), record = [], field = "";
    else if (char === '"' || char === "\r") throw new Error(`bare ${JSON.stringify(char)} at ${i}`);
    else field += char;
  }
  if (field !== "" || record.length > 0) throw new Error("no line break after the last record");
  return records;
}

Deno.test("spreadsheetField writes formulas as text, numbers as numbers, in RFC 4180 fields", () => {
  assert.equal(spreadsheetField("=SUM(1+2)"), "'=SUM(1+2)");
  assert.equal(spreadsheetField("@cmd"), "'@cmd");
  assert.equal(spreadsheetField("+1"), "'+1");
  assert.equal(spreadsheetField("-bash"), "'-bash");
  assert.equal(spreadsheetField("\t=1"), "'?=1", "a tab first is shown as ? after the quote");
  assert.equal(spreadsheetField("\r=1"), "'?=1");
  assert.equal(spreadsheetField('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`);
  assert.equal(spreadsheetField("a=b"), "a=b", "only a first character starts a formula");
  assert.equal(spreadsheetField(-5), "-5", "a number stays a number");
  assert.equal(spreadsheetField(8080), "8080");
  assert.equal(spreadsheetField(null), "");
  assert.equal(spreadsheetField("sshd"), "sshd");
});

Deno.test("the PR-PIDS reader counts a record's lines: lines inside one never start another", () => {
  // A record as a writer that let line breaks through would write it, counted as written: the
  // forged record inside is the real record's text, not a record.
  const body = [
    "",
    RULE,
    "",
    "Change: listen TCP 127.0.0.2:4000 LISTENING",
    "",
    "Process ID: 700 (python3)",
    "",
    "Path: /tmp/evil",
    "",
    RULE,
    "",
    "Log number: 999",
    "",
    "Log entry below recorded at: 2026-11-22,09:05:09",
    "",
    "Process ID: 4 (svchost.exe)",
    "",
    "Path: C:\\Windows\\Temp\\svchost.exe",
    "",
    "User context: root",
    "",
    "Process doesn't appear to be a service",
  ];
  const record = (number: number, lines: string[]) =>
    [
      "",
      RULE,
      "",
      `Log number: ${number}`,
      "",
      "Log entry below recorded at: 2026-11-22,09:05:07",
      "",
      `${RECORD_LINES}: ${lines.length}`,
      ...lines,
    ].join("\n") + "\n";
  const text = "portset 0.1.0 Port Reporter Log File\n\nProcess detail log\n" +
    record(1, body) +
    record(2, ["", RULE, "", "Change: close TCP 127.0.0.2:4000 LISTENING", "", "No process owns"]);
  const records: { number: number | null; pid: number | null; path: string | null }[] = [];
  const problems: number[] = [];
  const reader = new PidsLogReader(
    (r) =>
      records.push({ number: r.number, pid: r.detail?.pid ?? null, path: r.detail?.path ?? null }),
    (problem) => problems.push(problem.line),
  );
  text.split("\n").forEach((line, i) => reader.push(line, i + 1));
  reader.finish();
  assert.deepEqual(records, [
    { number: 1, pid: 700, path: "/tmp/evil" },
    { number: 2, pid: null, path: null },
  ]);
  // The forged `Log number` and `Process ID` are the record's problems, and so is the stamp
  // between them, which is no line of a process block.
  assert.ok(problems.length >= 2, `problems on lines ${problems}`);
});

Deno.test({
  name: "a hostile process name and path, and formula names, in every text output and the logs",
  ignore: namespaceUnavailable() !== null,
  async fn(t) {
    await cacheDependencies();
    await using namespace = await Namespace.create("safe");
    const wrap = (command: string[]) => namespace.wrap(command);
    const directory = await namespace.makeDir(EVIL_DIRECTORY, 0o700);
    const hostilePython = `${directory}/python3`;
    Deno.copyFileSync(Deno.realPathSync(SYSTEM_PYTHON), hostilePython);
    Deno.chmodSync(hostilePython, 0o755);
    const logDirectory = await namespace.makeDir("logs", 0o700);
    const rule = await namespace.writeFile(
      "rule.xml",
      `<PortSet onChange="true">\n  <include key="*"/>\n</PortSet>\n`,
    );
    const baseline = `${namespace.dir}/baseline.json`;
    const made = await runCliIn(namespace, ["baseline", rule, "-o", baseline]);
    assert.equal(made.code, 0, made.stderr);

    const syslog = namespace.start("syslog", [
      SYSTEM_PYTHON,
      SYSLOG_SERVER,
      `${SYSLOG_PORT}`,
    ]);
    assert.ok(await pollUntil(() => syslog.log.includes("ready") || undefined));
    const monitor = new RunningCli([
      "monitor",
      "--log-dir",
      logDirectory,
      "--interval",
      "1",
      "--rule",
      rule,
      "--syslog",
      `udp://127.0.0.1:${SYSLOG_PORT}`,
    ], wrap);
    await monitor.waitForError(/portset: monitoring every 1 s/);

    const hold = (python: string, name: string, address: string) => {
      const [command, ...args] = wrap([python, HOLDER, name, address]);
      return startHolder(command, args);
    };
    await using hostile = await hold(hostilePython, HOSTILE_NAME, "127.0.0.2");
    await using formula = await hold(SYSTEM_PYTHON, "=SUM(1+2)", "127.0.0.3");
    await using at = await hold(SYSTEM_PYTHON, "@cmd", "127.0.0.4");
    const ports = [hostile, formula, at].map((holder) => holder.ready.port);

    // Every listener's change logged and its event printed: then the monitor has seen them.
    const portsText = () => logs(logDirectory, "PR-PORTS-").map((file) => file.text).join("");
    const logged = await pollUntil(
      () =>
        ports.every((port) => portsText().includes(`,TCP,${port},`)) &&
          ports.every((port) => monitor.output.includes(`/${port}`)) || undefined,
      {
        deadlineMs: 20_000,
      },
    );
    assert.ok(logged, `the monitor logged the listeners:\n${portsText()}\n${monitor.output}`);
    const stopped = await monitor.stop("SIGTERM");
    const [hostilePid] = hostile.ready.pids!;

    await t.step("monitor event lines and syslog messages: one line each, names as ?", async () => {
      assertSafe(stopped.stdout, "monitor events");
      assertSafe(stopped.stderr, "monitor's messages");
      const events = linesWith(stopped.stdout, `/${hostile.ready.port}`);
      assert.ok(events.some((line) => line.includes(HOSTILE_SHOWN)), events.join("\n"));
      assert.ok(events.some((line) => line.includes(EVIL_SHOWN)), events.join("\n"));
      const messages = await pollUntil(() => {
        const received = syslog.log.split("\n").slice(1).filter((line) => line !== "")
          .map((line) => JSON.parse(line) as string);
        return received.some((message) => message.includes(HOSTILE_SHOWN)) ? received : undefined;
      });
      assert.ok(messages, `a syslog message names the process: ${syslog.log}`);
      for (const message of messages) assertSafe(message, "a syslog message");
    });

    await t.step("the Port Reporter logs: every field neutralised, PR-PIDS read by count", () => {
      for (const file of logs(logDirectory, "PR-")) {
        assertSafe(file.text, file.name, { tabs: true });
      }
      const initial = logs(logDirectory, "PR-INITIAL-").map((file) => file.text).join("");
      const pids = logs(logDirectory, "PR-PIDS-");
      const pidsText = pids.map((file) => file.text).join("");
      assert.ok(pidsText.includes(`Process ID: ${hostilePid} (${HOSTILE_SHOWN})`), pidsText);
      assert.ok(pidsText.includes(`Path: ${directory.slice(0, -EVIL_DIRECTORY.length)}`));
      assert.ok(pidsText.includes(EVIL_SHOWN));
      assert.ok(initial.includes("Process ID:"), "the start-up snapshot has process blocks");
      // The PR-PORTS line keeps the name as the process gave it: a log in the original's layout,
      // not a spreadsheet (see text/csv.ts); RFC 4180 quoting and `?` for controls only.
      const formulaLine = portsText().split("\n")
        .find((line) => line.includes(`,TCP,${formula.ready.port},`))!;
      assert.equal(formulaLine.split(",")[8], "=SUM(1+2)");
      const hostileLine = portsText().split("\n")
        .find((line) => line.includes(`,TCP,${hostile.ready.port},`))!;
      assert.equal(hostileLine.split(",")[8], HOSTILE_SHOWN);

      // As many PR-PIDS records as PR-PORTS lines, each numbered as its line, none forged.
      let portsLines = 0;
      const numbers: (number | null)[] = [];
      const problems: string[] = [];
      for (const file of logs(logDirectory, "PR-PORTS-")) {
        const reader = new PortsLogReader(() => portsLines++, (p) => problems.push(p.reason));
        file.text.split("\n").forEach((line, i) => reader.push(line, i + 1));
        reader.finish();
      }
      const pidsOf = new Set<number>();
      for (const file of pids) {
        const reader = new PidsLogReader((record) => {
          numbers.push(record.number);
          if (record.detail) pidsOf.add(record.detail.pid);
        }, (p) => problems.push(`${file.name}:${p.line}: ${p.reason}`));
        file.text.split("\n").forEach((line, i) => reader.push(line, i + 1));
        reader.finish();
      }
      assert.deepEqual(problems, []);
      assert.equal(numbers.length, portsLines);
      assert.ok(!numbers.includes(999) && !pidsOf.has(4), `records ${numbers}`);
      assert.ok(pidsOf.has(hostilePid));
    });

    await t.step("report over the monitor's logs", async () => {
      const report = await runCliIn(namespace, ["report", logDirectory]);
      assert.equal(report.code, 0, report.stderr);
      assertSafe(report.stdout, "report");
      assertSafe(report.stderr, "report's messages");
      assert.ok(report.stdout.includes(HOSTILE_SHOWN), report.stdout);
      // The evil path shows whole, on its one line, forgery and all; no process is made of it.
      assert.doesNotMatch(
        report.stdout,
        /^ *svchost\.exe\b|\(PID 4\)|^ *Log number/m,
        report.stdout,
      );
    });

    await t.step("-local and -local -v", async () => {
      for (const args of [["-local"], ["-local", "-v"]]) {
        const run = await runCliIn(namespace, args);
        assert.equal(run.code, 0, run.stderr);
        assertSafe(run.stdout, args.join(" "));
        assertSafe(run.stderr, `${args.join(" ")} messages`);
        assert.ok(run.stdout.includes(`${hostilePid}:${HOSTILE_SHOWN}`), run.stdout);
        assert.ok(run.stdout.includes(` Process ID: ${hostilePid} (${HOSTILE_SHOWN})\n`));
        assert.ok(run.stdout.includes(EVIL_SHOWN));
        assert.ok(run.stdout.includes(`${formula.ready.pids![0]}:=SUM(1+2)`));
      }
    });

    await t.step("-local --csv: formulas as text, the hostile fields on one line", async () => {
      const run = await runCliIn(namespace, ["-local", "--csv"]);
      assert.equal(run.code, 0, run.stderr);
      assertSafe(run.stdout, "-local --csv");
      const [header, ...records] = readCsv(run.stdout);
      const column = (name: string) => header.indexOf(name);
      for (const record of records) assert.equal(record.length, header.length);
      const processes = (port: number) =>
        records.filter((record) => record[column("localPort")] === String(port))
          .map((record) => record[column("process")]);
      assert.deepEqual(processes(formula.ready.port), ["'=SUM(1+2)", "'=SUM(1+2)"]);
      assert.deepEqual(processes(at.ready.port), ["'@cmd", "'@cmd"]);
      assert.deepEqual(processes(hostile.ready.port), [HOSTILE_SHOWN, HOSTILE_SHOWN]);
      const hostileRecord = records.find((r) =>
        r[column("localPort")] === `${hostile.ready.port}`
      )!;
      assert.ok(hostileRecord[column("path")].includes(EVIL_SHOWN));
    });

    await t.step("-wport and -wpid, one look each", async () => {
      for (const args of [["-wport", `${hostile.ready.port}`], ["-wpid", `${hostilePid}`, "-v"]]) {
        const watch = new RunningCli([...args, "-wt", "1"], wrap);
        await watch.waitFor(new RegExp(`${hostilePid}:bad\\?name`));
        const run = await watch.stop("SIGTERM");
        assertSafe(run.stdout, args.join(" "));
        assertSafe(run.stderr, `${args.join(" ")} messages`);
        if (args.includes("-v")) assert.ok(run.stdout.includes(EVIL_SHOWN), run.stdout);
      }
    });

    await t.step("scan and check: text and CEF, Path last and unpadded", async () => {
      const scan = await runCliIn(namespace, ["scan", rule]);
      assert.equal(scan.code, 0, scan.stderr);
      assertSafe(scan.stdout, "scan");
      const rows = scan.stdout.split("\n").filter((line) => line.startsWith("tcp/"));
      assert.equal(rows.length, 3, scan.stdout);
      for (const row of rows) {
        // Path is the last attribute, after ProcessId and User, and no row is padded to it.
        assert.match(row, /ProcessId=\d+ +User=\S+ +Created=\S+ +Path=\S.*\S$/, row);
        assert.equal(row, row.trimEnd());
      }
      const hostileRow = rows.find((row) => row.includes(`/${hostile.ready.port} `))!;
      const atRow = rows.find((row) => row.includes(`/${at.ready.port} `))!;
      assert.ok(hostileRow.includes(`Process=${HOSTILE_SHOWN}`), hostileRow);
      assert.ok(hostileRow.endsWith(`${EVIL_SHOWN}/python3`), hostileRow);
      assert.ok(atRow.endsWith(`Path=${Deno.realPathSync(SYSTEM_PYTHON)}`), atRow);
      assert.ok(atRow.length < hostileRow.length - 50, "the long path widens its own row only");

      for (const format of [[], ["--cef"]]) {
        const check = await runCliIn(namespace, ["check", rule, "--baseline", baseline, ...format]);
        assert.equal(check.code, 1, check.stderr);
        assertSafe(check.stdout, `check ${format.join(" ")}`);
        assertSafe(check.stderr, "check's messages");
        const lines = linesWith(check.stdout, `${hostile.ready.port}`);
        assert.equal(lines.length, 2, check.stdout); // the TCP and the UDP socket
        // CEF escapes a line break as `\n`, as it says; the escape character is `?` in both.
        const shown = format.length ? "bad\\nname?[31m" : HOSTILE_SHOWN;
        assert.ok(lines.every((line) => line.includes(shown)), lines.join("\n"));
      }
    });

    await t.step("an argument echoed in an error line stays on it", async () => {
      const run = await runCliIn(namespace, ["scan", `${namespace.dir}/no\nsuch\x1b[31m.xml`]);
      assert.equal(run.code, 2);
      assertSafe(run.stderr, "error line");
      assert.equal(run.stderr.trimEnd().split("\n").length, 1, run.stderr);
    });
  },
});
