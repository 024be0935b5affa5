/**
 * An attack run's findings on namespaces in the monitor's logs, each seen to fail before its fix:
 *
 * - PR-PIDS records a `Network namespace: NAME` line for another namespace's socket, and
 *   `portset report` must read it as part of the record, not count it an unreadable line (every
 *   record of another namespace's socket was one).
 * - A listener closed while a connection waits in its accept queue: the kernel's notice that the
 *   waiting socket was destroyed (reset by the listener's close: its peer port is 0 by then) is
 *   not a listener of its own; PR-PORTS must hold one listen line and one close line for the port,
 *   not a second listener "seen between looks" of no process.
 * - A namespace that gains a name while the monitor runs (`ip netns attach`, a name that sorts
 *   before its own): its listener, listed at start-up under the old label, must be seen closing
 *   by `portset report`, where it was in use for the whole window (its close was logged under the
 *   new label, which no line of the old paired with).
 */

import assert from "node:assert/strict";
import { makeEndpoint } from "./support/endpoints.ts";
import { formatPidsRecord, PidsLogReader } from "../port_reporter/pids_log.ts";
import type { LogProblem } from "../port_reporter/layout.ts";
import { holdSockets, Namespace, namespaceUnavailable } from "./support/netns.ts";
import { pollUntil } from "./support/poll.ts";
import { exists, runCli, startMonitor, SYSTEM_PYTHON } from "./support/processes.ts";
import { portsLines } from "./support/port_reporter_logs.ts";

const unavailable = namespaceUnavailable() ??
  (exists(SYSTEM_PYTHON) ? null : "needs Debian's python3 (apt-get install python3)");
if (unavailable) console.error(`netns_logs_test.ts: skipped: ${unavailable}`);

Deno.test("a PR-PIDS record of another namespace's socket reads back with no unreadable line", () => {
  const endpoint = makeEndpoint({
    localAddress: "127.0.0.1",
    localPort: 47501,
    pid: 4242,
    process: "python3",
    path: "/usr/bin/python3",
    inode: 1234,
    netns: { inode: 4026532281, name: "blue", container: null, current: false },
  });
  const text = formatPidsRecord(new Date(), { kind: "listen", endpoint }, 1, undefined, [endpoint]);
  assert.match(text, /\nNetwork namespace: blue\n/);
  const problems: LogProblem[] = [];
  const records: unknown[] = [];
  const reader = new PidsLogReader((record) => records.push(record), (p) => problems.push(p));
  text.split("\n").forEach((line, index) => reader.push(line, index + 1));
  reader.finish();
  assert.equal(records.length, 1);
  assert.deepEqual(problems, [], `unreadable lines of portset's own record:\n${text}`);
  assert.equal((records[0] as { namespace: string | null }).namespace, "blue");
});

const ACCEPT_QUEUE_CLOSE = new URL("./fixtures/accept_queue_close.py", import.meta.url).pathname;

Deno.test({
  name: "a listener closed with a connection in its accept queue logs no phantom listener",
  ignore: unavailable !== null,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "portset-attack-" });
    const logs = `${dir}/logs`;
    try {
      await using monitor = await startMonitor(logs);
      await using namespace = await Namespace.create("acceptq");
      // A listener, a connection it never accepts, the client's end closed, the listener closed.
      const holder = namespace.start("acceptq.py", [SYSTEM_PYTHON, ACCEPT_QUEUE_CLOSE]);
      const ready = await pollUntil(
        () => holder.log.includes("closed") ? holder.log : undefined,
        { deadlineMs: 20_000 },
      );
      const { port } = JSON.parse(ready!.split("\n").find((line) => line.startsWith("{"))!);
      // The look after the close, and one more.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const run = await monitor.stop("SIGTERM");
      assert.equal(run.code, 0, run.stderr);
      const listenerLines = portsLines(logs).filter((line) =>
        line.includes(`,TCP,${port},127.0.0.1,,0.0.0.0,`) && line.endsWith(`,${namespace.name}`)
      );
      // What happened: one listener, listening then closed.
      assert.deepEqual(
        listenerLines.map((line) => line.split(",").slice(10, 12).join(",")),
        ["LISTENING,listen", "LISTENING,close"],
        `listener lines for port ${port}:\n${portsLines(logs).join("\n")}`,
      );
      // And the report reads every line the monitor wrote.
      const report = await runCli(["report", logs, "--json"]);
      assert.equal(report.code, 0, report.stderr);
      const json = JSON.parse(report.stdout);
      assert.deepEqual(json.problems, [], "the report's unreadable lines");
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

async function ip(...args: string[]): Promise<void> {
  const out = await new Deno.Command("ip", { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`ip ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
}

Deno.test({
  name: "a listener whose namespace gains a name mid-run is seen closing by the report",
  ignore: unavailable !== null,
  async fn() {
    const dir = Deno.makeTempDirSync({ prefix: "portset-attack-" });
    const logs = `${dir}/logs`;
    await using namespace = await Namespace.create("relabel");
    // Sorts before the namespace's own name, so it becomes the namespace's label.
    const alias = namespace.name.replace(/-relabel-.*/, `-0relabel-${Deno.pid}`);
    let attached = false;
    try {
      const held = await holdSockets(namespace, ["tcp/127.0.0.1/0"]);
      const port = Number(held.keys[0].split("/")[2]);
      await using monitor = await startMonitor(logs);
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await ip("netns", "attach", alias, String(held.pid));
      attached = true;
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      await held.stop();
      await pollUntil(
        () => portsLines(logs).find((line) => line.includes(`,TCP,${port},`)),
        { deadlineMs: 10_000 },
      );
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const run = await monitor.stop("SIGTERM");
      assert.equal(run.code, 0, run.stderr);
      const report = await runCli(["report", logs, "--json"]);
      assert.equal(report.code, 0, report.stderr);
      const json = JSON.parse(report.stdout);
      const row = json.ports.find((p: { transport: string; port: number }) =>
        p.transport === "tcp" && p.port === port
      );
      assert.ok(row, `port ${port} not in the report`);
      // It closed some seconds before the monitor stopped: not in use the whole window.
      assert.ok(
        row.seconds < json.window.seconds,
        `port ${port} in use ${row.seconds} s of a ${json.window.seconds} s window:\n` +
          portsLines(logs).filter((line) => line.includes(`,${port},`)).join("\n"),
      );
    } finally {
      if (attached) await ip("netns", "del", alias);
      Deno.removeSync(dir, { recursive: true });
    }
  },
});
