/**
 * The CLI end to end, as a user runs it: `portset -local` in its three formats, the log file, the
 * errors, and an unprivileged run.
 */

import assert from "node:assert/strict";
import { CSV_COLUMNS } from "../outputs/csv.ts";
import {
  exists,
  isRoot,
  portsetCommand,
  REPO_ROOT,
  runCli,
  RunningCli,
  startPythonHolder,
  SYSTEM_PYTHON,
} from "./support/processes.ts";
import { TestSockets } from "./support/sockets.ts";

/** Asserts a failure is one line on stderr with the given exit code, and no stack trace. */
function assertOneLineError(
  run: { code: number; stdout: string; stderr: string },
  code: number,
  pattern: RegExp,
) {
  assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`);
  const lines = run.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line on stderr, got: ${run.stderr}`);
  assert.match(lines[0], /^portset: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, "no stack trace");
  assert.equal(run.stdout, "");
}

Deno.test("-local --json: one object with an endpoints array in the contract's field names", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.1");
  const run = await runCli(["-local", "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.ok(Array.isArray(report.endpoints));
  const mine = report.endpoints.filter((e: { localAddress: string; localPort: number }) =>
    e.localAddress === "127.0.0.1" && e.localPort === listener.port
  );
  assert.equal(mine.length, 1);
  for (
    const field of [
      "protocol",
      "localAddress",
      "localPort",
      "remoteAddress",
      "remotePort",
      "state",
      "pid",
      "process",
      "path",
      "user",
    ]
  ) {
    assert.ok(field in mine[0], `field ${field}`);
  }
  assert.deepEqual(
    [
      mine[0].protocol,
      mine[0].localAddress,
      mine[0].remoteAddress,
      mine[0].remotePort,
      mine[0].state,
    ],
    ["tcp", "127.0.0.1", null, null, "LISTENING"],
  );
  assert.equal(mine[0].pid, Deno.pid);
  assert.equal(mine[0].key, `tcp/127.0.0.1/${listener.port}`);
  assert.equal("owners" in mine[0], false, "owners only when several processes hold the socket");
  const process = report.processes.find((p: { pid: number }) => p.pid === Deno.pid);
  assert.equal(process?.process, "deno");
});

Deno.test({
  name: "-local --json lists owners when several processes hold a socket",
  ignore: !exists(SYSTEM_PYTHON),
  async fn() {
    await using holder = await startPythonHolder("fork-listen", "127.0.0.1");
    const report = JSON.parse((await runCli(["-local", "--json"])).stdout);
    const shared = report.endpoints.find((e: { localAddress: string; localPort: number }) =>
      e.localAddress === "127.0.0.1" && e.localPort === holder.ready.port
    );
    assert.deepEqual(shared.owners.map((o: { pid: number }) => o.pid), holder.ready.pids);
    assert.deepEqual(Object.keys(shared.owners[0]), ["pid", "process", "path", "user"]);
  },
});

Deno.test("-local: the PortQry report's sections, the listener's row and its process block", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.1");
  const udp = sockets.udp("::1");
  const run = await runCli(["-local", "-v"]);
  assert.equal(run.code, 0, run.stderr);
  const text = run.stdout;
  const sections = [
    "TCP/UDP Port Usage",
    "Port Statistics",
    "TCP/UDP Port to Process Mappings",
    "Port and Module Information by Process",
    "End of portset output",
  ];
  let at = 0;
  for (const section of sections) {
    const found = text.indexOf(section, at);
    assert.ok(found >= at, `section "${section}" in order`);
    at = found;
  }
  assert.match(text, /\d+ active ports found/);
  assert.match(
    text,
    new RegExp(`TCP ${listener.port} +127\\.0\\.0\\.1 +LISTENING +0\\.0\\.0\\.0:0`),
  );
  assert.match(text, new RegExp(`UDP6 ${udp.port} +::1 +\\*:\\*`));
  assert.match(text, new RegExp(`${Deno.pid}:deno +TCP ${listener.port} `));
  assert.match(text, /TCP ports in a LISTENING state: +\d+ = \d+\.\d\d%/);
  const start = text.indexOf(`Process ID: ${Deno.pid} (deno)`);
  assert.ok(start >= 0, "a block for this process");
  const next = text.indexOf("Process ID: ", start + 1);
  const block = text.slice(start, next < 0 ? undefined : next); // this process's block only
  assert.match(
    block,
    /Loaded modules:\n .*\/deno \(0x[0-9a-f]+\)/,
    "-v lists modules, the executable first",
  );
  assert.match(block, /libc\.so\.6 \(0x[0-9a-f]+\)/);
});

