/**
 * `portset -local`: the PortQry local report. Port usage, port statistics, port-to-process
 * mappings, then a block per process with its services, user, ports and (with `-v`) modules.
 *
 * @module
 */

import { type Endpoint, type ProcessInfo, type Snapshot, TCP_STATES } from "../model/endpoint.ts";
import { namespaceLabel } from "../model/network_namespace.ts";
import { serviceLines } from "../port_reporter/process_block.ts";
import { VERSION } from "../version.ts";
import { printableField } from "../text/printable.ts";
import { ByteText } from "../text/byte_text.ts";
import { formatTable, writeTable } from "../text/table.ts";
import {
  OTHER_TCP_SLOT,
  PORT_HEADER,
  type PortCounts,
  portRows,
  UDP_SLOT,
} from "./local_report_rows.ts";

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
  const rows = portRows(endpoints, others.length > 0);
  const { cells, cellWidths, columns } = rows;

  section(out, "TCP/UDP Port Usage");
  out.lines([` ${endpoints.length} active ports found`, ""]);
  // The port table's rows, as it lays them out: the mappings and the processes' tables copy a
  // row's bytes from it wherever their columns are as wide (a busy process's, as a rule).
  const laidOut = writeTable(
    out,
    {
      header,
      cells,
      cellWidths,
      columns,
      rows: everyRow(endpoints.length),
      widths: rows.widths,
    },
    " ",
    { record: true },
  );

  section(out, "Port Statistics");
  out.lines(statistics(rows.counts));

  section(out, "TCP/UDP Port to Process Mappings");
  out.lines([` ${rows.mapped.length} mappings found`, ""]);
  writeTable(
    out,
    {
      header: ["PID:Process", ...header],
      cells,
      cellWidths,
      columns,
      rows: rows.mapped,
      lead: rows.owners,
      leadWidths: rows.ownerWidths,
      widths: rows.mappedWidths,
    },
    " ",
    { laidOut },
  );

  section(out, "Port and Module Information by Process");
  for (const [pid, { indexes, widths, counts }] of rows.byProcess) {
    out.line(RULE);
    const process = snapshot.processes.get(pid);
    out.lines(processHeading(pid, process, statistics(counts)));
    writeTable(out, { header, cells, cellWidths, columns, rows: indexes, widths }, " ", {
      laidOut,
    });
    out.line();
    if (options.verbose) out.lines(moduleLines(process));
  }
  out.lines([RULE, "", " End of portset output"]);
  return out;
}

/** The labels of the namespaces other than the current one, in the endpoints' order. */
function otherNamespaces(endpoints: readonly Endpoint[]): string[] {
  const seen = new Set<NonNullable<Endpoint["netns"]>>();
  // A namespace's endpoints come together, sorted: one look per stretch, not per endpoint.
  let last: Endpoint["netns"];
  for (let index = 0; index < endpoints.length; index++) {
    const namespace = endpoints[index].netns;
    if (namespace === last) continue;
    last = namespace;
    if (namespace && !namespace.current) seen.add(namespace);
  }
  return [...seen].map(namespaceLabel);
}

/**
 * 0 to `count` - 1, the port table's rows, by a plain loop: `Array.from(endpoints.keys())` steps
 * an iterator per row, slow in code that runs once.
 */
function everyRow(count: number): Uint32Array {
  const rows = new Uint32Array(count);
  for (let row = 0; row < count; row++) rows[row] = row;
  return rows;
}

function section(out: ByteText, title: string): void {
  out.lines(["", RULE, "", ` ${title}`, "", RULE, ""]);
}

/** The Port Statistics lines of rows counted in `counts`. */
function statistics(counts: PortCounts): string[] {
  let tcp = counts[OTHER_TCP_SLOT];
  for (let slot = 0; slot < TCP_STATES.length; slot++) tcp += counts[slot];
  const lines = [` TCP mappings: ${tcp}`, ` UDP mappings: ${counts[UDP_SLOT]}`, ""];
  const rows: string[][] = [];
  for (let slot = 0; slot < TCP_STATES.length; slot++) {
    const count = counts[slot];
    if (count === 0) continue;
    rows.push([
      ` TCP ports in a ${TCP_STATES[slot]} state:`,
      `${count} = ${(100 * count / tcp).toFixed(2)}%`,
    ]);
  }
  return [...lines, ...formatTable(rows, "")];
}

/** A process block's lines above its port table. */
function processHeading(
  pid: number,
  process: ProcessInfo | undefined,
  statisticsLines: readonly string[],
): string[] {
  const lines = ["", ` Process ID: ${pid} (${printableField(process?.process ?? "unknown")})`, ""];
  if (process?.path) lines.push(` Path: ${printableField(process.path)}`);
  lines.push(` User context: ${printableField(process?.user ?? "unknown")}`, "");
  if (process?.services.length) {
    for (const service of process.services) lines.push(...serviceLines(service, " "), "");
  } else {
    lines.push(" Process doesn't appear to be a service", "");
  }
  lines.push(" Port Statistics", "", ...statisticsLines, "");
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
