/**
 * `portset -n HOST ...`: resolve the host, probe its ports, print the report (or, with `-q`,
 * nothing) and answer with the exit code.
 *
 * @module
 */

import type { QueryCommand } from "./parse/query.ts";
import { CliError } from "./errors.ts";
import { AtomicFile, confirmOverwrite, writeOutput } from "./output.ts";
import { ProbeError } from "../collectors/probe.ts";
import { createTcpProber, createUdpProber, servicesFilePath } from "../collectors/probers.ts";
import { queryJsonChunks } from "../outputs/query_json.ts";
import { queryReportChunks } from "../outputs/query_report.ts";
import { quietExitCode } from "../remote/port_result.ts";
import { queryPorts, type QueryReport, type QueryResults } from "../remote/query.ts";
import { ResolveError, resolveTarget } from "../remote/resolve.ts";
import { loadServices } from "../remote/services_file.ts";

/**
 * Runs a query. Exit code: with `-q`, PortQry's 0/1/2 (see quietExitCode); otherwise 0 once
 * the report is written. A host that cannot be resolved, or a probe that cannot be made at all,
 * is a one-line error, exit 1.
 */
export async function runQuery(command: QueryCommand): Promise<number> {
  if (command.logFile) confirmOverwrite(command.logFile, command.overwrite, "log file");
  const udpProber = command.protocols.includes("udp") ? await createUdpProber() : null;
  // Deno's own sockets where the OS has no prober of portset's (node:net is loaded only then).
  const tcpProber = await createTcpProber() ??
    new (await import("../remote/portable_tcp_prober.ts")).PortableTcpProber();
  let report: QueryReport;
  let results: QueryResults;
  let started = "";
  try {
    started = new Date().toISOString();
    const target = await resolveTarget(command.host, command.reverseLookup);
    results = await queryPorts({
      address: target.address,
      protocols: command.protocols,
      ports: command.ports,
      sourcePort: command.sourcePort,
      slowLink: command.slowLink,
      community: command.community,
      services: loadServices(servicesFilePath()),
      tcpProber,
      udpProber,
      endpointMapper: !command.range,
    });
    report = { ...target, community: command.community, results };
  } catch (error) {
    if (error instanceof ResolveError || error instanceof ProbeError) {
      throw new CliError(error.message);
    }
    throw error;
  } finally {
    udpProber?.close();
    tcpProber.close();
  }
  if (command.quiet) return quietExitCode(results.findings());
  const log = command.logFile ? AtomicFile.open(command.logFile) : null;
  writeOutput(
    command.format === "json"
      ? queryJsonChunks(report, { host: Deno.hostname(), time: started })
      : queryReportChunks(report),
    log,
  );
  return 0;
}
