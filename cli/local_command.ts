/**
 * `portset -local`: every endpoint with its owner, as text, JSON or CSV.
 *
 * @module
 */

import type { LocalCommand } from "./args.ts";
import { AtomicFile, confirmOverwrite, writeOutput } from "./output.ts";
import { collectOnce } from "../collectors/platform.ts";

/** Collects once and writes the report (and the `-l` file); exit code 0. */
export async function runLocal(command: LocalCommand, args: readonly string[]): Promise<number> {
  if (command.logFile) confirmOverwrite(command.logFile, command.overwrite);
  const log = command.logFile ? AtomicFile.open(command.logFile) : null;
  let snapshot;
  try {
    snapshot = await collectOnce({ modules: command.verbose && command.format !== "csv" });
  } catch (error) {
    log?.abandon();
    throw error;
  }
  for (const warning of snapshot.warnings) console.error(`portset: ${warning}`);
  // Each format's module is loaded only when it is the one asked for.
  let output: Iterable<string>;
  if (command.format === "json") {
    output = (await import("../outputs/json.ts")).jsonChunks(snapshot);
  } else if (command.format === "csv") {
    output = [(await import("../outputs/csv.ts")).formatCsv(snapshot)];
  } else {
    output = [
      (await import("../outputs/local_report.ts")).formatLocalReport(snapshot, {
        verbose: command.verbose,
        command: ["portset", ...args].join(" "),
      }),
    ];
  }
  writeOutput(output, log);
  return 0;
}
