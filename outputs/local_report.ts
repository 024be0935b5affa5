/**
 * `portset -local`: the PortQry local report. Port usage, port statistics, port-to-process
 * mappings, then a block per process with its services, user, ports and (with `-v`) modules.
 *
 * @module
 */

import { formatAddressPort } from "../model/address.ts";
import {
  type Endpoint,
  isIpv6,
  isTcp,
  type ProcessInfo,
  type Snapshot,
  TCP_STATES,
} from "../model/endpoint.ts";
import { namespaceLabel, otherNamespaceLabel } from "../model/network_namespace.ts";
import { serviceLines } from "../port_reporter/process_block.ts";
import { endpointsByOwner } from "../model/snapshot.ts";
import { VERSION } from "../version.ts";
import { printableField } from "../text/printable.ts";
import { formatTable } from "../text/table.ts";

/** How the report is asked for. */
export interface LocalReportOptions {
  /** List loaded modules per process. */
  verbose?: boolean;
  /** The command line as the user typed it, for the header. */
  command?: string;
  /** `-local`'s filters as typed, when the snapshot was filtered: the header says so. */
  filter?: string;
}

const RULE = " " + "=".repeat(60);

/**
 * The whole report as text. Every field that comes from outside (names, paths, users, services,
 * modules, the host's name, the command line, addresses with an interface's name) shows control
 * characters, line breaks and tabs included, as `?`: any local user can name a process
 * `bad\nname\x1b[31m`, and that must neither add a line to the report nor reach the terminal as
 * an escape sequence. Fields are made safe one by one, not the text as a whole, since a line
 * break in a field would already have become a line of its own.
 */
export function formatLocalReport(snapshot: Snapshot, options: LocalReportOptions = {}): string {
  const lines: string[] = [
    ` portset ${VERSION}: local TCP/UDP port report`,
    "",
    ` System Date: ${new Date(snapshot.time).toString()}`,
    ` Local computer name: ${printableField(snapshot.host)}`,
    ` Command run: ${printableField(options.command ?? "portset -local")}`,
    ` Source: ${printableField(snapshot.source)}`,
  ];
  if (options.filter) {
    lines.push(` Filter on: ${printableField(options.filter)} (counts are of the ports shown)`);
  }
  for (const warning of snapshot.warnings) lines.push(` Note: ${printableField(warning)}`);
  // Sockets of other network namespaces: a Namespace column says whose each row is.
  const others = otherNamespaces(snapshot.endpoints);
  if (others.length > 0) {
    lines.push(
      ` Network namespaces: current and ${others.length} more (${
        others.map((label) => printableField(label)).join(", ")
      })`,
    );
  }
  const header = others.length > 0 ? [...PORT_HEADER, "Namespace"] : PORT_HEADER;

  // Each endpoint's row is made once: it is listed in the port table, in the mappings and under
  // each process that holds it, 48,000 rows for a 16,000-socket host.
  const rows = new Map<Endpoint, string[]>();
  for (const endpoint of snapshot.endpoints) {
    const row = portRow(endpoint);
    if (others.length > 0) row.push(printableField(otherNamespaceLabel(endpoint) ?? "current"));
    rows.set(endpoint, row);
  }
  const rowOf = (endpoint: Endpoint) => rows.get(endpoint)!;

  section(lines, "TCP/UDP Port Usage");
  lines.push(` ${snapshot.endpoints.length} active ports found`, "");
  append(lines, formatTable([header, ...rows.values()]));

  section(lines, "Port Statistics");
  lines.push(...statistics(snapshot.endpoints));

  const mapped = snapshot.endpoints.filter((endpoint) => endpoint.pid !== null);
  section(lines, "TCP/UDP Port to Process Mappings");
  lines.push(` ${mapped.length} mappings found`, "");
  append(
    lines,
    formatTable([
      ["PID:Process", ...header],
      ...mapped.map((
        endpoint,
      ) => [`${endpoint.pid}:${printableField(endpoint.process ?? "?")}`, ...rowOf(endpoint)]),
    ]),
  );

  section(lines, "Port and Module Information by Process");
  const byProcess = endpointsByOwner(snapshot.endpoints);
  for (const [pid, endpoints] of byProcess) {
    const process = snapshot.processes.get(pid);
    lines.push(RULE);
    append(
      lines,
      processBlock(pid, process, endpoints, options.verbose ?? false, rowOf, header),
    );
  }
  lines.push(RULE, "", " End of portset output", "");
  return lines.join("\n");
}

