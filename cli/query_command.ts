/**
 * `portset -n HOST ...`: resolve the host, probe its ports, print the report (or, with `-q`,
 * nothing) and answer with the exit code.
 *
 * @module
 */

import type { QueryCommand } from "./args.ts";
import { CliError } from "./errors.ts";
import { AtomicFile, confirmOverwrite, writeOutput } from "./output.ts";
import { createUdpProber, ProbeError, servicesFilePath } from "../collectors/mod.ts";
import { formatQueryJson, formatQueryReport } from "../outputs/query_report.ts";
import { quietExitCode } from "../remote/port_result.ts";
import { queryPorts, type QueryReport } from "../remote/query.ts";
import { ResolveError, resolveTarget } from "../remote/resolve.ts";
import { loadServices } from "../remote/services_file.ts";
import { queryTargets } from "../remote/targets.ts";

/**
 * Runs a query. Exit code: with `-q`, PortQry's 0/1/2 (see quietExitCode); otherwise 0 once
 * the report is written. A host that cannot be resolved or probed is a one-line error, exit 1.
 */
export async function runQuery(command: QueryCommand): Promise<number> {
  if (command.logFile) confirmOverwrite(command.logFile, command.overwrite);
  const udpProber = command.protocols.includes("udp") ? createUdpProber() : null;
  let report: QueryReport;
  try {
    const target = await resolveTarget(command.host, command.reverseLookup);
    const results = await queryPorts({
      address: target.address,
      targets: queryTargets(command.protocols, command.ports),
      sourcePort: command.sourcePort,
      slowLink: command.slowLink,
      community: command.community,
      services: loadServices(servicesFilePath()),
      udpProber,
    });
    report = { ...target, results };
  } catch (error) {
    if (error instanceof ResolveError || error instanceof ProbeError) {
      throw new CliError(error.message);
    }
    throw error;
  } finally {
    udpProber?.close();
  }
  if (command.quiet) return quietExitCode(report.results);
  const log = command.logFile ? AtomicFile.open(command.logFile) : null;
  writeOutput(
    [command.format === "json" ? formatQueryJson(report) : formatQueryReport(report)],
    log,
  );
  return 0;
}
