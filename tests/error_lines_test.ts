/**
 * Error lines and the overwrite rule, as a user meets them: one line, no raw newline and no bare
 * OS error text whatever was typed or found on disk; every file portset writes is refused when it
 * exists, unless -y; `check --update` says what it wrote.
 */

import assert from "node:assert/strict";
import { errorLine } from "../cli/errors.ts";
import { osErrorText } from "../text/os_error.ts";
import { type CliRun, runCli } from "./support/processes.ts";
import { TestSockets } from "./support/sockets.ts";

/** A failure: exit code `code`, nothing on stdout, one line on stderr matching `pattern`. */
function assertOneLine(run: CliRun, code: number, pattern: RegExp): void {
  assert.equal(run.code, code, `exit code; stderr: ${run.stderr}`);
  assert.equal(run.stdout, "");
  assert.ok(run.stderr.endsWith("\n"));
  const lines = run.stderr.slice(0, -1).split("\n");
  assert.equal(lines.length, 1, `one line, got: ${JSON.stringify(run.stderr)}`);
  assert.match(lines[0], /^portset: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(lines[0], /os error/, "no OS error text");
  // deno-lint-ignore no-control-regex -- control characters are what it looks for
  assert.doesNotMatch(lines[0], /[\x00-\x1f\x7f-\x9f]/, "no control character");
}

Deno.test("osErrorText and errorLine: OS errors in words, control characters as ?", () => {
  assert.equal(
    osErrorText(new Deno.errors.NotFound("No such file (os error 2)")),
    "no such file or directory",
  );
  assert.equal(osErrorText(new Deno.errors.PermissionDenied("x")), "permission denied");
  assert.equal(
    osErrorText(new Error("No space left on device (os error 28): write '/x'")),
    "no space left on device",
  );
  assert.equal(osErrorText(new Error("EIO")), "EIO");
  assert.equal(
    errorLine("cannot read /x: No such file or directory (os error 2): stat '/x'"),
    "portset: cannot read /x: no such file or directory",
  );
  assert.equal(errorLine("unknown option '-x\ny\x1b[31m'"), "portset: unknown option '-x?y?[31m'");
});

Deno.test("error lines: a missing report directory, a non-JSON baseline, a newline typed", async () => {
  assertOneLine(
    await runCli(["report", "/nonexistent"]),
    2,
    /^portset: cannot read \/nonexistent: no such file or directory$/,
  );
  const directory = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${directory}/rule.xml`, `<PortSet><include key="*"/></PortSet>\n`);
    Deno.writeTextFileSync(`${directory}/base.json`, "not\njson\n");
    assertOneLine(
      await runCli(["check", `${directory}/rule.xml`, "--baseline", `${directory}/base.json`]),
      2,
      /base\.json: the baseline is not valid JSON/,
    );
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
  assertOneLine(await runCli(["-local", "-x\ny\x1b[2J"]), 2, /unknown option '-x\?y\?\[2J'/);
  assertOneLine(
    await runCli(["-local", "-l", "/nonexistent/\n/x"]),
    2,
    /cannot write \/nonexistent\/\?\/x/,
  );
  assertOneLine(await runCli(["scan\n"]), 2, /unknown command 'scan\?'/);
});

Deno.test("baseline -o and check --update: an existing file only with -y; --update says what it wrote", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.1");
  const directory = Deno.makeTempDirSync();
  const path = (name: string) => `${directory}/${name}`;
  try {
    Deno.writeTextFileSync(
      path("rule.xml"),
      `<PortSet><include key="tcp/127.0.0.1/${listener.port}"/></PortSet>\n`,
    );
    Deno.writeTextFileSync(path("base.json"), "keep me");
    assertOneLine(
      await runCli(["baseline", path("rule.xml"), "-o", path("base.json")]),
      2,
      /^portset: baseline .*base\.json exists; add -y to overwrite it$/,
    );
    assert.equal(Deno.readTextFileSync(path("base.json")), "keep me", "left as it was");

    const made = await runCli(["baseline", path("rule.xml"), "-o", path("base.json"), "-y"]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^portset: baseline of 1 entity from .* written to .*base\.json/);
    const written = Deno.readTextFileSync(path("base.json"));
    assert.equal(JSON.parse(written).entityCount, 1);

    // Now a second listener for the rule: check --update has something to write.
    sockets.close(listener.fd);
    const refused = await runCli([
      "check",
      path("rule.xml"),
      "--baseline",
      path("base.json"),
      "--update",
    ]);
    assertOneLine(refused, 2, /baseline .*base\.json exists; add -y to overwrite it$/);
    assert.equal(Deno.readTextFileSync(path("base.json")), written, "refused before writing");

    const updated = await runCli([
      "check",
      path("rule.xml"),
      "--baseline",
      path("base.json"),
      "--update",
      "-y",
      "--json",
    ]);
    assert.equal(updated.code, 1, `the listener is gone: ${updated.stderr}`);
    assert.match(updated.stdout, /Deleted/, "stdout is the events");
    JSON.parse(updated.stdout); // and nothing else
    assert.equal(
      updated.stderr,
      `portset: baseline of 0 entities written to ${path("base.json")} (it had 1 entity)\n`,
    );
    assert.equal(JSON.parse(Deno.readTextFileSync(path("base.json"))).entityCount, 0);
    assert.deepEqual(
      [...Deno.readDirSync(directory)].map((entry) => entry.name).sort(),
      ["base.json", "rule.xml"],
      "no temporary file left",
    );
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});