const PORT_HEADER = ["Port", "Local IP", "State", "Remote IP:Port"];

/** The labels of the namespaces other than the current one, in the endpoints' order. */
function otherNamespaces(endpoints: readonly Endpoint[]): string[] {
  const seen = new Set<NonNullable<Endpoint["netns"]>>();
  for (const endpoint of endpoints) {
    if (endpoint.netns && !endpoint.netns.current) seen.add(endpoint.netns);
  }
  return [...seen].map(namespaceLabel);
}

/** Adds `more` to `lines`: push(...more) would pass each of 16,000 lines as an argument. */
function append(lines: string[], more: readonly string[]): void {
  for (const line of more) lines.push(line);
}

function section(lines: string[], title: string): void {
  lines.push("", RULE, "", ` ${title}`, "", RULE, "");
}

/**
 * A port-table row: `TCP 80`, local address, state, peer. Addresses are fields from outside too:
 * an IPv6 scope is an interface's name, which may hold an escape character.
 */
function portRow(endpoint: Endpoint): string[] {
  const protocol = endpoint.protocol.toUpperCase();
  let peer: string;
  if (endpoint.remoteAddress !== null) {
    peer = formatAddressPort(printableField(endpoint.remoteAddress), endpoint.remotePort ?? 0);
  } else if (isTcp(endpoint.protocol)) {
    peer = isIpv6(endpoint.protocol) ? "[::]:0" : "0.0.0.0:0";
  } else {
    peer = "*:*";
  }
  return [
    `${protocol} ${endpoint.localPort}`,
    printableField(endpoint.localAddress),
    endpoint.state ?? "",
    peer,
  ];
}

function statistics(endpoints: readonly Endpoint[]): string[] {
  const tcp = endpoints.filter((endpoint) => isTcp(endpoint.protocol));
  const lines = [
    ` TCP mappings: ${tcp.length}`,
    ` UDP mappings: ${endpoints.length - tcp.length}`,
    "",
  ];
  const counts = new Map<string, number>();
  for (const endpoint of tcp) counts.set(endpoint.state!, (counts.get(endpoint.state!) ?? 0) + 1);
  const rows = TCP_STATES.filter((state) => counts.has(state)).map((state) => {
    const count = counts.get(state)!;
    return [
      ` TCP ports in a ${state} state:`,
      `${count} = ${(100 * count / tcp.length).toFixed(2)}%`,
    ];
  });
  return [...lines, ...formatTable(rows, "")];
}

function processBlock(
  pid: number,
  process: ProcessInfo | undefined,
  endpoints: Endpoint[],
  verbose: boolean,
  rowOf: (endpoint: Endpoint) => string[],
  header: readonly string[],
): string[] {
  const lines = ["", ` Process ID: ${pid} (${printableField(process?.process ?? "unknown")})`, ""];
  if (process?.path) lines.push(` Path: ${printableField(process.path)}`);
  lines.push(` User context: ${printableField(process?.user ?? "unknown")}`, "");
  if (process?.services.length) {
    for (const service of process.services) lines.push(...serviceLines(service, " "), "");
  } else {
    lines.push(" Process doesn't appear to be a service", "");
  }
  lines.push(" Port Statistics", "", ...statistics(endpoints), "");
  append(lines, formatTable([header, ...endpoints.map(rowOf)]));
  lines.push("");
  if (verbose) {
    if (process?.modules) {
      lines.push(" Loaded modules:");
      for (const module of process.modules) {
        lines.push(` ${printableField(module.path)} (${module.baseAddress})`);
      }
    } else {
      lines.push(
        ` Module information could not be read for this process${
          process?.modulesError ? ` (${printableField(process.modulesError)})` : ""
        }`,
      );
    }
    lines.push("");
  }
  return lines;
}
