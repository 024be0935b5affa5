/**
 * `portset monitor` end to end: a real monitor process, real sockets, deadlines not sleeps.
 */

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { PORTS_FIELDS } from "../port_reporter/layout.ts";
import {
  runCli,
  RunningCli,
  startMonitor,
  startOwnerTurns,
  SYSTEM_PYTHON,
} from "./support/processes.ts";
import { pollUntil } from "./support/poll.ts";
import { TestSockets } from "./support/sockets.ts";

/** Every PR-PORTS data line in `directory` (files in name order), or in its file `only`. */
function portsLines(directory: string, only?: string): string[] {
  return files(directory, only ?? "PR-PORTS-").flatMap((name) => {
    const text = Deno.readTextFileSync(`${directory}/${name}`);
    const lines = text.split("\n");
    return lines.slice(lines.indexOf(PORTS_FIELDS) + 1, -1).filter((line) => /^\d/.test(line));
  });
}

function files(directory: string, prefix: string): string[] {
  try {
    return [...Deno.readDirSync(directory)].map((e) => e.name).filter((n) => n.startsWith(prefix))
      .sort();
  } catch {
    return [];
  }
}

/** Waits, with a deadline, for a PR-PORTS line matching `pattern`. */
async function waitForLine(directory: string, pattern: RegExp): Promise<string> {
  const line = await pollUntil(() => portsLines(directory).find((l) => pattern.test(l)), {
    deadlineMs: 15_000,
  });
  assert.ok(line, `no PR-PORTS line matching ${pattern}:\n${portsLines(directory).join("\n")}`);
  return line;
}

function withDirectory(): { path: string } & Disposable {
  const root = Deno.makeTempDirSync({ prefix: "portset-monitor-" });
  return {
    path: `${root}/logs`,
    [Symbol.dispose]: () => Deno.removeSync(root, { recursive: true }),
  };
}

Deno.test("the monitor logs a listener within two ticks with its pid, a connection, its state change, the close", async () => {
  using logs = withDirectory();
  using sockets = new TestSockets();
  await using monitor = await startMonitor(logs.path);
  assert.equal(Deno.statSync(logs.path).mode! & 0o777, 0o700);
  assert.equal(files(logs.path, "PR-INITIAL-").length, 1);

  const listener = sockets.tcpListen("127.0.0.84");
  const opened = Date.now();
  const listen = await waitForLine(
    logs.path,
    new RegExp(
      `,TCP,${listener.port},127\\.0\\.0\\.84,,0\\.0\\.0\\.0,${Deno.pid},deno,<[^>]+>,LISTENING,listen,\\d+,$`,
    ),
  );
  assert.ok(Date.now() - opened < 2_500 + 1_000, "within two ticks (and a start-up's margin)");
  assert.match(listen, /^\d{4}-\d\d-\d\d,\d\d:\d\d:\d\d,/);

  const client = sockets.tcpConnect("127.0.0.84", listener.port);
  const accepted = sockets.accept(listener.fd);
  await waitForLine(
    logs.path,
    new RegExp(
      `,TCP,${listener.port},127\\.0\\.0\\.84,${client.port},127\\.0\\.0\\.1,${Deno.pid},deno,.*,ESTABLISHED,connect,`,
    ),
  );
  sockets.close(client.fd);
  await waitForLine(
    logs.path,
    new RegExp(`,TCP,${listener.port},127\\.0\\.0\\.84,${client.port},.*,CLOSE_WAIT,state,`),
  );
  sockets.close(accepted);
  sockets.close(listener.fd);
  await waitForLine(
    logs.path,
    new RegExp(`,TCP,${listener.port},127\\.0\\.0\\.84,,0\\.0\\.0\\.0,.*,LISTENING,close,`),
  );

  const run = await monitor.stop("SIGINT");
  assert.equal(run.code, 0, run.stderr);
  const stopLine = /monitor stopped \(SIGINT\): (\d+) changes? logged, in \d+ looks?\n/.exec(
    run.stderr,
  );
  assert.ok(stopLine, run.stderr);

  // Every line has its PR-PIDS record, in the PR-PIDS file of its PR-PORTS file's pair (a busy
  // host's changes may have filled more than one pair).
  const pids = files(logs.path, "PR-PIDS-");
  const ports = files(logs.path, "PR-PORTS-");
  assert.deepEqual(
    pids.map((name) => name.replace("PR-PIDS-", "")),
    ports.map((name) => name.replace("PR-PORTS-", "")),
  );
  for (const [i, name] of pids.entries()) {
    const records = [
      ...Deno.readTextFileSync(`${logs.path}/${name}`).matchAll(/^Log number: (\d+)$/gm),
    ].map((m) => Number(m[1]));
    const lines = portsLines(logs.path, ports[i]);
    // The record number, before the namespace (empty: the host's).
    assert.deepEqual(records, lines.map((line) => Number(line.split(",").at(-2))), name);
  }
  assert.equal(
    Number(stopLine[1]),
    ports.reduce((sum, name) => sum + portsLines(logs.path, name).length, 0),
    "the stop line counts the changes logged: the PR-PORTS lines",
  );
});

