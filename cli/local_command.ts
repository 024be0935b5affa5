/**
 * `portset -local`: every endpoint with its owner, as text, JSON or CSV.
 *
 * @module
 */

import type { LocalCommand } from "./args.ts";
import { AtomicFile, confirmOverwrite, writeOutput } from "./output.ts";
import { createCollector } from "../collectors/mod.ts";
import { formatCsv } from "../outputs/csv.ts";
import { jsonChunks } from "../outputs/json.ts";
import { formatLocalReport } from "../outputs/local_report.ts";

/** Collects once and writes the report (and the `-l` file); exit code 0. */
export function runLocal(command: LocalCommand, args: readonly string[]): number {
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
