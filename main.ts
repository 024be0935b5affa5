/**
 * The portset command line.
 *
 * @module
 */

import { type Command, parseArgs } from "./cli/args.ts";
import {
  CliError,
  errorLine,
  EXIT_FAILURE,
  EXIT_INTERNAL,
  EXIT_USAGE,
  UsageError,
} from "./cli/errors.ts";
import { writeOutput } from "./cli/output.ts";
import { TARGET, VERSION } from "./version.ts";

/** Runs one command line and returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let command: Command | null = null;
  try {
    command = await parseArgs(args);
    return await run(command, args);
  } catch (error) {
    // check's exit codes are 0 unchanged, 1 changed, 2 any error: no failure may read as 1.
    const failure = command?.mode === "check" ? EXIT_USAGE : EXIT_FAILURE;
    if (error instanceof UsageError) return fail(error.message, EXIT_USAGE);
    if (error instanceof CliError) {
      return fail(error.message, error.code === 1 ? failure : error.code);
    }
    // Loaded here, not up front: a run that fails no other way has no use for it.
    const { CollectorUnavailableError } = await import("./collectors/collector.ts");
    if (error instanceof CollectorUnavailableError) return fail(error.message, failure);
    if (error instanceof Deno.errors.NotCapable) {
      return fail(
        `needs Deno's permissions: run it with --allow-all (as 'deno task portset' does): ${error.message}`,
        failure,
      );
    }
    if (debugging()) console.error(error);
    const message = error instanceof Error ? error.message : String(error);
    return fail(
      `internal error: ${message} (set PORTSET_DEBUG=1 for details)`,
      EXIT_INTERNAL,
    );
  }
}

/**
 * Runs the command, loading only its own modules: every invocation pays for what it loads, and a
 * query or a version check has no use for the collectors, the rules or the report.
 */
async function run(command: Command, args: readonly string[]): Promise<number> {
  switch (command.mode) {
    case "help":
      writeOutput([(await import("./cli/help.ts")).helpText(command.topic)]);
      return 0;
    case "version":
      writeOutput([`portset ${VERSION} (${TARGET})\n`]);
      return 0;
    case "scan":
      return (await import("./cli/rule_commands.ts")).runScan(command);
    case "baseline":
      return (await import("./cli/rule_commands.ts")).runBaseline(command);
    case "check":
      return (await import("./cli/rule_commands.ts")).runCheck(command);
    case "watch":
      return (await import("./cli/watch_command.ts")).runWatch(command, args);
    case "monitor":
      return (await import("./cli/monitor_command.ts")).runMonitor(command);
    case "query":
      return (await import("./cli/query_command.ts")).runQuery(command);
    case "service":
      return (await import("./cli/service_command.ts")).runService(command);
    case "report":
      return (await import("./cli/report_command.ts")).runReport(command);
    case "local":
      return (await import("./cli/local_command.ts")).runLocal(command, args);
  }
}

/** PORTSET_DEBUG is set (and readable: without --allow-env, it is not). */
function debugging(): boolean {
  try {
    return Boolean(Deno.env.get("PORTSET_DEBUG"));
  } catch {
    return false;
  }
}

/** Prints `portset: message` as one line, whatever it echoes, and returns `code`. */
function fail(message: string, code: number): number {
  console.error(errorLine(message));
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