Deno.test("a listener that opens and closes between two looks is still logged (destroy notifications)", async () => {
  using logs = withDirectory();
  await using monitor = new RunningCli(["monitor", "--log-dir", logs.path, "--interval", "3"]);
  await monitor.waitForError(/portset: monitoring every 3 s/);
  using sockets = new TestSockets();
  const brief = sockets.tcpListen("127.0.0.88");
  sockets.close(brief.fd); // well within one interval
  await waitForLine(
    logs.path,
    new RegExp(`,TCP,${brief.port},127\\.0\\.0\\.88,,0\\.0\\.0\\.0,.*,LISTENING,listen,`),
  );
  await waitForLine(logs.path, new RegExp(`,TCP,${brief.port},127\\.0\\.0\\.88,.*,close,`));
  assert.equal((await monitor.stop()).code, 0);
});

Deno.test("a restart writes new files and leaves the old ones as they were; SIGKILL leaves whole lines", async () => {
  using logs = withDirectory();
  using sockets = new TestSockets();
  {
    await using first = new RunningCli(["monitor", "--log-dir", logs.path, "--interval", "1"]);
    await first.waitForError(/portset: monitoring every 1 s/);
    const listener = sockets.tcpListen("127.0.0.85");
    await waitForLine(logs.path, new RegExp(`,TCP,${listener.port},127\\.0\\.0\\.85,`));
    for (let i = 0; i < 20; i++) sockets.udp("127.0.0.85"); // keep it writing
    await first.stop("SIGKILL");
  }
  for (const name of files(logs.path, "PR-")) {
    const text = Deno.readTextFileSync(`${logs.path}/${name}`);
    assert.ok(text.endsWith("\n"), `${name} ends with a whole line after SIGKILL`);
    assert.doesNotMatch(text, /Service stopped at/, "a killed monitor writes no stop record");
  }
  for (const line of portsLines(logs.path)) assert.equal(line.split(",").length, 14, line);

  const before = new Map(
    files(logs.path, "PR-").map((n) => [n, Deno.readTextFileSync(`${logs.path}/${n}`)]),
  );
  await using second = new RunningCli(["monitor", "--log-dir", logs.path, "--interval", "1"]);
  await second.waitForError(/portset: monitoring every 1 s/);
  const listener = sockets.tcpListen("127.0.0.85");
  await waitForLine(logs.path, new RegExp(`,TCP,${listener.port},127\\.0\\.0\\.85,.*,listen,`));
  assert.equal((await second.stop("SIGTERM")).code, 0);
  for (const [name, text] of before) {
    assert.equal(
      Deno.readTextFileSync(`${logs.path}/${name}`),
      text,
      `${name} untouched by the restart`,
    );
  }
  assert.equal(files(logs.path, "PR-INITIAL-").length, 2);
  // The second run was stopped, and its PR-PORTS and PR-PIDS say so in their last line.
  const stopped = [...files(logs.path, "PR-PORTS-"), ...files(logs.path, "PR-PIDS-")]
    .filter((name) => !before.has(name))
    .map((name) => Deno.readTextFileSync(`${logs.path}/${name}`).trimEnd().split("\n").at(-1));
  assert.equal(stopped.length, 2);
  for (const line of stopped) {
    assert.match(line!, /^Service stopped at: \d{4}-\d\d-\d\d,\d\d:\d\d:\d\d \(SIGTERM\)$/);
  }
});

