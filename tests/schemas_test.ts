/**
 * Every JSON and JSON-lines output, made by the real command from real sockets, validated by Ajv
 * against its schema in schemas/ (issue 14): `-local`, watch, scan, baseline, check (a document
 * and JSON lines), monitor's events, report (over the original's published logs and over
 * portset's own), and `-n`. And the schemas are no rubber stamp: the old dialects (`"TCP"`, a
 * time without its offset, `ProcessId` outside `attributes`, a misspelt field) are refused.
 */

import assert from "node:assert/strict";
import { runCli, RunningCli } from "./support/processes.ts";
import { assertValid, assertValidLines, validator } from "./support/schemas.ts";
import { TestSockets } from "./support/sockets.ts";

/** A scratch directory, removed afterwards. */
async function withDirectory(use: (directory: string) => Promise<void>): Promise<void> {
  const directory = await Deno.makeTempDir({ prefix: "portset-schemas-" });
  try {
    await use(directory);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
}

/** Runs portset, fails unless it exits with `code`, and gives its stdout. */
async function stdoutOf(args: string[], code = 0): Promise<string> {
  const run = await runCli(args);
  assert.equal(run.code, code, `portset ${args.join(" ")}: ${run.stderr}`);
  return run.stdout;
}

Deno.test("-local --json, plain, -v and filtered, on 127.0.0.1 and ::1", async () => {
  using sockets = new TestSockets();
  const tcp = sockets.tcpListen("127.0.0.1");
  sockets.tcpConnect("127.0.0.1", tcp.port);
  sockets.udp("127.0.0.1");
  sockets.tcpListen("::1");
  for (
    const args of [
      ["-local", "--json"],
      ["-local", "-v", "--json"],
      ["-local", "--listening", "--proto", "tcp", "--json"],
      ["-local", "--port", "1", "--json"],
    ]
  ) {
    const document = JSON.parse(await stdoutOf(args));
    assertValid("local", document, args.join(" "));
  }
  const mine = JSON.parse(await stdoutOf(["-local", "--port", String(tcp.port), "--json"]));
  assert.ok(mine.endpoints.length >= 2, "the listener and its connection are there to validate");
});

Deno.test("-wport --json: start, change and end lines", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.74");
  await using watcher = new RunningCli(["-wport", String(listener.port), "-wt", "1", "--json"]);
  await watcher.waitFor(/"event":"start"/);
  sockets.tcpConnect("127.0.0.74", listener.port);
  sockets.accept(listener.fd);
  await watcher.waitFor(/"event":"change"/);
  const run = await watcher.stop("SIGINT");
  assert.equal(run.code, 0, run.stderr);
  const lines = assertValidLines("watch", run.stdout) as { event: string }[];
  assert.deepEqual([lines[0].event, lines.at(-1)!.event], ["start", "end"]);
});

Deno.test("scan, baseline, check --json and check --jsonl, with a change of each kind", async () => {
  using sockets = new TestSockets();
  const staying = sockets.tcpListen("127.0.0.75");
  const going = sockets.tcpListen("127.0.0.75");
  await withDirectory(async (directory) => {
    const rule = `${directory}/rule.xml`;
    const other = `${directory}/other.xml`;
    Deno.writeTextFileSync(rule, `<PortSet><include key="*/127.0.0.75/*"/></PortSet>`);
    Deno.writeTextFileSync(
      other,
      `<PortSet><include key="*/127.0.0.75/*"/><attributes><ProcessId/></attributes></PortSet>`,
    );
    const scan = JSON.parse(await stdoutOf(["scan", rule, "--json"]));
    assertValid("scan", scan);
    assert.ok(scan.entities.length >= 2);

    const baseline = `${directory}/base.json`;
    await stdoutOf(["baseline", rule, "-o", baseline]);
    assertValid("baseline", JSON.parse(Deno.readTextFileSync(baseline)));

    sockets.close(going.fd);
    sockets.tcpListen("127.0.0.75");
    const check = JSON.parse(await stdoutOf(["check", rule, "--baseline", baseline, "--json"], 1));
    assertValid("check", check);
    assert.deepEqual(
      [...new Set(check.events.map((e: { change: string }) => e.change))].sort(),
      ["Created", "Deleted"],
    );
    const lines = assertValidLines(
      "events",
      await stdoutOf(["check", rule, "--baseline", baseline, "--jsonl"], 1),
    ) as { event: string }[];
    assert.deepEqual([lines[0].event, lines.at(-1)!.event], ["start", "end"]);

    // A baseline of another rule: a warning in the document and a warning line.
    const warned = await runCli(["check", other, "--baseline", baseline, "--jsonl"]);
    assert.equal(warned.code, 1, warned.stderr);
    const warnedLines = assertValidLines("events", warned.stdout) as { event: string }[];
    assert.ok(warnedLines.some((line) => line.event === "warning"), warned.stdout);
    assert.ok(staying.port > 0);
  });
});

