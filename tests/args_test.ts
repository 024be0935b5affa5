/**
 * cli/args.ts: PortQry-style and GNU-style flags, and one UsageError line for every mistake.
 */

import assert from "node:assert/strict";
import { parseArgs } from "../cli/args.ts";
import { UsageError } from "../cli/errors.ts";
import { fullHelp } from "../cli/help.ts";
import { DEFAULT_WATCH_SECONDS } from "../cli/parse/portqry.ts";

const HELP = fullHelp();

const LOCAL_DEFAULTS = {
  mode: "local",
  format: "text",
  verbose: false,
  logFile: null,
  overwrite: false,
  filter: null,
} as const;

/** Asserts that `args` is refused with a UsageError whose message matches every pattern. */
async function refused(args: string[], ...patterns: (RegExp | string)[]): Promise<void> {
  await assert.rejects(() => parseArgs(args), (error: unknown) => {
    assert.ok(error instanceof UsageError, `${args.join(" ")}: ${error}`);
    assert.ok(!error.message.includes("\n"), "one line");
    for (const pattern of patterns) {
      if (typeof pattern === "string") {
        assert.ok(error.message.includes(pattern), `'${error.message}' names ${pattern}`);
      } else {
        assert.match(error.message, pattern);
      }
    }
    return true;
  }, args.join(" "));
}

Deno.test("parseArgs: -local and --local", async () => {
  assert.deepEqual(await parseArgs(["-local"]), LOCAL_DEFAULTS);
  assert.deepEqual(await parseArgs(["--local"]), LOCAL_DEFAULTS);
});

Deno.test("parseArgs: -local -v --json", async () => {
  assert.deepEqual(await parseArgs(["-local", "-v", "--json"]), {
    ...LOCAL_DEFAULTS,
    format: "json",
    verbose: true,
  });
  assert.deepEqual(await parseArgs(["--json", "--verbose", "--local"]), {
    ...LOCAL_DEFAULTS,
    format: "json",
    verbose: true,
  });
  assert.deepEqual(await parseArgs(["-json", "-local"]), { ...LOCAL_DEFAULTS, format: "json" });
});

Deno.test("parseArgs: -l FILE -y, --log FILE, --log=FILE", async () => {
  assert.deepEqual(await parseArgs(["-local", "-l", "out.txt", "-y"]), {
    ...LOCAL_DEFAULTS,
    logFile: "out.txt",
    overwrite: true,
  });
  assert.deepEqual(await parseArgs(["-local", "--log", "/tmp/a b.txt"]), {
    ...LOCAL_DEFAULTS,
    logFile: "/tmp/a b.txt",
  });
  assert.deepEqual(await parseArgs(["--log=report.csv", "--csv", "-local", "--yes"]), {
    ...LOCAL_DEFAULTS,
    format: "csv",
    logFile: "report.csv",
    overwrite: true,
  });
  // Only the first '=' splits: the rest belongs to the file name.
  assert.equal((await parseArgs(["-local", "--log=a=b"]) as { logFile: string }).logFile, "a=b");
  // A lone "-" is an ordinary file name (stdout by convention), not a flag.
  assert.equal((await parseArgs(["-local", "-l", "-"]) as { logFile: string }).logFile, "-");
});

Deno.test("parseArgs: -wport / -wpid / -wt give a watch command", async () => {
  assert.deepEqual(await parseArgs(["-wport", "80"]), {
    mode: "watch",
    format: "text",
    verbose: false,
    logFile: null,
    overwrite: false,
    port: 80,
    pid: null,
    intervalSeconds: DEFAULT_WATCH_SECONDS,
  });
  assert.deepEqual(await parseArgs(["-wpid", "4194304", "-wt", "1200", "--json"]), {
    mode: "watch",
    format: "json",
    verbose: false,
    logFile: null,
    overwrite: false,
    port: null,
    pid: 4194304,
    intervalSeconds: 1200,
  });
  const low = await parseArgs(["--wport=1", "--wt=1"]);
  assert.equal(low.mode, "watch");
  if (low.mode === "watch") {
    assert.equal(low.port, 1);
    assert.equal(low.intervalSeconds, 1);
  }
  const high = await parseArgs(["-wport", "65535"]);
  assert.equal(high.mode === "watch" && high.port, 65535);
});

Deno.test("parseArgs: help and version", async () => {
  for (const flag of ["--help", "-h", "-help", "-?", "/?"]) {
    assert.deepEqual(await parseArgs([flag]), { mode: "help", topic: null }, flag);
  }
  assert.deepEqual(await parseArgs([]), { mode: "help", topic: null });
  // Help wins over everything else on the line, even a conflicting one.
  assert.deepEqual(await parseArgs(["-local", "--json", "--csv", "--help"]), {
    mode: "help",
    topic: "local",
  });
  assert.deepEqual(await parseArgs(["--version"]), { mode: "version" });
  assert.deepEqual(await parseArgs(["-version"]), { mode: "version" });
  assert.deepEqual(await parseArgs(["-local", "--version"]), { mode: "version" });
  assert.match(HELP, /-local/);
  assert.match(HELP, /--help/);
});