Deno.test("rotation by size from the command line: every change still logged once", async () => {
  using logs = withDirectory();
  using sockets = new TestSockets();
  await using monitor = new RunningCli([
    "monitor",
    "--log-dir",
    logs.path,
    "--interval",
    "1",
    "--max-size",
    "1K",
  ]);
  await monitor.waitForError(/portset: monitoring every 1 s/);
  const ports = Array.from({ length: 6 }, () => sockets.udp("127.0.0.86").port);
  for (const port of ports) {
    await waitForLine(logs.path, new RegExp(`,UDP,${port},127\\.0\\.0\\.86,\\*,\\*,.*,bind,`));
  }
  assert.equal((await monitor.stop()).code, 0);
  assert.ok(files(logs.path, "PR-PORTS-").length > 1, "rotated");
  // The test's own sockets only: other processes may bind on 127.0.0.86 meanwhile.
  const binds = portsLines(logs.path).filter((line) =>
    ports.some((port) => line.includes(`,UDP,${port},127.0.0.86,`))
  );
  assert.equal(binds.length, ports.length, "each change logged once");
});

Deno.test("real-time rule: Created and Deleted events as JSON lines, and the same to a syslog server", async () => {
  const rulePath = Deno.makeTempFileSync({ suffix: ".xml" });
  Deno.writeTextFileSync(
    rulePath,
    `<PortSet onChange="true"><include key="*/127.0.0.87/*"/></PortSet>`,
  );
  const server = createSocket("udp4");
  const received: string[] = [];
  server.on("message", (message) => received.push(new TextDecoder().decode(message)));
  await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
  try {
    using sockets = new TestSockets();
    const syslog = `udp://127.0.0.1:${server.address().port}`;
    await using monitor = new RunningCli([
      "monitor",
      "--rule",
      rulePath,
      "--interval",
      "1",
      "--jsonl",
      "--syslog",
      syslog,
    ]);
    await monitor.waitForError(/portset: monitoring every 1 s, rule .* \(real time\)/);
    const listener = sockets.tcpListen("127.0.0.87");
    const created = await monitor.waitFor(
      new RegExp(
        `\\{"event":"change","time":"[^"]+","change":"Created","key":"tcp/127\\.0\\.0\\.87/${listener.port}".*\\n`,
      ),
    );
    const event = JSON.parse(created[0]);
    assert.equal(event.attributes.ProcessId, Deno.pid);
    sockets.close(listener.fd);
    await monitor.waitFor(
      new RegExp(`"change":"Deleted","key":"tcp/127\\.0\\.0\\.87/${listener.port}"`),
    );
    // The test's listener's messages: other processes' listeners on 127.0.0.87 may come and go.
    const key = `"key":"tcp/127.0.0.87/${listener.port}"`;
    const arrived = await pollUntil(() => {
      const mine = received.filter((message) => message.includes(key));
      return mine.length >= 2 ? mine : undefined;
    });
    assert.ok(arrived, `two syslog messages about ${key}: ${received.join("\n")}`);
    assert.match(
      arrived[0],
      /^<108>1 \d{4}-\d\d-\d\dT[\d:.]+Z \S+ portset \d+ PortSet-Created \[portset@32473 version="[^"]+"\] \{"event":"change","time":"[^"]+","change":"Created"/,
    );
    assert.match(arrived[1], /^<109>1 .* PortSet-Deleted /);
    assert.equal((await monitor.stop()).code, 0);
  } finally {
    server.close();
    Deno.removeSync(rulePath);
  }
});

Deno.test("real-time rule as text: each event line starts with its time; the stop line counts the events", async () => {
  const rulePath = Deno.makeTempFileSync({ suffix: ".xml" });
  Deno.writeTextFileSync(
    rulePath,
    `<PortSet onChange="true"><include key="*/127.0.0.86/*"/></PortSet>`,
  );
  try {
    using sockets = new TestSockets();
    await using monitor = new RunningCli(["monitor", "--rule", rulePath, "--interval", "1"]);
    await monitor.waitForError(/portset: monitoring every 1 s, rule .* \(real time\)/);
    const before = Date.now();
    const listener = sockets.tcpListen("127.0.0.86");
    const key = `tcp/127\\.0\\.0\\.86/${listener.port}`;
    const [created, time] = await monitor.waitFor(
      new RegExp(
        `^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) Created ${key}  .*\\n`,
        "m",
      ),
    );
    const seen = Date.parse(time);
    assert.ok(seen >= before - 1000 && seen <= Date.now(), `${created}: a time of this run`);
    sockets.close(listener.fd);
    await monitor.waitFor(new RegExp(`^\\S+Z Deleted ${key}`, "m"));
    const run = await monitor.stop("SIGTERM");
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /No changes/, "a stream says nothing when nothing changed");
    const events = run.stdout.split("\n").filter((line) => line !== "").length;
    assert.match(
      run.stderr,
      new RegExp(`monitor stopped \\(SIGTERM\\): ${events} rule events?, in \\d+ looks?\\n`),
    );
  } finally {
    Deno.removeSync(rulePath);
  }
});

