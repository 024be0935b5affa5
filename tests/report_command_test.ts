/**
 * `portset report` from the command line: text, JSON, HTML, the options, and every mistake as
 * one line with exit code 2.
 */

import assert from "node:assert/strict";
import { REPO_ROOT, runCli } from "./support/processes.ts";
import { withLocalOffset } from "./support/local_time.ts";
import { assertValid } from "./support/schemas.ts";
import { formatProgressLine } from "../cli/report_command.ts";

const ORIGINAL = "tests/fixtures/port_reporter_original";

Deno.test("text: what the logs cover, flags first, then each ranking", async () => {
  const run = await runCli(["report", ORIGINAL, "--top", "3"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stderr, "", "no progress bar when stderr is not a terminal");
  const out = run.stdout;
  assert.match(out, /Computer: TESTHOST \(Windows Server 2003\)/);
  assert.ok(
    out.includes(
      `Window: ${withLocalOffset("2005-07-06T13:52:00")} to ${
        withLocalOffset("2005-07-07T00:00:05")
      }, 10 h 08 min observed`,
    ),
    out,
  );
  assert.match(out, /logs do not state their UTC offset: their times assume this machine's/);
  assert.match(out, /times in use are upper bounds/);
  const order = [
    "Flags (8: 3 alert(s))",
    "Local ports by time in use (top 3 of 8)",
    "Processes by time in use (top 3 of 8)",
    "Remote addresses by connections (top 3 of 5)",
    "User contexts (top 3 of 4)",
    "Port use by hour of day",
    "Services per shared host process (3)",
    "End of portset report",
  ].map((heading) => out.indexOf(heading));
  assert.ok(order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1])), String(order));
  assert.match(out, /ALERT\s+unexpected-directory\s+C:\\Documents and Settings/);
  assert.match(out, /13:00\s+3\s+1\s+2\s+2\s+#+/);
  assert.doesNotMatch(out, /Unreadable lines/);
});

