/**
 * cli/args.ts: PortQry-style and GNU-style flags, and one UsageError line for every mistake.
 */

import assert from "node:assert/strict";
import { DEFAULT_WATCH_SECONDS, HELP, parseArgs, UsageError } from "../cli/args.ts";

const LOCAL_DEFAULTS = {
  mode: "local",
  format: "text",
  verbose: false,
  logFile: null,
  overwrite: false,
} as const;

/** Asserts that `args` is refused with a UsageError whose message matches every pattern. */
function refused(args: string[], ...patterns: (RegExp | string)[]): void {
  assert.throws(() => parseArgs(args), (error: unknown) => {
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

Deno.test("parseArgs: -local and --local", () => {
  assert.deepEqual(parseArgs(["-local"]), LOCAL_DEFAULTS);
  assert.deepEqual(parseArgs(["--local"]), LOCAL_DEFAULTS);
});

Deno.test("parseArgs: -local -v --json", () => {
  assert.deepEqual(parseArgs(["-local", "-v", "--json"]), {
    ...LOCAL_DEFAULTS,
    format: "json",
    verbose: true,
  });
  assert.deepEqual(parseArgs(["--json", "--verbose", "--local"]), {
    ...LOCAL_DEFAULTS,
    format: "json",
    verbose: true,
  });
  assert.deepEqual(parseArgs(["-json", "-local"]), { ...LOCAL_DEFAULTS, format: "json" });
});

Deno.test("parseArgs: -l FILE -y, --log FILE, --log=FILE", () => {
  assert.deepEqual(parseArgs(["-local", "-l", "out.txt", "-y"]), {
    ...LOCAL_DEFAULTS,
    logFile: "out.txt",
    overwrite: true,
  });
  assert.deepEqual(parseArgs(["-local", "--log", "/tmp/a b.txt"]), {
    ...LOCAL_DEFAULTS,
    logFile: "/tmp/a b.txt",
  });
  assert.deepEqual(parseArgs(["--log=report.csv", "--csv", "-local", "--yes"]), {
    ...LOCAL_DEFAULTS,
    format: "csv",
    logFile: "report.csv",
    overwrite: true,
  });
  // Only the first '=' splits: the rest belongs to the file name.
  assert.equal((parseArgs(["-local", "--log=a=b"]) as { logFile: string }).logFile, "a=b");
  // A lone "-" is an ordinary file name (stdout by convention), not a flag.
  assert.equal((parseArgs(["-local", "-l", "-"]) as { logFile: string }).logFile, "-");
});

Deno.test("parseArgs: -wport / -wpid / -wt give a watch command", () => {
  assert.deepEqual(parseArgs(["-wport", "80"]), {
    mode: "watch",
    format: "text",
    verbose: false,
    logFile: null,
    overwrite: false,
    port: 80,
    pid: null,
    intervalSeconds: DEFAULT_WATCH_SECONDS,
  });
  assert.deepEqual(parseArgs(["-wpid", "4194304", "-wt", "1200", "--json"]), {
    mode: "watch",
    format: "json",
    verbose: false,
    logFile: null,
    overwrite: false,
    port: null,
    pid: 4194304,
    intervalSeconds: 1200,
  });
  const low = parseArgs(["--wport=1", "--wt=1"]);
  assert.equal(low.mode, "watch");
  if (low.mode === "watch") {
    assert.equal(low.port, 1);
    assert.equal(low.intervalSeconds, 1);
  }
  const high = parseArgs(["-wport", "65535"]);
  assert.equal(high.mode === "watch" && high.port, 65535);
});

Deno.test("parseArgs: help and version", () => {
  for (const flag of ["--help", "-h", "-help", "-?", "/?"]) {
    assert.deepEqual(parseArgs([flag]), { mode: "help" }, flag);
  }
  assert.deepEqual(parseArgs([]), { mode: "help" });
  // Help wins over everything else on the line, even a conflicting one.
  assert.deepEqual(parseArgs(["-local", "--json", "--csv", "--help"]), { mode: "help" });
  assert.deepEqual(parseArgs(["--version"]), { mode: "version" });
  assert.deepEqual(parseArgs(["-version"]), { mode: "version" });
  assert.deepEqual(parseArgs(["-local", "--version"]), { mode: "version" });
  assert.match(HELP, /-local/);
  assert.match(HELP, /--help/);
});

Deno.test("parseArgs refuses unknown options and stray arguments", () => {
  refused(["--bogus"], "'--bogus'", "portset --help");
  refused(["-local", "-x"], "'-x'");
  refused(["-local", "/x"], "'/x'");
  refused(["-Local"], "'-Local'");
  refused(["-local", "extra"], "unexpected argument", "'extra'");
  refused(["-local", "-v=1"], "-v takes no value");
  refused(["-local", "-"], "'-'");
});

Deno.test("parseArgs refuses a missing value", () => {
  refused(["-local", "-l"], "-l", "FILE");
  refused(["-local", "-l", "-v"], "-l", "FILE");
  refused(["-local", "--log", "--json"], "--log", "FILE");
  refused(["-wport"], "-wport", "PORT");
  refused(["-wport", "-wt", "5"], "-wport", "PORT");
  refused(["-wpid", "80", "-wt"], "-wt", "SECONDS");
});

Deno.test("parseArgs refuses values out of range or not whole numbers", () => {
  refused(["-wport", "80", "-wt", "0"], "-wt", "1 to 1200", "'0'");
  refused(["-wport", "80", "-wt", "1201"], "-wt", "'1201'");
  refused(["-wport", "70000"], "-wport", "1 to 65535", "'70000'");
  refused(["-wport", "0"], "-wport", "'0'");
  refused(["-wport", "80", "-wt", "abc"], "-wt", "'abc'");
  refused(["-wport", "80", "-wt", "1.5"], "-wt", "'1.5'");
  refused(["-wport", "80", "-wt", " 5"], "-wt");
  refused(["-wport", "0x50"], "-wport", "'0x50'");
  refused(["-wport", "1e3"], "-wport", "'1e3'");
  refused(["--wport="], "--wport", "needs a PORT");
  refused(["-wpid", "4194305"], "-wpid", "'4194305'");
  refused(["-wport", "-1"], "-wport"); // looks like a flag: no value given
});

Deno.test("parseArgs refuses a flag given twice, in either spelling", () => {
  refused(["-local", "-local"], "-local", "more than once");
  refused(["-local", "--local"], "--local", "more than once");
  refused(["-local", "-v", "--verbose"], "--verbose", "more than once");
  refused(["-local", "-l", "a", "--log=b"], "--log", "more than once");
  refused(["-wport", "80", "-wt", "5", "-wt", "6"], "-wt", "more than once");
});

Deno.test("parseArgs refuses flags that do not go together", () => {
  refused(["-local", "-wport", "80"], "-local", "-wport", "cannot be used together");
  refused(["-wpid", "1", "-wport", "80"], "-wpid", "-wport");
  refused(["-local", "--json", "--csv"], "--json", "--csv");
  refused(["-local", "-y"], "-y", "-l");
  refused(["-local", "--yes"], "-y");
  refused(["-local", "-wt", "5"], "-wt", "-wport");
  refused(["-local", "--json=1"], "--json", "takes no value");
});

Deno.test("parseArgs refuses a command line with options but nothing to do", () => {
  refused(["-v"], "-local", "-wport");
  refused(["--json"], "-local");
  refused(["-l", "FILE", "-y"], "-local");
});

Deno.test({
  name: "parseArgs refuses an empty log file name",
  fn() {
    refused(["-local", "--log="], "--log", "FILE");
    refused(["-local", "-l", ""], "-l", "FILE");
  },
});

Deno.test("parseArgs takes every flag with one dash or two", () => {
  for (
    const args of [
      ["--local", "--v", "--json"],
      ["-local", "-verbose", "-json"],
      ["-local", "--l", "out.txt", "--y"],
      ["-local", "-log=out.txt", "-yes"],
    ]
  ) {
    const command = parseArgs(args);
    assert.equal(command.mode, "local", args.join(" "));
  }
  const watch = parseArgs(["--wport", "80", "--wt=5"]);
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

Deno.test("parseArgs: -n HOST alone queries TCP port 80", () => {
  assert.deepEqual(parseArgs(["-n", "server.test"]), QUERY_DEFAULTS);
});

Deno.test("parseArgs: every remote query flag", () => {
  assert.deepEqual(
    parseArgs([
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
  const range = parseArgs(["-n", "::1", "-p", "UDP", "-r", "10:12", "-q"]);
  assert.deepEqual(
    range.mode === "query" && [range.protocols, range.ports, range.range, range.quiet],
    [["udp"], [10, 11, 12], true, true],
  );
  const one = parseArgs(["--n=h", "--e=443"]);
  assert.deepEqual(one.mode === "query" && one.ports, [443]);
});

Deno.test("parseArgs refuses remote query mistakes, each in one line", () => {
  refused(["-n", "h", "-e", "0"], "-e", "1 to 65535");
  refused(["-n", "h", "-e", "65536"], "-e");
  refused(["-n", "h", "-r", "100:10"], "-r", "starts after it ends");
  refused(["-n", "h", "-r", "1:70000"], "-r", "65535");
  refused(["-n", "h", "-r", "1-10"], "-r", "START:END");
  refused(["-n", "h", "-o", "80,,81"], "-o");
  refused(["-n", "h", "-e", "80", "-r", "1:2"], "-e", "-r", "cannot be used together");
  refused(["-n", "h", "-r", "1:2", "-o", "3"], "-r", "-o");
  refused(["-n", "h", "-p", "icmp"], "-p", "tcp, udp or both");
  refused(["-n", "h", "-sp", "0"], "-sp");
  refused(["-n", "h", "-q", "--json"], "-q", "--json");
  refused(["-n", "h", "-q", "-l", "f"], "-q", "-l");
  refused(["-n", "h", "-y"], "-y", "-l");
  refused(["-n", "h", "-v"], "-v", "-n HOST");
  refused(["-n", "h", "--csv"], "--csv");
  refused(["-n", "h", "-local"], "-local", "-n", "cannot be used together");
  refused(["-n", "h", "-wport", "80"], "-wport", "-n");
  refused(["-n"], "-n", "HOST");
  refused(["-local", "-e", "80"], "-e", "goes with -n HOST");
  refused(["-wport", "80", "-q"], "-q", "-n HOST");
  refused(["-p", "udp"], "say what to do", "-n HOST");
});

Deno.test("HELP describes remote queries and -q's exit codes", () => {
  assert.match(HELP, /portset -n HOST \[-p tcp\|udp\|both\]/);
  assert.match(HELP, /0 LISTENING, 1 NOT LISTENING/);
  assert.match(HELP, /2 is\s+also the exit code of a bad command line/);
});
