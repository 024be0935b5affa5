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
import { endpointIndexesByOwner } from "../model/snapshot.ts";
import { VERSION } from "../version.ts";
import { printableAddress, printableField } from "../text/printable.ts";
import { ByteText } from "../text/byte_text.ts";
import { formatTable, type LaidOutRows, writeTable } from "../text/table.ts";

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
 * break in a field would already have become a line of its own. The text is the report's UTF-8
 * decoded: a lone surrogate (only a Windows name can hold one) reads as U+FFFD, as it is written.
 */
export function formatLocalReport(snapshot: Snapshot, options: LocalReportOptions = {}): string {
  return writeLocalReport(snapshot, options).toString();
}

/** The report of {@linkcode formatLocalReport} as UTF-8, as the CLI writes it. */
export function localReportBytes(
  snapshot: Snapshot,
  options: LocalReportOptions = {},
): Uint8Array<ArrayBuffer> {
  return writeLocalReport(snapshot, options).bytes();
}

/**
 * The report, written into bytes: each endpoint's row is made once, as cells, and laid out in
 * the port table, in the mappings and under each process that holds it, 48,000 rows for a
 * 16,000-socket host, without a string per line.
 */
function writeLocalReport(snapshot: Snapshot, options: LocalReportOptions): ByteText {
  const { endpoints } = snapshot;
  // About 160 bytes an endpoint (three rows of about 50, and the blocks' headings), and room for
  // wider rows: outgrowing it copies megabytes into a buffer twice the size (1 ms, 16,000 rows).
  const out = new ByteText(4096 + endpoints.length * 200);
  out.lines([
    ` portset ${VERSION}: local TCP/UDP port report`,
    "",
    ` System Date: ${new Date(snapshot.time).toString()}`,
    ` Local computer name: ${printableField(snapshot.host)}`,
    ` Command run: ${printableField(options.command ?? "portset -local")}`,
    ` Source: ${printableField(snapshot.source)}`,
  ]);
  if (options.filter) {
    out.line(` Filter on: ${printableField(options.filter)} (counts are of the ports shown)`);
  }
  for (const warning of snapshot.warnings) out.line(` Note: ${printableField(warning)}`);
  // Sockets of other network namespaces: a Namespace column says whose each row is, blank for
  // the current namespace's, so that the host's rows read as they do with no container running.
  const others = otherNamespaces(endpoints);
  if (others.length > 0) {
    out.line(
      ` Network namespaces: current and ${others.length} more (${
        others.map((label) => printableField(label)).join(", ")
      }); a row's Namespace is blank for the current one`,
    );
  }
  const header = others.length > 0 ? [...PORT_HEADER, "Namespace"] : PORT_HEADER;
  const cells = portCells(endpoints, header.length);
  const table = (
    rows: ArrayLike<number>,
    options: { laidOut?: LaidOutRows; record?: boolean },
    lead?: { title: string; cells: string[] },
  ) =>
    writeTable(
      out,
      lead
        ? { header: [lead.title, ...header], cells, columns: header.length, rows, lead: lead.cells }
        : { header, cells, columns: header.length, rows },
      " ",
      options,
    );

  section(out, "TCP/UDP Port Usage");
  out.lines([` ${endpoints.length} active ports found`, ""]);
  // The port table's rows, as it lays them out: the mappings and the processes' tables copy a
  // row's bytes from it wherever their columns are as wide (a busy process's, as a rule).
  const laidOut = table(Array.from(endpoints.keys()), { record: true });

  section(out, "Port Statistics");
  out.lines(statistics(endpoints));

  const mapped: number[] = [];
  const owners: string[] = [];
  // One cell per owning process, made once: a busy process holds thousands of the rows.
  const ownerCells = new Map<number, { process: string | null; cell: string }>();
  for (let index = 0; index < endpoints.length; index++) {
    const { pid, process } = endpoints[index];
    if (pid === null) continue;
    mapped.push(index);
    let made = ownerCells.get(pid);
    if (made === undefined || made.process !== process) {
      made = { process, cell: `${pid}:${printableField(process ?? "?")}` };
      ownerCells.set(pid, made);
    }
    owners.push(made.cell);
  }
  section(out, "TCP/UDP Port to Process Mappings");
  out.lines([` ${mapped.length} mappings found`, ""]);
  table(mapped, { laidOut }, { title: "PID:Process", cells: owners });

  section(out, "Port and Module Information by Process");
  for (const [pid, indexes] of endpointIndexesByOwner(endpoints)) {
    out.line(RULE);
    const process = snapshot.processes.get(pid);
    out.lines(processHeading(pid, process, indexes.map((index) => endpoints[index])));
    table(indexes, { laidOut });
    out.line();
    if (options.verbose) out.lines(moduleLines(process));
  }
  out.lines([RULE, "", " End of portset output"]);
  return out;
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

function section(out: ByteText, title: string): void {
  out.lines(["", RULE, "", ` ${title}`, "", RULE, ""]);
}

/**
 * Each endpoint's port-table cells, `columns` to an endpoint: `TCP 80`, local address, state,
 * peer, and the namespace's label when the table has that column. Addresses are fields from
 * outside too: an IPv6 scope is an interface's name, which may hold an escape character.
 */
function portCells(endpoints: readonly Endpoint[], columns: number): string[] {
  const cells = new Array<string>(endpoints.length * columns);
  let at = 0;
  for (const endpoint of endpoints) {
    const { protocol } = endpoint;
    let peer: string;
    if (endpoint.remoteAddress !== null) {
      peer = formatAddressPort(printableAddress(endpoint.remoteAddress), endpoint.remotePort ?? 0);
    } else if (isTcp(protocol)) {
      peer = isIpv6(protocol) ? "[::]:0" : "0.0.0.0:0";
    } else {
      peer = "*:*";
    }
    cells[at++] = `${PROTOCOL_TITLES[protocol]} ${endpoint.localPort}`;
    cells[at++] = printableAddress(endpoint.localAddress);
    cells[at++] = endpoint.state ?? "";
    cells[at++] = peer;
    if (columns > PORT_HEADER.length) {
      cells[at++] = printableField(otherNamespaceLabel(endpoint) ?? "");
    }
  }
  return cells;
}

const PROTOCOL_TITLES: Record<Endpoint["protocol"], string> = {
  tcp: "TCP",
  tcp6: "TCP6",
  udp: "UDP",
  udp6: "UDP6",
};

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

/** A process block's lines above its port table. */
function processHeading(
  pid: number,
  process: ProcessInfo | undefined,
  endpoints: readonly Endpoint[],
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
  return lines;
}

/** With `-v`: a process block's lines below its port table. */
function moduleLines(process: ProcessInfo | undefined): string[] {
  const lines: string[] = [];
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
  return lines;
}