Deno.test("syslog over TCP: RFC 5424 messages framed by octet counting", async () => {
  const rulePath = Deno.makeTempFileSync({ suffix: ".xml" });
  Deno.writeTextFileSync(
    rulePath,
    `<PortSet onChange="true"><include key="*/127.0.0.89/*"/></PortSet>`,
  );
  using server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    using sockets = new TestSockets();
    const syslog = `tcp://127.0.0.1:${(server.addr as Deno.NetAddr).port}`;
    await using monitor = new RunningCli([
      "monitor",
      "--rule",
      rulePath,
      "--interval",
      "1",
      "--cef",
      "--syslog",
      syslog,
    ]);
    const connection = await server.accept();
    await monitor.waitForError(/portset: monitoring every 1 s/);
    const listener = sockets.tcpListen("127.0.0.89");
    // Read frames, "LENGTH MESSAGE" with LENGTH in bytes, until the one about the test's
    // listener: other processes' listeners on 127.0.0.89 may come and go first. Each must be
    // a whole syslog message.
    const decoder = new TextDecoder();
    let buffered = new Uint8Array(0);
    const reader = connection.readable.getReader();
    const frame = await pollUntil(async () => {
      const { value } = await reader.read();
      if (value) {
        const joined = new Uint8Array(buffered.length + value.length);
        joined.set(buffered);
        joined.set(value, buffered.length);
        buffered = joined;
      }
      for (let space; (space = buffered.indexOf(0x20)) >= 0;) {
        const length = decoder.decode(buffered.subarray(0, space));
        assert.match(length, /^[1-9]\d*$/, decoder.decode(buffered.subarray(0, 200)));
        const end = space + 1 + Number(length);
        if (buffered.length < end) break;
        const message = decoder.decode(buffered.subarray(space + 1, end));
        buffered = buffered.subarray(end);
        assert.match(message, /^<\d+>1 /, "a frame holds one whole syslog message");
        if (new RegExp(`dpt=${listener.port}(\\s|$)`).test(message)) return message;
      }
      return undefined;
    });
    assert.ok(frame, `a frame about port ${listener.port}`);
    assert.match(
      frame,
      /^<108>1 \S+ \S+ portset \d+ PortSet-Created \[portset@32473 version="[^"]+"\] CEF:0\|portset\|portset\|/,
    );
    assert.match(frame, new RegExp(`dpt=${listener.port}`));
    assert.equal((await monitor.stop()).code, 0);
    await reader.cancel(); // and with it the connection, which the monitor's exit has ended
  } finally {
    Deno.removeSync(rulePath);
  }
});

