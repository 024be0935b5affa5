/**
 * `-wport` and `-wpid` end to end: a real watcher process, real sockets, deadlines not sleeps.
 */

import assert from "node:assert/strict";
import {
  runCli,
  RunningCli,
  startDenoListener,
  startOwnerTurns,
  SYSTEM_PYTHON,
} from "./support/processes.ts";
import { TestSockets } from "./support/sockets.ts";

Deno.test("-wport reports a new connection and its state change, and stops cleanly on SIGINT", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.65");
  const directory = Deno.makeTempDirSync();
  try {
    const log = `${directory}/watch.log`;
    await using watcher = new RunningCli(["-wport", String(listener.port), "-wt", "1", "-l", log]);
    // The port's number is the test's on 127.0.0.65 only: other processes' sockets may have it
    // on other addresses, and come and go meanwhile.
    await watcher.waitFor(/starting state: \d+ sockets?\n/);
    assert.match(watcher.output, /watching local port \d+ \(TCP and UDP\)/);
    await watcher.waitFor(
      new RegExp(`${Deno.pid}:deno +TCP ${listener.port} +127\\.0\\.0\\.65 +LISTENING`),
    );

    const client = sockets.tcpConnect("127.0.0.65", listener.port);
    const accepted = sockets.accept(listener.fd);
    await watcher.waitFor(
      new RegExp(
        `\\+ connect +TCP ${listener.port} +127\\.0\\.0\\.65 +ESTABLISHED +127\\.0\\.0\\.1:${client.port} +${Deno.pid}:deno`,
      ),
    );

    sockets.close(client.fd);
    await watcher.waitFor(
      new RegExp(`~ state +TCP ${listener.port} +127\\.0\\.0\\.65 .*ESTABLISHED -> CLOSE_WAIT`),
    );
    sockets.close(accepted);

    const run = await watcher.stop("SIGINT");
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /portset stopped watching at .* \(SIGINT\); \d+ changes seen\n$/);
    assert.equal(Deno.readTextFileSync(log), run.stdout, "the log holds the whole watch");
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});

Deno.test("-wpid reports the process's new listener and connection; SIGTERM stops it cleanly", async () => {
  using sockets = new TestSockets();
  await using watcher = new RunningCli(["-wpid", String(Deno.pid), "-wt", "1"]);
  await watcher.waitFor(new RegExp(`watching process ${Deno.pid} \\(`));
  await watcher.waitFor(/starting state/);
  const listener = sockets.tcpListen("127.0.0.66");
  await watcher.waitFor(
    new RegExp(`\\+ listen +TCP ${listener.port} +127\\.0\\.0\\.66 +LISTENING`),
  );
  const client = sockets.tcpConnect("127.0.0.66", listener.port);
  await watcher.waitFor(
    // The kernel gives a client of 127.0.0.66 the source address 127.0.0.1.
    new RegExp(
      `\\+ connect +TCP ${client.port} +127\\.0\\.0\\.1 +ESTABLISHED +127\\.0\\.0\\.66:${listener.port}`,
    ),
  );
  const run = await watcher.stop("SIGTERM");
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /\(SIGTERM\); \d+ changes seen\n$/);
});

Deno.test("-wpid ends when the process exits; --json gives start, change and end records", async () => {
  const child = await startDenoListener("127.0.0.67");
  await using watcher = new RunningCli(["-wpid", String(child.pid), "-wt", "1", "--json"]);
  await watcher.waitFor(/"event":"start"/);
  await child.close();
  const run = await watcher.finished();
  assert.equal(run.code, 0, run.stderr);
  const records = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
  assert.equal(records[0].event, "start");
  assert.equal(records[0].endpoints[0].localPort, child.ready.port);
  assert.deepEqual(records.at(-1), {
    time: records.at(-1).time,
    event: "end",
    reason: `process ${child.pid} exited`,
    changes: records.length - 2,
  });
  assert.ok(
    records.some((r) =>
      r.event === "change" && r.change === "close" && r.endpoint.localPort === child.ready.port
    ),
    "the listener's close is reported",
  );
});

Deno.test("watch errors: a missing PID, an unwritable log, bad intervals: one line, exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["-wpid", "4194000"], /^portset: no process with PID 4194000\n$/],
    [
      ["-wport", "80", "-l", "/nonexistent-dir/watch.log"],
      /^portset: cannot write \/nonexistent-dir\/watch\.log: its directory does not exist\n$/,
    ],
    [
      ["-wport", "80", "-wt", "0"],
      /^portset: -wt SECONDS must be a whole number from 1 to 1200, not '0'\n$/,
    ],
    [["-wport", "80", "-wt", "1201"], /from 1 to 1200/],
    [["-wport", "80", "--csv"], /--csv does not go with -wport or -wpid/],
  ];
  for (const [args, pattern] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.match(run.stderr, pattern);
  }
});

Deno.test("-wpid ends when its process exits though another is given its pid: the newcomer's listener is not reported", async () => {
  const directory = Deno.makeTempDirSync({ prefix: "portset-reuse-" });
  try {
    // Another program, so that the newcomer cannot pass for the watched process by name either.
    const program = `${directory}/newcomer`;
    Deno.copyFileSync(SYSTEM_PYTHON, program);
    Deno.chmodSync(program, 0o755);
    await using turns = await startOwnerTurns("reuse", "127.0.0.76", program);
    await using watcher = new RunningCli(["-wpid", String(turns.first.pid), "-wt", "1", "--json"]);
    await watcher.waitFor(/"event":"start"/);
    const newcomer = await turns.next();
    assert.equal(newcomer.pid, turns.first.pid, "the kernel gave the watched pid to the newcomer");
    // Before the fix the watch followed the newcomer, until it exited too (stdin closed).
    await watcher.waitFor(/"event":"end"/, 10_000);
    const run = await watcher.finished();
    assert.equal(run.code, 0, run.stderr);
    const records = run.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
    assert.equal(records.at(-1).reason, `process ${turns.first.pid} exited`);
    const changes = records.filter((r) => r.event === "change");
    assert.ok(
      changes.some((c) => c.change === "close" && c.endpoint.localPort === turns.first.port),
      `the watched listener's close is reported: ${run.stdout}`,
    );
    assert.ok(
      !changes.some((c) => c.endpoint.localPort === newcomer.port),
      `the newcomer's listener is not the watched process's: ${run.stdout}`,
    );
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});