Deno.test("-local --csv: a header, then one line per endpoint in the column order", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.1");
  const run = await runCli(["-local", "--csv"]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trimEnd().split("\n");
  assert.equal(lines[0], CSV_COLUMNS.join(","));
  const row = lines.find((line) => line.startsWith(`tcp,127.0.0.1,${listener.port},`));
  assert.ok(row, "the listener's row");
  assert.equal(
    row.split(",").slice(0, 7).join(","),
    `tcp,127.0.0.1,${listener.port},,,LISTENING,${Deno.pid}`,
  );
});

Deno.test("-l FILE writes the report; an existing file needs -y", async () => {
  const directory = Deno.makeTempDirSync();
  const log = `${directory}/local.json`;
  try {
    const first = await runCli(["-local", "--json", "-l", log]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(Deno.readTextFileSync(log), first.stdout, "the log holds what was printed");

    Deno.writeTextFileSync(log, "keep me");
    assertOneLineError(await runCli(["-local", "--json", "-l", log]), 2, /exists; add -y/);
    assert.equal(Deno.readTextFileSync(log), "keep me", "refusing leaves the file alone");

    const forced = await runCli(["-local", "--json", "-l", log, "-y"]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(Deno.readTextFileSync(log), forced.stdout, "replaced by what this run printed");
    assert.deepEqual(
      [...Deno.readDirSync(directory)].map((e) => e.name),
      ["local.json"],
      "no temp files left",
    );

    assertOneLineError(
      await runCli(["-local", "-l", `${directory}/missing/dir.log`]),
      2,
      /cannot write .*dir\.log: its directory does not exist/,
    );
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});

Deno.test("-l and -y replace only a regular file, keeping its permissions", async () => {
  const directory = Deno.makeTempDirSync();
  try {
    const fifo = `${directory}/fifo`;
    assert.ok((await new Deno.Command("mkfifo", { args: [fifo] }).output()).success);
    assertOneLineError(
      await runCli(["-local", "-l", fifo, "-y"]),
      2,
      /it is a device, socket or FIFO, not a regular file/,
    );
    assert.ok(Deno.lstatSync(fifo).isFifo, "the FIFO is still a FIFO");

    Deno.writeTextFileSync(`${directory}/target`, "target");
    Deno.symlinkSync(`${directory}/target`, `${directory}/link`);
    assertOneLineError(
      await runCli(["-local", "-l", `${directory}/link`, "-y"]),
      2,
      /symbolic link/,
    );
    assert.ok(Deno.lstatSync(`${directory}/link`).isSymlink);

    assertOneLineError(await runCli(["-local", "-l", directory, "-y"]), 2, /it is a directory/);

    Deno.writeTextFileSync(`${directory}/private.log`, "old");
    Deno.chmodSync(`${directory}/private.log`, 0o600);
    const run = await runCli(["-local", "-l", `${directory}/private.log`, "-y"]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(Deno.readTextFileSync(`${directory}/private.log`), run.stdout);
    assert.equal(Deno.statSync(`${directory}/private.log`).mode! & 0o777, 0o600);
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});

Deno.test("a full disk: one line, exit code 1, the log left as it was", async () => {
  const directory = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${directory}/old.json`, "old");
    const script = `exec "$0" run --allow-all "$1" -local --json -l "$2" -y > /dev/full`;
    const output = await new Deno.Command("sh", {
      args: ["-c", script, Deno.execPath(), `${REPO_ROOT}main.ts`, `${directory}/old.json`],
    }).output();
    const stderr = new TextDecoder().decode(output.stderr);
    assert.equal(output.code, 1, stderr);
    assert.match(stderr, /^portset: cannot write to standard output: no space left on device$/m);
    assert.equal(stderr.trimEnd().split("\n").length, 1);
    assert.equal(Deno.readTextFileSync(`${directory}/old.json`), "old");
    assert.deepEqual(
      [...Deno.readDirSync(directory)].map((e) => e.name),
      ["old.json"],
      "no temp file",
    );
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});

Deno.test("missing Deno permissions: one line naming what to do", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-ffi", "--allow-read", `${REPO_ROOT}main.ts`, "-local"],
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.equal(output.code, 1);
  assert.match(stderr, /^portset: needs Deno's permissions: run it with --allow-all/);
  assert.equal(stderr.trimEnd().split("\n").length, 1, stderr);
});

Deno.test("bad command lines: one line on stderr, exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["-bogus"], /unknown option '-bogus'/],
    [["-local", "extra"], /unexpected argument 'extra'/],
    [["-local", "-l"], /-l needs a FILE/],
    [["-local", "-wport", "80"], /-local and -wport cannot be used together/],
    [["-local", "--json", "--csv"], /--json and --csv cannot be used together/],
    [["-wport", "80", "-wt", "0"], /-wt SECONDS must be a whole number from 1 to 1200, not '0'/],
    [["-wport", "80", "-wt", "1201"], /from 1 to 1200/],
    [["-wport", "65536"], /-wport PORT must be a whole number from 1 to 65535/],
    [["-local", "-wt", "5"], /-wt goes with -wport or -wpid/],
    [["-v"], /say what to do/],
    [["-local", "-v", "--csv"], /-v does not go with --csv/],
    [["-local", "--bogus"], /unknown option '--bogus'/],
  ];
  for (const [args, pattern] of cases) assertOneLineError(await runCli(args), 2, pattern);
});

Deno.test("--version and --help", async () => {
  const version = await runCli(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^portset \d+\.\d+\.\d+ \((x86_64|aarch64)-[a-z0-9_-]+\)\n$/);
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /portset -local/);
  assert.match(help.stdout, /--json/);
});

/** True when root can run portset as nobody: nobody must reach the checkout and deno binary. */
function nobodyCanRunPortset(): boolean {
  if (!isRoot()) return false;
  const probe = new Deno.Command("setpriv", {
    args: [...AS_NOBODY, "test", "-r", `${REPO_ROOT}main.ts`, "-a", "-x", Deno.execPath()],
  }).outputSync();
  return probe.success;
}

const AS_NOBODY = ["--reuid=65534", "--regid=65534", "--clear-groups"];
/** Asked once: it starts setpriv, and two tests need the answer. */
const NOBODY_CAN_RUN = nobodyCanRunPortset();

Deno.test({
  name: "unprivileged: other users' sockets have pid null, and the run says so once on stderr",
  ignore: !NOBODY_CAN_RUN,
  async fn() {
    using sockets = new TestSockets();
    const rootListener = sockets.tcpListen("127.0.0.1");
    const denoDir = Deno.makeTempDirSync();
    Deno.chmodSync(denoDir, 0o777);
    try {
      const output = await new Deno.Command("setpriv", {
        args: [...AS_NOBODY, ...portsetCommand(["-local", "--json"])],
        cwd: "/",
        env: { DENO_DIR: denoDir, HOME: denoDir, NO_COLOR: "1" },
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      const warnings = stderr.trimEnd().split("\n").filter((line) => line.startsWith("portset: "));
      assert.equal(warnings.length, 1, stderr);
      assert.match(warnings[0], /without root/);
      assert.match(warnings[0], /pid null/);
      const report = JSON.parse(new TextDecoder().decode(output.stdout));
      const listener = report.endpoints.find((e: { localAddress: string; localPort: number }) =>
        e.localAddress === "127.0.0.1" && e.localPort === rootListener.port
      );
      assert.deepEqual([listener.pid, listener.process, listener.user], [null, null, "root"]);
      assert.equal(report.warnings.length, 1, "the JSON carries the warning too");
    } finally {
      Deno.removeSync(denoDir, { recursive: true });
    }
  },
});

Deno.test({
  name: "unprivileged: -wport says once on stderr what it cannot see, as -local does",
  ignore: !NOBODY_CAN_RUN,
  async fn() {
    using sockets = new TestSockets();
    const rootListener = sockets.tcpListen("127.0.0.1");
    const denoDir = Deno.makeTempDirSync();
    Deno.chmodSync(denoDir, 0o777);
    try {
      await using watcher = new RunningCli(
        ["-wport", String(rootListener.port), "-wt", "1"],
        (
          command,
        ) => ["env", `DENO_DIR=${denoDir}`, `HOME=${denoDir}`, "setpriv", ...AS_NOBODY, ...command],
      );
      await watcher.waitFor(/starting state: \d+ sockets?\n/);
      await watcher.waitForError(/portset: running as uid 65534 without root: .*pid null/);
      // A second look, and the warning is not said again.
      sockets.tcpConnect("127.0.0.1", rootListener.port);
      await watcher.waitFor(/\+ connect /);
      const run = await watcher.stop("SIGINT");
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr.match(/without root/g)?.length, 1, run.stderr);
      assert.doesNotMatch(run.stdout, /without root/, "the watch's output stays the watch's");
    } finally {
      Deno.removeSync(denoDir, { recursive: true });
    }
  },
});