Deno.test("portset never reports itself: its syslog connection is in no log, its process in no record", async () => {
  using logs = withDirectory();
  const rulePath = Deno.makeTempFileSync({ suffix: ".xml" });
  Deno.writeTextFileSync(rulePath, `<PortSet onChange="true"><include key="*"/></PortSet>`);
  using server = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    using sockets = new TestSockets();
    await using monitor = new RunningCli([
      "monitor",
      "--log-dir",
      logs.path,
      "--rule",
      rulePath,
      "--interval",
      "1",
      "--jsonl",
      "--syslog",
      `tcp://127.0.0.1:${(server.addr as Deno.NetAddr).port}`,
    ]);
    // The monitor connects before its first look: the connection is in the start-up snapshot's
    // sockets, unless it leaves itself out.
    using connection = await server.accept();
    const monitorPort = (connection.remoteAddr as Deno.NetAddr).port;
    const serverPort = (server.addr as Deno.NetAddr).port;
    await monitor.waitForError(/portset: monitoring every 1 s/);
    // Something to log, owned by this test's process, so the logs are not empty by chance.
    const listener = sockets.tcpListen("127.0.0.78");
    await waitForLine(logs.path, new RegExp(`,TCP,${listener.port},127\\.0\\.0\\.78,`));
    assert.equal((await monitor.stop("SIGTERM")).code, 0);

    const text = (prefix: string) =>
      files(logs.path, prefix).map((name) => Deno.readTextFileSync(`${logs.path}/${name}`))
        .join("");
    const initial = text("PR-INITIAL-");
    assert.match(initial, /\d+ mappings found/);
    assert.doesNotMatch(initial, new RegExp(`\\n${monitor.pid}:`), "not in the start-up table");
    // The connection by both its ports: other processes' sockets may have either port number
    // on other addresses. The server's end, the test's, is there; the monitor's end is not.
    const row = (local: number, peer: number) =>
      new RegExp(`TCP ${local} +127\\.0\\.0\\.1 +ESTABLISHED +127\\.0\\.0\\.1:${peer}\\n`);
    assert.match(initial, row(serverPort, monitorPort), "the syslog server's end");
    assert.doesNotMatch(initial, row(monitorPort, serverPort), "its syslog connection");
    for (const log of [initial, text("PR-PIDS-")]) {
      assert.doesNotMatch(log, new RegExp(`Process ID: ${monitor.pid} `), "no block of its own");
    }
    for (const line of portsLines(logs.path)) {
      const fields = line.split(",");
      assert.notEqual(fields[7], String(monitor.pid), line);
      assert.notDeepEqual([fields[3], fields[5]], [`${monitorPort}`, `${serverPort}`], line);
    }
    assert.doesNotMatch(monitor.output, new RegExp(`"ProcessId":${monitor.pid}\\b`));
  } finally {
    Deno.removeSync(rulePath);
  }
});

Deno.test("monitor errors: one line, exit code 2", async () => {
  const file = Deno.makeTempFileSync();
  const rule = Deno.makeTempFileSync({ suffix: ".xml" });
  Deno.writeTextFileSync(rule, `<PortSet><include key="*/*/1"/></PortSet>`);
  const shared = Deno.makeTempDirSync();
  Deno.chmodSync(shared, 0o777);
  try {
    const cases: [string[], RegExp][] = [
      [["monitor"], /needs --log-dir DIR .*--rule RULE\.xml/],
      [["monitor", "--log-dir", file], /is not a directory/],
      [
        ["monitor", "--log-dir", "/proc/portset-logs"],
        /cannot create log directory \/proc\/portset-logs/,
      ],
      [
        ["monitor", "--log-dir", "/tmp/x", "--interval", "0"],
        /--interval SECONDS must be a whole number from 1 to 3600/,
      ],
      [
        ["monitor", "--log-dir", "/tmp/x", "--max-size", "12Q"],
        /--max-size SIZE must be from 1K to 1G/,
      ],
      [
        ["monitor", "--log-dir", "/tmp/x", "--syslog", "udp://127.0.0.1:514"],
        /--syslog sends rule events: it goes with --rule/,
      ],
      [
        ["monitor", "--rule", "/nonexistent.xml"],
        /nonexistent\.xml: cannot read the rule file: no such file/,
      ],
      // The CA file is named as what it is, not as an unreachable server.
      [
        ["monitor", "--rule", rule, "--syslog", "tls://127.0.0.1:6514", "--syslog-ca", "/none.pem"],
        /--syslog-ca: \/none\.pem: cannot read the CA file: no such file/,
      ],
      [
        ["monitor", "--rule", rule, "--syslog", "tls://127.0.0.1:6514", "--syslog-ca", "/dev/zero"],
        /--syslog-ca: \/dev\/zero: cannot read the CA file: it is a device/,
      ],
      [
        ["monitor", "--rule", rule, "--syslog", "tcp://127.0.0.1:9", "--syslog-queue", "/proc/q"],
        /--syslog-queue: cannot open the queue in \/proc\/q/,
      ],
      // Another user could add events to a queue in a directory they can write.
      [
        ["monitor", "--rule", rule, "--syslog", "tcp://127.0.0.1:9", "--syslog-queue", shared],
        /--syslog-queue: .* is writable by its group and every user \(mode 0777\)/,
      ],
    ];
    for (const [args, pattern] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
      const lines = run.stderr.trimEnd().split("\n").filter((l) =>
        !l.startsWith("portset: monitoring")
      );
      assert.equal(lines.length, 1, run.stderr);
      assert.match(lines[0], pattern);
    }
  } finally {
    Deno.removeSync(file);
    Deno.removeSync(rule);
    Deno.removeSync(shared, { recursive: true });
  }
});

