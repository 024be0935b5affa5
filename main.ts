/**
 * The portset command line.
 *
 * @module
 */

import { type Command, HELP, parseArgs, UsageError } from "./cli/args.ts";
import { CliError, EXIT_FAILURE, EXIT_INTERNAL, EXIT_USAGE } from "./cli/errors.ts";
import { AtomicFile, confirmOverwrite, writeOutput } from "./cli/output.ts";
import { CollectorUnavailableError, createCollector } from "./collectors/mod.ts";
import { formatCsv } from "./outputs/csv.ts";
import { jsonChunks } from "./outputs/json.ts";
import { formatLocalReport } from "./outputs/local_report.ts";
import { runBaseline, runCheck, runScan } from "./cli/rule_commands.ts";
import { runMonitor } from "./cli/monitor_command.ts";
import { runQuery } from "./cli/query_command.ts";
import { runReport } from "./cli/report_command.ts";
import { runService } from "./cli/service_command.ts";
import { runWatch } from "./cli/watch_command.ts";
import { TARGET, VERSION } from "./version.ts";

/** Runs one command line and returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let command: Command | null = null;
  try {
    command = parseArgs(args);
    return await run(command, args);
  } catch (error) {
    // check's exit codes are 0 unchanged, 1 changed, 2 any error: no failure may read as 1.
    const failure = command?.mode === "check" ? EXIT_USAGE : EXIT_FAILURE;
    if (error instanceof UsageError) return fail(error.message, EXIT_USAGE);
    if (error instanceof CliError) {
      return fail(error.message, error.code === 1 ? failure : error.code);
    }
    if (error instanceof CollectorUnavailableError) return fail(error.message, failure);
    if (error instanceof Deno.errors.NotCapable) {
      return fail(
        `needs Deno's permissions: run it with --allow-all (as 'deno task portset' does): ${error.message}`,
        failure,
      );
    }
    if (debugging()) console.error(error);
    const message = error instanceof Error ? error.message : String(error);
    return fail(`internal error: ${message} (set PORTSET_DEBUG=1 for details)`, EXIT_INTERNAL);
  }
}

function run(command: Command, args: readonly string[]): number | Promise<number> {
  switch (command.mode) {
    case "help":
      writeOutput([HELP]);
      return 0;
    case "version":
      writeOutput([`portset ${VERSION} (${TARGET})\n`]);
      return 0;
    case "scan":
      return runScan(command);
    case "baseline":
      return runBaseline(command);
    case "check":
      return runCheck(command);
    case "watch":
      return runWatch(command, args);
    case "monitor":
      return runMonitor(command, args);
    case "query":
      return runQuery(command);
    case "service":
      return runService(command);
    case "report":
      return runReport(command);
    case "local": {
      if (command.logFile) confirmOverwrite(command.logFile, command.overwrite);
      const log = command.logFile ? AtomicFile.open(command.logFile) : null;
      let snapshot;
      try {
        const collector = createCollector();
        snapshot = collector.collect({ modules: command.verbose && command.format !== "csv" });
        collector.close();
      } catch (error) {
        log?.abandon();
        throw error;
      }
      for (const warning of snapshot.warnings) console.error(`portset: ${warning}`);
      const output = command.format === "json"
        ? jsonChunks(snapshot)
        : command.format === "csv"
        ? [formatCsv(snapshot)]
        : [formatLocalReport(snapshot, {
          verbose: command.verbose,
          command: ["portset", ...args].join(" "),
        })];
      writeOutput(output, log);
      return 0;
    }
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

function fail(message: string, code: number): number {
  console.error(`portset: ${message}`);
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