Deno.test("--json: one object, the report's documented shape", async () => {
  const run = await runCli(["report", ORIGINAL, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assertValid("report", report);
  assert.equal(report.format, "portset-report/3");
  assert.equal(report.hours.length, 24);
  assert.equal(report.flags.length, 8);
  assert.equal(report.changes.length + report.changesOmitted, report.totals.changes);
  // Service names come from this machine's services file, when it names the port.
  const services = (() => {
    try {
      return Deno.readTextFileSync("/etc/services");
    } catch {
      return "";
    }
  })();
  const http = /^(\S+)\s+80\/tcp/m.exec(services)?.[1] ?? null;
  assert.equal(
    report.ports.find((p: { port: number; transport: string }) =>
      p.port === 80 && p.transport === "tcp"
    ).service,
    http,
  );
  for (
    const key of ["ports", "processes", "remoteAddresses", "users", "sharedProcesses", "timeline"]
  ) {
    assert.ok(key in report, key);
  }
});

Deno.test("--date-order, --baseline and --interests change what is read and flagged", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/keys.txt`, "# what may listen\ntcp/0.0.0.0/80\nudp/*/1088\n");
    Deno.writeTextFileSync(
      `${dir}/interests.json`,
      JSON.stringify({ defaults: false, remoteAddresses: ["172.16.16.10?"] }),
    );
    const run = await runCli([
      "report",
      ORIGINAL,
      "--json",
      "--date-order",
      "mdy",
      "--baseline",
      `${dir}/keys.txt`,
      "--interests",
      `${dir}/interests.json`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    // The records' slashed dates read month first; the System Date (`Wed Jul 06 …`) cannot be.
    assert.equal(report.window.start, withLocalOffset("2005-07-06T13:52:00"));
    assert.equal(report.changes[0].time, withLocalOffset("2006-05-07T13:52:01"));
    assert.equal(report.baseline, `${dir}/keys.txt`);
    // A given baseline judges the start-up snapshot's listeners too: what listened before the
    // monitor started and is not expected is as new as what opened later. One flag per process.
    assert.deepEqual(
      report.flags.map((f: { severity: string; kind: string; subject: string; ports: string[] }) =>
        `${f.severity} ${f.kind} ${f.subject}${f.ports.length ? ` ${f.ports.join(" ")}` : ""}`
      ),
      [
        "warning new-listener System TCP 0.0.0.0:445",
        "warning new-listener lsass.exe UDP 0.0.0.0:500",
        "warning new-listener svchost.exe TCP 0.0.0.0:135 TCP 0.0.0.0:4444",
        "warning remote-of-interest 172.16.16.100",
        "warning remote-of-interest 172.16.16.101",
      ],
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("--html writes one self-contained file, atomically, and asks before replacing one", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    const html = `${dir}/report.html`;
    const run = await runCli(["report", ORIGINAL, "--html", html]);
    assert.equal(run.code, 0, run.stderr);
    const page = Deno.readTextFileSync(html);
    assert.match(page, /^<!doctype html>/i);
    assert.doesNotMatch(page, /(src|href)\s*=\s*["']?(https?:)?\/\//i);
    assert.match(page, /TESTHOST/);
    const again = await runCli(["report", ORIGINAL, "--html", html]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; add -y to overwrite it/);
    assert.equal((await runCli(["report", ORIGINAL, "--html", html, "-y"])).code, 0);
    assert.deepEqual(
      [...Deno.readDirSync(dir)].map((e) => e.name),
      ["report.html"],
      "no temporary file left",
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("mistakes are one line and exit code 2", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/bad.json`, '{"ports": ["tcp/99999"]}');
    Deno.writeTextFileSync(`${dir}/bad-keys.txt`, "tcp 22\n");
    const cases: [string[], RegExp][] = [
      [["report"], /portset report needs LOGDIR/],
      [["report", `${dir}/missing`], /cannot read .*missing/],
      [["report", dir], /no Port Reporter logs .* in /],
      [["report", ORIGINAL, "--date-order", "ydm"], /--date-order must be ymd, mdy or dmy/],
      [["report", ORIGINAL, "--top", "0"], /--top N must be a whole number from 1/],
      [["report", ORIGINAL, "-y"], /-y goes with --html FILE/],
      [
        ["report", ORIGINAL, "--interests", `${dir}/bad.json`],
        /bad\.json: 'tcp\/99999' is not a port/,
      ],
      [
        ["report", ORIGINAL, "--baseline", `${dir}/bad-keys.txt`],
        /bad-keys\.txt:1: 'tcp 22' is not a key/,
      ],
      [["report", ORIGINAL, "--html", dir], /it is a directory/],
      [["report", ORIGINAL, "--frobnicate"], /unknown option '--frobnicate'/],
      [["report", ORIGINAL, `${dir}/missing`], /cannot read .*missing/],
      [["report", ORIGINAL, dir], /no Port Reporter logs .* in .* or the folders below it/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
      assert.match(run.stderr, /^portset: /);
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

/**
 * What a terminal shows while `portset report DIRECTORY --json` runs on it, its JSON sent to
 * /dev/null: script(1) gives the command a pseudo-terminal, as an operator's shell would.
 */
async function reportOnTerminal(directory: string): Promise<string> {
  const output = await new Deno.Command("script", {
    args: [
      "-qec",
      `'${Deno.execPath()}' run --allow-all main.ts report '${directory}' --json > /dev/null`,
      "/dev/null",
    ],
    cwd: REPO_ROOT,
    stdin: "null",
  }).output();
  const terminal = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, terminal);
  return terminal;
}

Deno.test("on a terminal a progress bar is drawn on stderr, then cleared", async () => {
  const terminal = await reportOnTerminal(ORIGINAL);
  assert.match(terminal, /reading logs \[#+-*\]\s+\d+%/);
  assert.ok(terminal.endsWith("\r\x1b[K"), "the bar is cleared at the end");
});

Deno.test("the progress bar shows a log's name as text: escape sequences in it do not reach the terminal", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    // Whoever writes to a log directory names its files: a clipboard write (OSC 52) and a colour.
    const name = "PR-PORTS-05-07-6-13-52-0\x1b]52;c;ZXZpbA==\x07\x1b[31m.log";
    Deno.copyFileSync(`${ORIGINAL}/PR-PORTS-05-07-6-13-52-0.log`, `${dir}/${name}`);
    const terminal = await reportOnTerminal(dir);
    assert.match(terminal, /reading logs \[#+-*\]/);
    assert.ok(!terminal.includes("\x1b]52"), JSON.stringify(terminal));
    assert.ok(!terminal.includes("\x07"), JSON.stringify(terminal));
    // The bar's own sequences are the only ones: erase to the end of the line.
    assert.ok(!terminal.replaceAll("\x1b[K", "").includes("\x1b"), JSON.stringify(terminal));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the progress bar stays whole when a log grows as it is read (the monitor still writing it)", () => {
  // Found 10 KiB when listed, 12 KiB read: the running monitor appended to it meanwhile.
  const line = formatProgressLine(12 * 1024, 10 * 1024, "PR-PORTS-20261122-005501.log", 1);
  assert.match(line, /^reading logs \[#{30}\] 100% /);
  assert.match(line, / PR-PORTS-20261122-005501\.log$/);
  assert.match(formatProgressLine(0, 0, "PR-PIDS-x.log", 0), /\[#{30}\] 100% /);
});