Deno.test("parseArgs refuses unknown options and stray arguments", async () => {
  await refused(["--bogus"], "'--bogus'", "portset --help");
  await refused(["-local", "-x"], "'-x'");
  await refused(["-local", "/x"], "'/x'");
  await refused(["-Local"], "'-Local'");
  await refused(["-local", "extra"], "unexpected argument", "'extra'");
  await refused(["-local", "-v=1"], "-v takes no value");
  await refused(["-local", "-"], "'-'");
});

Deno.test("parseArgs refuses a missing value", async () => {
  await refused(["-local", "-l"], "-l", "FILE");
  await refused(["-local", "-l", "-v"], "-l", "FILE");
  await refused(["-local", "--log", "--json"], "--log", "FILE");
  await refused(["-wport"], "-wport", "PORT");
  await refused(["-wport", "-wt", "5"], "-wport", "PORT");
  await refused(["-wpid", "80", "-wt"], "-wt", "SECONDS");
});

Deno.test("parseArgs refuses values out of range or not whole numbers", async () => {
  await refused(["-wport", "80", "-wt", "0"], "-wt", "1 to 1200", "'0'");
  await refused(["-wport", "80", "-wt", "1201"], "-wt", "'1201'");
  await refused(["-wport", "70000"], "-wport", "1 to 65535", "'70000'");
  await refused(["-wport", "0"], "-wport", "'0'");
  await refused(["-wport", "80", "-wt", "abc"], "-wt", "'abc'");
  await refused(["-wport", "80", "-wt", "1.5"], "-wt", "'1.5'");
  await refused(["-wport", "80", "-wt", " 5"], "-wt");
  await refused(["-wport", "0x50"], "-wport", "'0x50'");
  await refused(["-wport", "1e3"], "-wport", "'1e3'");
  await refused(["--wport="], "--wport", "needs a PORT");
  await refused(["-wpid", "4194305"], "-wpid", "'4194305'");
  await refused(["-wport", "-1"], "-wport"); // looks like a flag: no value given
});

Deno.test("parseArgs refuses a flag given twice, in either spelling", async () => {
  await refused(["-local", "-local"], "-local", "more than once");
  await refused(["-local", "--local"], "--local", "more than once");
  await refused(["-local", "-v", "--verbose"], "--verbose", "more than once");
  await refused(["-local", "-l", "a", "--log=b"], "--log", "more than once");
  await refused(["-wport", "80", "-wt", "5", "-wt", "6"], "-wt", "more than once");
});

Deno.test("parseArgs refuses flags that do not go together", async () => {
  await refused(["-local", "-wport", "80"], "-local", "-wport", "cannot be used together");
  await refused(["-wpid", "1", "-wport", "80"], "-wpid", "-wport");
  await refused(["-local", "--json", "--csv"], "--json", "--csv");
  await refused(["-local", "-y"], "-y", "-l");
  await refused(["-local", "--yes"], "-y");
  await refused(["-local", "-wt", "5"], "-wt", "-wport");
  await refused(["-local", "--json=1"], "--json", "takes no value");
});

Deno.test("parseArgs refuses a command line with options but nothing to do", async () => {
  await refused(["-v"], "-local", "-wport");
  await refused(["--json"], "-local");
  await refused(["-l", "FILE", "-y"], "-local");
});

Deno.test({
  name: "parseArgs refuses an empty log file name",
  async fn() {
    await refused(["-local", "--log="], "--log", "FILE");
    await refused(["-local", "-l", ""], "-l", "FILE");
  },
});

Deno.test("parseArgs takes every flag with one dash or two", async () => {
  for (
    const args of [
      ["--local", "--v", "--json"],
      ["-local", "-verbose", "-json"],
      ["-local", "--l", "out.txt", "--y"],
      ["-local", "-log=out.txt", "-yes"],
    ]
  ) {
    const command = await parseArgs(args);
    assert.equal(command.mode, "local", args.join(" "));
  }
  const watch = await parseArgs(["--wport", "80", "--wt=5"]);
  assert.deepEqual(watch.mode === "watch" && [watch.port, watch.intervalSeconds], [80, 5]);
});

const QUERY_DEFAULTS = {
  mode: "query",
  host: "server.test",
  protocols: ["tcp"],
  ports: [80],
  range: false,
  quiet: false,
  slowLink: false,
  reverseLookup: true,
  sourcePort: null,
  community: "public",
  format: "text",
  logFile: null,
  overwrite: false,
} as const;

