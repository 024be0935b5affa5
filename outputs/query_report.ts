/**
 * A remote query's report in PortQry 2.0's layout: the target and how its name or address
 * resolved, then each port's status line. Where a question was asked in the service's own
 * protocol, the exchange is staged as PortQry stages it: the port first reads
 * `LISTENING or FILTERED`, the query is announced, the answer is shown inside the protocol's
 * frame, and a last line gives the port's state. (outputs/query_json.ts writes `--json`.)
 *
 * @module
 */

import type { PortResult } from "../remote/port_result.ts";
import type { QueryReport } from "../remote/query.ts";
import { printableField } from "../text/printable.ts";

/** How PortQry frames one protocol's exchange. */
interface QueryFrame {
  /** Lines announcing the query; `{port}` is the port number. */
  announce: string[];
  /** Lines before the answer (then a blank line), if any. */
  header?: string;
  /** The header follows the announcement on the next line, not after a blank one. */
  headerAttached?: boolean;
  /** The line closing the answer, after a blank line, if any. */
  footer?: string;
}

/** The frames, by the query's name (remote/udp_queries.ts and the endpoint mapper's). */
const FRAMES: ReadonlyMap<string, QueryFrame> = new Map([
  ["LDAP", {
    announce: ["Sending LDAP query to UDP port {port}..."],
    header: "LDAP query response:",
    footer: "======== End of LDAP query response ========",
  }],
  ["SQL Server", {
    announce: ["Sending SQL Server query to UDP port {port}..."],
    header: "Server's response:",
    footer: "==== End of SQL Server query response ====",
  }],
  ["RPC endpoint mapper", {
    announce: ["Querying Endpoint Mapper Database..."],
    header: "Server's response:",
    headerAttached: true,
    footer: "==== End of RPC Endpoint Mapper query response ====",
  }],
]);

/** Port lines per chunk of output: a 65,535-port range is written as it is formatted. */
const LINES_PER_CHUNK = 1024;

/** The text report, whole. */
export function formatQueryReport(report: QueryReport): string {
  return [...queryReportChunks(report)].join("");
}

/**
 * The text report in chunks, for writing as it is made. Every field that comes from outside
 * (the name the resolver gave, a server's greeting or answer) shows control characters as `?`,
 * one line each, so a server cannot forge lines of the report or drive the terminal.
 */
export function* queryReportChunks(report: QueryReport): Generator<string> {
  const lines = ["Querying target system called:", "", printableField(report.host), ""];
  if (report.given === "name") {
    lines.push("Attempting to resolve name to IP address...", "");
    lines.push(`Name resolved to ${report.address}`, "");
    if (report.otherAddresses.length > 0) {
      lines.push(
        `Other addresses for ${printableField(report.host)} (not queried): ` +
          report.otherAddresses.join(" "),
        "",
      );
    }
  } else if (report.reverseLookup) {
    lines.push("Attempting to resolve IP address to a name...", "");
    lines.push(
      report.name === null
        ? "No name found for this IP address"
        : `IP address resolved to ${printableField(report.name)}`,
      "",
    );
  }
  lines.push("querying...", "");
  let text = lines.join("\n") + "\n";
  let previousWasBlock = false;
  let lastBlank = true;
  let ports = 0;
  for (const result of report.results) {
    if (isPlain(result)) {
      // Most ports of a range: one status line, made without a list of lines.
      if (previousWasBlock) text += "\n";
      text += portLine(result) + "\n";
      previousWasBlock = lastBlank = false;
    } else {
      const block = portBlock(result, report.community);
      // A port with an exchange to show stands apart; plain status lines follow each other.
      if (block.length > 1 && !lastBlank) text += "\n";
      else if (block.length === 1 && previousWasBlock) text += "\n";
      text += block.join("\n") + "\n";
      previousWasBlock = block.length > 1;
      lastBlank = false;
    }
    if (++ports % LINES_PER_CHUNK === 0) {
      yield text;
      text = "";
    }
  }
  if (text.length > 0) yield text;
}

/** A port with nothing to show but its status line. */
function isPlain(result: PortResult): boolean {
  return result.query === null && result.reason === null && result.detail.length === 0;
}

/** `TCP port 80 (http service): LISTENING`; the services file's name for it on one line. */
function portLine(result: PortResult, state: string = result.state): string {
  return `${result.protocol.toUpperCase()} port ${result.port} ` +
    `(${printableField(result.service ?? "unknown")} service): ${state}`;
}

/** One port's lines: its status line, and the exchange with its service when there was one. */
function portBlock(result: PortResult, community: string): string[] {
  if (isPlain(result)) return [portLine(result)];
  const reason = result.reason === null ? [] : [`  ${result.reason}`];
  const detail = result.detail.map(printableField);
  if (result.query === null) {
    return [portLine(result), ...reason, ...detail.map((line) => `  ${line}`)];
  }
  if (result.query === "greeting") {
    return [portLine(result), ...reason, "", "Data returned from port:", ...detail];
  }
  const frame = FRAMES.get(result.query) ?? {
    announce: [`Sending ${result.query} query to ${result.protocol.toUpperCase()} port {port}...`],
  };
  const lines: string[] = [];
  if (result.protocol === "udp") lines.push(portLine(result, "LISTENING or FILTERED"), "");
  else lines.push(portLine(result), ...reason, "");
  if (result.query === "SNMP") {
    lines.push("community name for query:", "", printableField(community), "");
  }
  lines.push(...frame.announce.map((line) => line.replace("{port}", String(result.port))));
  if (result.detail.length > 0) {
    if (frame.header && frame.headerAttached) lines.push(frame.header, "");
    else if (frame.header) lines.push("", frame.header, "");
    else lines.push("");
    lines.push(...detail);
    if (frame.footer) lines.push("", frame.footer);
  }
  if (result.protocol === "udp") {
    lines.push("", `UDP port ${result.port} is ${result.state}`, ...reason);
  }
  return lines;
}
