/**
 * A remote query's report: PortQry's layout in portset's words (the target, how its name or
 * address resolved, then one line per port with what the service said below it), or one JSON
 * object.
 *
 * @module
 */

import type { PortResult } from "../remote/port_result.ts";
import type { QueryReport } from "../remote/query.ts";
import { VERSION } from "../version.ts";
import { printable } from "./printable.ts";

/** The text report, control characters shown as `?` (a banner is the remote server's text). */
export function formatQueryReport(report: QueryReport): string {
  const lines = [`Querying target system called: ${report.host}`, ""];
  if (report.given === "name") {
    lines.push("Attempting to resolve name to IP address...");
    lines.push(`Name resolved to ${report.address}`, "");
  } else if (report.reverseLookup) {
    lines.push("Attempting to resolve IP address to name...");
    lines.push(
      report.name === null
        ? "No name found for this IP address"
        : `IP address resolved to ${report.name}`,
      "",
    );
  }
  lines.push("querying...", "");
  for (const result of report.results) {
    lines.push(portLine(result));
    for (const detail of result.detail) lines.push(`  ${detail}`);
  }
  return printable(lines.join("\n") + "\n");
}

/** `TCP port 80 (http service): LISTENING` */
export function portLine(result: PortResult): string {
  return `${result.protocol.toUpperCase()} port ${result.port} ` +
    `(${result.service ?? "unknown"} service): ${result.state}`;
}

/**
 * `--json`: one object with `host`, `address`, `name` (the reverse lookup's, or null) and
 * `results`, one `{protocol, port, service, state, detail}` per line, `detail` being the
 * service's answer as text (lines joined by `\n`) or null.
 */
export function formatQueryJson(report: QueryReport): string {
  const head = JSON.stringify({
    portset: VERSION,
    host: report.host,
    address: report.address,
    name: report.name,
  });
  const results = report.results.map((result) =>
    JSON.stringify({
      protocol: result.protocol,
      port: result.port,
      service: result.service,
      state: result.state,
      detail: result.detail.length > 0 ? result.detail.join("\n") : null,
    })
  );
  return `${head.slice(0, -1)},\n"results": [\n${results.join(",\n")}\n]}\n`;
}
