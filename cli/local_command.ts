/**
 * `portset -local`: every endpoint with its owner, or those its filters keep, as text, JSON or
 * CSV.
 *
 * @module
 */

import type { Snapshot } from "../model/endpoint.ts";
import type { LocalCommand } from "./parse/portqry.ts";
import { AtomicFile, confirmOverwrite, writeOutput } from "./output.ts";
import { collectOnce } from "../collectors/platform.ts";
import { printableField } from "../text/printable.ts";

/** Collects once and writes the report (and the `-l` file); exit code 0. */
export async function runLocal(command: LocalCommand, args: readonly string[]): Promise<number> {
  if (command.logFile) confirmOverwrite(command.logFile, command.overwrite, "log file");
  const log = command.logFile ? AtomicFile.open(command.logFile) : null;
  // The output's module loads while the snapshot is taken: loading waits on file reads, which
  // collecting leaves the thread free for. A failure to load is reported where it is awaited.
  const format = formatter(command, args);
  format.catch(() => {});
  const filter = command.filter ? import("./local_filter.ts") : null;
  filter?.catch(() => {});
  let snapshot;
  try {
    snapshot = await collectOnce({ modules: command.verbose && command.format !== "csv" });
  } catch (error) {
    log?.abandon();
    throw error;
  }
  // Filtered before any output is made, so every format and every count shows the same sockets;
  // the warnings, the filter's own included, said once on stderr too.
  if (filter) snapshot = (await filter).filterSnapshot(snapshot, command.filter!);
  for (const warning of snapshot.warnings) console.error(`portset: ${printableField(warning)}`);
  writeOutput((await format)(snapshot), log);
  return 0;
}

/** The writer of the format asked for, whose module alone is loaded. */
async function formatter(
  command: LocalCommand,
  args: readonly string[],
): Promise<(snapshot: Snapshot) => Iterable<string | Uint8Array>> {
  switch (command.format) {
    case "json":
      return (await import("../outputs/json.ts")).jsonChunks;
    case "csv": {
      const { formatCsv } = await import("../outputs/csv.ts");
      return (snapshot) => [formatCsv(snapshot)];
    }
    case "text": {
      const { localReportBytes } = await import("../outputs/local_report.ts");
      const options = {
        verbose: command.verbose,
        command: ["portset", ...args].join(" "),
        filter: command.filter?.description,
      };
      return (snapshot) => [localReportBytes(snapshot, options)];
    }
  }
}