Deno.test("an owner that execs another program, or a pid given to another process, is logged as the program it now is", async () => {
  using logs = withDirectory();
  const root = logs.path.slice(0, logs.path.lastIndexOf("/"));
  const program = `${root}/renamed`; // a copy of python3: another name and another path
  Deno.copyFileSync(SYSTEM_PYTHON, program);
  Deno.chmodSync(program, 0o755);
  await using monitor = new RunningCli(["monitor", "--log-dir", logs.path, "--interval", "1"]);
  await monitor.waitForError(/portset: monitoring every 1 s/);
  using sockets = new TestSockets();

  // The same process, its listener kept, exec'd into another program.
  await using execs = await startOwnerTurns("exec", "127.0.0.77", program);
  const { pid, port } = execs.first;
  await waitForLine(
    logs.path,
    new RegExp(`,TCP,${port},127\\.0\\.0\\.77,,0\\.0\\.0\\.0,${pid},python3,`),
  );
  await execs.next();
  const client = sockets.tcpConnect("127.0.0.77", port);
  // Before the fix the kept record named it python3 for as long as it held a socket.
  const accepted = await waitForLine(
    logs.path,
    new RegExp(
      `,TCP,${port},127\\.0\\.0\\.77,${client.port},127\\.0\\.0\\.1,${pid},[^,]*,.*,connect,`,
    ),
  );
  assert.match(accepted, new RegExp(`,${pid},renamed,<[^>]+>,ESTABLISHED,connect,`));
  assert.match(pidsRecordOf(logs.path, accepted), new RegExp(`^Path: ${program}$`, "m"));

  // Another process given the number of one that exited.
  await using reuse = await startOwnerTurns("reuse", "127.0.0.78", program);
  await waitForLine(
    logs.path,
    new RegExp(
      `,TCP,${reuse.first.port},127\\.0\\.0\\.78,,0\\.0\\.0\\.0,${reuse.first.pid},python3,`,
    ),
  );
  const newcomer = await reuse.next();
  assert.equal(newcomer.pid, reuse.first.pid, "the kernel gave the number again");
  const listen = await waitForLine(
    logs.path,
    new RegExp(`,TCP,${newcomer.port},127\\.0\\.0\\.78,,0\\.0\\.0\\.0,.*,listen,`),
  );
  assert.match(listen, new RegExp(`,${newcomer.pid},renamed,<[^>]+>,LISTENING,listen,`));
  assert.equal((await monitor.stop()).code, 0);
});

/** The PR-PIDS record of PR-PORTS `line` (its record number, in the files of the same stamp). */
function pidsRecordOf(directory: string, line: string): string {
  const record = line.split(",").at(-2);
  for (const name of files(directory, "PR-PORTS-")) {
    if (!portsLines(directory, name).includes(line)) continue;
    const pids = Deno.readTextFileSync(`${directory}/${name.replace("PR-PORTS-", "PR-PIDS-")}`);
    const start = pids.indexOf(`\nLog number: ${record}\n`);
    const end = pids.indexOf("\nLog number: ", start + 1);
    return pids.slice(start, end < 0 ? undefined : end);
  }
  throw new Error(`no PR-PORTS file holds ${line}`);
}