Deno.test("monitor --rule --jsonl: start, Created and Deleted, end", async () => {
  using sockets = new TestSockets();
  await withDirectory(async (directory) => {
    const rule = `${directory}/rule.xml`;
    Deno.writeTextFileSync(
      rule,
      `<PortSet onChange="true"><include key="*/127.0.0.76/*"/></PortSet>`,
    );
    await using monitor = new RunningCli(["monitor", "--rule", rule, "--interval", "1", "--jsonl"]);
    await monitor.waitFor(/"event":"start"/);
    const listener = sockets.tcpListen("127.0.0.76");
    await monitor.waitFor(
      new RegExp(`"change":"Created","key":"tcp/127\\.0\\.0\\.76/${listener.port}"`),
    );
    sockets.close(listener.fd);
    await monitor.waitFor(
      new RegExp(`"change":"Deleted","key":"tcp/127\\.0\\.0\\.76/${listener.port}"`),
    );
    const run = await monitor.stop("SIGTERM");
    assert.equal(run.code, 0, run.stderr);
    const lines = assertValidLines("events", run.stdout) as { event: string }[];
    assert.deepEqual([lines[0].event, lines.at(-1)!.event], ["start", "end"]);
  });
});

Deno.test("report --json over the original's published logs and over portset's own", async () => {
  assertValid(
    "report",
    JSON.parse(await stdoutOf(["report", "tests/fixtures/port_reporter_original", "--json"])),
    "the original's logs",
  );
  using sockets = new TestSockets();
  await withDirectory(async (directory) => {
    const logs = `${directory}/logs`;
    await using monitor = new RunningCli(["monitor", "--log-dir", logs, "--interval", "1"]);
    await monitor.waitForError(/monitoring every 1 s/);
    const listener = sockets.tcpListen("127.0.0.77");
    const client = sockets.tcpConnect("127.0.0.77", listener.port);
    sockets.accept(listener.fd);
    await pollPortsLog(logs, `,${listener.port},`);
    sockets.close(client.fd);
    assert.equal((await monitor.stop("SIGTERM")).code, 0);
    const report = JSON.parse(await stdoutOf(["report", logs, "--json"]));
    assertValid("report", report, "portset's own logs");
    assert.ok(report.totals.changes > 0);
  });
});

/** Waits until a PR-PORTS file in `logs` has a line holding `text`. */
async function pollPortsLog(logs: string, text: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      for (const entry of Deno.readDirSync(logs)) {
        if (
          entry.name.startsWith("PR-PORTS-") &&
          Deno.readTextFileSync(`${logs}/${entry.name}`).includes(text)
        ) return;
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no PR-PORTS line with ${text} in ${logs} within 15 s`);
}

Deno.test("-n --json over 127.0.0.1 and ::1: a listener, a closed port, both protocols", async () => {
  using sockets = new TestSockets();
  const v4 = sockets.tcpListen("127.0.0.1");
  const v6 = sockets.tcpListen("::1");
  for (const [address, port] of [["127.0.0.1", v4.port], ["::1", v6.port]] as const) {
    const args = ["-n", address, "-nr", "-p", "both", "-o", `${port},1`, "--json"];
    const run = await runCli(args);
    assert.ok(run.code === 0 || run.code === 1, run.stderr);
    assertValid("query", JSON.parse(run.stdout), args.join(" "));
  }
});

Deno.test("the schemas refuse the old dialects", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.78");
  const local = JSON.parse(
    await stdoutOf(["-local", "--port", String(listener.port), "--json"]),
  );
  assertValid("local", local);
  const validate = validator("local");
  const refused = (change: (document: typeof local) => void, what: string) => {
    const copy = structuredClone(local);
    change(copy);
    assert.equal(validate(copy), false, `${what} must be refused`);
  };
  refused((d) => d.endpoints[0].protocol = "TCP", "protocol TCP");
  refused((d) => d.time = d.time.replace(/Z$|[+-]\d\d:\d\d$/, ""), "a time without its offset");
  refused((d) => d.endpoints[0].ProcessId = d.endpoints[0].pid, "ProcessId outside attributes");
  refused((d) => delete d.endpoints[0].key, "an endpoint without its key");
  refused((d) => d.format = "portset-local/1", "the old format version");
});
