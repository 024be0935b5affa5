/**
 * Command-line parsing: which command the line asks for, read by that command's own parser
 * (cli/parse/), which is loaded only when it runs. PortQry's modes (`-local`, `-wport`, `-n`) are
 * flags of one line rather than words; every other command is a word (`portset scan`). Every
 * mistake is a {@linkcode UsageError} of one line that says what is wrong.
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { didYouMean } from "./flags.ts";
import type { HelpTopic } from "./help.ts";
import type { MonitorCommand } from "./parse/monitor.ts";
import { parsePortQry, type PortQryCommand } from "./parse/portqry.ts";
import type { ReportCommand } from "./parse/report.ts";
import type { BaselineCommand, CheckCommand, ScanCommand } from "./parse/rules.ts";
import type { ServiceCommand } from "./parse/service.ts";

/** What the command line asks for. */
export type Command =
  | PortQryCommand
  | ScanCommand
  | BaselineCommand
  | CheckCommand
  | MonitorCommand
  | ServiceCommand
  | ReportCommand;

/** The commands that are words, and `help`. */
const COMMANDS = ["scan", "baseline", "check", "monitor", "service", "report", "help"];

/** What `portset help WORD` accepts, as the word or the mode flag without its dashes. */
const HELP_TOPICS: Record<string, HelpTopic> = {
  local: "local",
  watch: "watch",
  wport: "watch",
  wpid: "watch",
  query: "query",
  n: "query",
  scan: "scan",
  baseline: "baseline",
  check: "check",
  monitor: "monitor",
  service: "service",
  report: "report",
};

/** Parses `Deno.args`. Rejects with {@linkcode UsageError} for anything it cannot run. */
export async function parseArgs(args: readonly string[]): Promise<Command> {
  const [word, ...rest] = args;
  switch (word) {
    case "scan":
    case "baseline":
    case "check":
      return (await import("./parse/rules.ts")).parseRuleCommand(word, rest);
    case "monitor":
      return (await import("./parse/monitor.ts")).parseMonitorCommand(rest);
    case "service":
      return (await import("./parse/service.ts")).parseServiceCommand(rest);
    case "report":
      return (await import("./parse/report.ts")).parseReportCommand(rest);
    case "help":
      return { mode: "help", topic: helpTopic(rest) };
  }
  if (word !== undefined && !word.startsWith("-") && !word.startsWith("/")) {
    throw new UsageError(
      `unknown command '${word}'${didYouMean(word, [...COMMANDS, "-local", "-n"])}; ` +
        "see 'portset --help'",
    );
  }
  return await parsePortQry(args);
}

/** `portset help [COMMAND]`'s topic: null for the whole help. */
function helpTopic(args: readonly string[]): HelpTopic | null {
  if (args.length === 0) return null;
  if (args.length > 1) {
    throw new UsageError(`unexpected argument '${args[1]}'; portset help takes one COMMAND`);
  }
  const topic = HELP_TOPICS[args[0].replace(/^--?/, "").toLowerCase()];
  if (topic) return topic;
  throw new UsageError(
    `no help on '${args[0]}'${didYouMean(args[0], Object.keys(HELP_TOPICS))}; ` +
      `the commands are ${[...new Set(Object.values(HELP_TOPICS))].join(", ")}`,
  );
}