Deno.test("parseArgs: -n HOST alone queries TCP port 80", async () => {
  assert.deepEqual(await parseArgs(["-n", "server.test"]), QUERY_DEFAULTS);
});

Deno.test("parseArgs: every remote query flag", async () => {
  assert.deepEqual(
    await parseArgs([
      "-n",
      "server.test",
      "-p",
      "both",
      "-o",
      "53,161",
      "-sl",
      "-nr",
      "-sp",
      "5353",
      "-cn",
      "private",
      "--json",
      "-l",
      "out.txt",
      "-y",
    ]),
    {
      ...QUERY_DEFAULTS,
      protocols: ["tcp", "udp"],
      ports: [53, 161],
      slowLink: true,
      reverseLookup: false,
      sourcePort: 5353,
      community: "private",
      format: "json",
      logFile: "out.txt",
      overwrite: true,
    },
  );
  const range = await parseArgs(["-n", "::1", "-p", "UDP", "-r", "10:12", "-q"]);
  assert.deepEqual(
    range.mode === "query" && [range.protocols, range.ports, range.range, range.quiet],
    [["udp"], [10, 11, 12], true, true],
  );
  const one = await parseArgs(["--n=h", "--e=443"]);
  assert.deepEqual(one.mode === "query" && one.ports, [443]);
});

Deno.test("parseArgs refuses remote query mistakes, each in one line", async () => {
  await refused(["-n", "h", "-e", "0"], "-e", "1 to 65535");
  await refused(["-n", "h", "-e", "65536"], "-e");
  await refused(["-n", "h", "-r", "100:10"], "-r", "starts after it ends");
  await refused(["-n", "h", "-r", "1:70000"], "-r", "65535");
  await refused(["-n", "h", "-r", "1-10"], "-r", "START:END");
  await refused(["-n", "h", "-o", "80,,81"], "-o");
  await refused(["-n", "h", "-e", "80", "-r", "1:2"], "-e", "-r", "cannot be used together");
  await refused(["-n", "h", "-r", "1:2", "-o", "3"], "-r", "-o");
  await refused(["-n", "h", "-p", "icmp"], "-p", "tcp, udp or both");
  await refused(["-n", "h", "-sp", "0"], "-sp");
  await refused(["-n", "h", "-q", "--json"], "-q", "--json");
  await refused(["-n", "h", "-q", "-l", "f"], "-q", "-l");
  await refused(["-n", "h", "-y"], "-y", "-l");
  await refused(["-n", "h", "-v"], "-v", "-n HOST");
  await refused(["-n", "h", "--csv"], "--csv");
  await refused(["-n", "h", "-local"], "-local", "-n", "cannot be used together");
  await refused(["-n", "h", "-wport", "80"], "-wport", "-n");
  await refused(["-n"], "-n", "HOST");
  await refused(["-local", "-e", "80"], "-e", "goes with -n HOST");
  await refused(["-wport", "80", "-q"], "-q", "-n HOST");
  await refused(["-p", "udp"], "say what to do", "-n HOST");
});

Deno.test("HELP describes remote queries and -q's exit codes", () => {
  assert.match(HELP, /portset -n HOST \[-p tcp\|udp\|both\]/);
  assert.match(HELP, /0 LISTENING, 1 NOT LISTENING/);
  assert.match(HELP, /2 is\s+also the exit code of a bad command line/);
});

Deno.test("parseArgs: -local's filters, each value list comma-separated or repeated", async () => {
  const local = await parseArgs([
    "-local",
    "--listening",
    "--state",
    "ESTABLISHED,time-wait",
    "--state=fin-wait-1",
    "--port",
    "22,80",
    "--port",
    "443",
    "--pid",
    "1",
    "--process",
    "ssh*",
    "--proto",
    "tcp,6",
    "--key",
    "tcp*/*/22",
    "--netns",
    "current,blue",
    "--netns=4026532281",
    "--csv",
  ]);
  assert.equal(local.mode, "local");
  if (local.mode !== "local") return;
  assert.equal(local.format, "csv");
  assert.deepEqual(local.filter, {
    listening: true,
    states: ["ESTABLISHED", "TIME_WAIT", "FIN_WAIT1"],
    ports: [22, 80, 443],
    pids: [1],
    processes: ["ssh*"],
    protocols: ["tcp6"],
    keys: ["tcp*/*/22"],
    namespaces: ["current", "blue", "4026532281"],
    description: "--listening --state ESTABLISHED,time-wait --state fin-wait-1 --port 22,80 " +
      "--port 443 --pid 1 --process ssh* --proto tcp,6 --key tcp*/*/22 --netns current,blue " +
      "--netns 4026532281",
  });
  const one = await parseArgs(["-local", "--proto", "udp"]);
  assert.deepEqual(one.mode === "local" && one.filter?.protocols, ["udp", "udp6"]);
  const family = await parseArgs(["-local", "--proto", "4"]);
  assert.deepEqual(family.mode === "local" && family.filter?.protocols, ["tcp", "udp"]);
  const state = await parseArgs(["-local", "--state", "listen"]);
  assert.deepEqual(state.mode === "local" && state.filter?.states, ["LISTENING"]);
});

