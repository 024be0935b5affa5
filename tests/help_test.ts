/**
 * Help: `portset --help` names every command and every flag of every parser's table, and
 * `portset COMMAND --help` and `portset help COMMAND` print that command's usage alone; a
 * misspelt flag, command or help topic is one line naming the nearest, exit code 2.
 */

import assert from "node:assert/strict";
import { type FlagSpec, HELP_FLAG } from "../cli/flags.ts";
import { commandHelp, fullHelp, type HelpTopic, TOPICS } from "../cli/help.ts";
import { MONITOR_FLAGS } from "../cli/parse/monitor.ts";
import { LOCAL_FLAGS, QUERY_FLAGS, VERSION_FLAG, WATCH_FLAGS } from "../cli/parse/portqry.ts";
import { REPORT_FLAGS } from "../cli/parse/report.ts";
import { RULE_FLAGS } from "../cli/parse/rules.ts";
import { SERVICE_FLAGS } from "../cli/parse/service.ts";
import { runCli } from "./support/processes.ts";

/** Every parser's table, by the help that must describe it. */
const TABLES: Record<HelpTopic, readonly FlagSpec[]> = {
  local: LOCAL_FLAGS,
  watch: WATCH_FLAGS,
  query: QUERY_FLAGS,
  scan: RULE_FLAGS.scan,
  baseline: RULE_FLAGS.baseline,
  check: RULE_FLAGS.check,
  monitor: MONITOR_FLAGS,
  service: SERVICE_FLAGS,
  report: REPORT_FLAGS,
};

/** True when `text` shows `flag` as a flag: a word of its own, not part of a longer one. */
function shows(text: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  return new RegExp(`(^|[\\s\\[|(,])${escaped}(?=$|[\\s\\]|=,)])`, "m").test(text);
}

Deno.test("every flag of every parser is in its command's help and in portset --help", () => {
  const full = fullHelp();
  for (const [topic, table] of Object.entries(TABLES) as [HelpTopic, FlagSpec[]][]) {
    const help = commandHelp(topic);
    for (const flag of table) {
      if (flag === HELP_FLAG) continue; // every command takes it; portset --help says so once
      assert.ok(shows(help, flag.names[0]), `${topic}'s help shows ${flag.names[0]}`);
      assert.ok(shows(full, flag.names[0]), `portset --help shows ${flag.names[0]} (${topic})`);
    }
  }
  for (const flag of [HELP_FLAG, VERSION_FLAG]) assert.ok(shows(full, flag.names[0]));
  assert.ok(shows(full, "--root"), "--root, which --help once left out");
  for (const [topic, { usage }] of Object.entries(TOPICS)) {
    for (const line of usage.split("\n")) {
      assert.ok(full.includes(`  ${line}\n`), `${topic}'s usage in --help: ${line}`);
    }
  }
});

Deno.test("help texts fit an 100-column terminal and hold no tab", () => {
  for (const text of [fullHelp(), ...Object.keys(TOPICS).map((t) => commandHelp(t as HelpTopic))]) {
    for (const line of text.split("\n")) {
      assert.ok(line.length <= 100, `too long: ${line}`);
      assert.ok(!line.includes("\t"), `tab in: ${line}`);
    }
  }
});

Deno.test("portset COMMAND --help and portset help COMMAND print that command's usage", async () => {
  const forms: [HelpTopic, string[], string[]][] = [
    ["local", ["-local", "--help"], ["help", "-local"]],
    ["watch", ["-wport", "80", "-h"], ["help", "watch"]],
    ["query", ["-n", "example.test", "--help"], ["help", "-n"]],
    ["scan", ["scan", "--help"], ["help", "scan"]],
    ["baseline", ["baseline", "--help"], ["help", "baseline"]],
    ["check", ["check", "-help"], ["help", "check"]],
    ["monitor", ["monitor", "--help"], ["help", "monitor"]],
    ["service", ["service", "install", "--help"], ["help", "service"]],
    ["report", ["report", "--help"], ["help", "REPORT"]],
  ];
  const allLines = (await runCli(["--help"])).stdout.split("\n").length;
  for (const [topic, flagForm, wordForm] of forms) {
    const byFlag = await runCli(flagForm);
    const byWord = await runCli(wordForm);
    for (const run of [byFlag, byWord]) {
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, "");
      assert.equal(run.stdout, commandHelp(topic), `${flagForm.join(" ")}: ${topic}'s help`);
    }
    assert.ok(
      byFlag.stdout.split("\n").length < allLines / 3,
      `${topic}: its own usage, not all ${allLines} lines`,
    );
  }
  const whole = await runCli(["help"]);
  assert.equal(whole.code, 0);
  assert.equal(whole.stdout, fullHelp());
  assert.equal((await runCli(["--help"])).stdout, fullHelp());
});

Deno.test("a misspelt flag, command or help topic: one line with the nearest, exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["-locl"],
      /^portset: unknown option '-locl' \(did you mean -local\?\); see 'portset --help'$/,
    ],
    [["scna", "rule.xml"], /^portset: unknown command 'scna' \(did you mean scan\?\)/],
    [["local"], /unknown command 'local' \(did you mean -local\?\)/],
    [
      ["scan", "rule.xml", "--jsno"],
      /unknown option '--jsno' \(did you mean --json\?\); see 'portset scan --help'$/,
    ],
    [["monitor", "--log-dri", "/tmp/x"], /did you mean --log-dir\?/],
    [["-local", "--listenning"], /did you mean --listening\?/],
    [["help", "scna"], /no help on 'scna' \(did you mean scan\?\)/],
    [["service", "instal"], /unknown service action 'instal' \(did you mean install\?\)/],
    [["-local", "--bogus"], /^portset: unknown option '--bogus'; see 'portset --help'$/],
  ];
  for (const [args, pattern] of cases) {
    const run = await runCli(args);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    assert.equal(run.stdout, "");
    const lines = run.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], pattern);
  }
});