Deno.test("parseArgs refuses bad filters, each in one line", async () => {
  await refused(["-local", "--state", "bogus"], "--state", "established", "'bogus'");
  await refused(["-local", "--state", "establised"], "did you mean established?");
  await refused(["-local", "--proto", "icmp"], "--proto", "tcp, udp, 4 or 6", "'icmp'");
  await refused(["-local", "--port", "0"], "--port", "1 to 65535", "'0'");
  await refused(["-local", "--port", "22,,80"], "--port", "empty item");
  await refused(["-local", "--pid", "x"], "--pid", "'x'");
  await refused(["-local", "--key"], "--key needs a GLOB");
  await refused(["-local", "--listening", "--listening"], "more than once");
  await refused(["-wport", "80", "--listening"], "--listening goes with -local");
  await refused(["-n", "h", "--state", "listening"], "--state goes with -local");
});

Deno.test("parseArgs: baseline -y, check --update -y; help topics and unknown commands", async () => {
  assert.deepEqual(await parseArgs(["baseline", "r.xml", "-o", "b.json", "-y"]), {
    mode: "baseline",
    rule: "r.xml",
    output: "b.json",
    overwrite: true,
  });
  const check = await parseArgs(["check", "r.xml", "--baseline", "b.json", "--update", "-y"]);
  assert.deepEqual(check.mode === "check" && [check.update, check.overwrite], [true, true]);
  await refused(["check", "r.xml", "--baseline", "b.json", "-y"], "-y goes with --update");
  assert.deepEqual(await parseArgs(["help"]), { mode: "help", topic: null });
  assert.deepEqual(await parseArgs(["help", "-wpid"]), { mode: "help", topic: "watch" });
  assert.deepEqual(await parseArgs(["scan", "--help"]), { mode: "help", topic: "scan" });
  assert.deepEqual(await parseArgs(["-n", "h", "-?"]), { mode: "help", topic: "query" });
  await refused(["help", "scan", "check"], "unexpected argument 'check'");
  await refused(["help", "bogus"], "no help on 'bogus'");
  await refused(["scna"], "unknown command 'scna' (did you mean scan?)");
  await refused(["-locl"], "unknown option '-locl' (did you mean -local?)");
  await refused(["-x"], "unknown option '-x'; see"); // too short to guess from
});

Deno.test("parseArgs: --syslog over TLS, its CA, its queue and the mistakes", async () => {
  const base = ["monitor", "--rule", "r.xml"];
  const tls = await parseArgs([
    ...base,
    "--syslog",
    "tls://logs.example:6515",
    "--syslog-ca",
    "ca.pem",
  ]);
  assert.equal(tls.mode, "monitor");
  if (tls.mode !== "monitor") return;
  assert.deepEqual(tls.syslog, {
    url: "tls://logs.example:6515",
    transport: "tls",
    host: "logs.example",
    port: 6515,
    caFile: "ca.pem",
    queueDirectory: null,
    queueBytes: 10 * 1024 * 1024,
  });
  const queued = await parseArgs([
    ...base,
    "--syslog",
    "tls://[::1]",
    "--syslog-queue",
    "/var/q",
    "--syslog-queue-size",
    "1M",
  ]);
  if (queued.mode !== "monitor") throw new Error("not a monitor");
  assert.deepEqual(
    [
      queued.syslog?.port,
      queued.syslog?.host,
      queued.syslog?.queueDirectory,
      queued.syslog?.queueBytes,
    ],
    [6514, "::1", "/var/q", 1024 * 1024],
    "TLS's port is 6514 unless told (RFC 5425)",
  );
  await refused(
    [...base, "--syslog", "tcp://h", "--syslog-ca", "ca.pem"],
    "--syslog-ca FILE is for tls://",
  );
  await refused([...base, "--syslog", "udp://h", "--syslog-queue", "q"], "over UDP");
  await refused([...base, "--syslog-queue", "q"], "goes with --syslog URL");
  await refused([...base, "--syslog", "ftp://h"], "tls://HOST[:PORT]");
  await refused(
    [...base, "--syslog", "tcp://h", "--syslog-queue-size", "1"],
    "--syslog-queue-size",
  );
});
