/**
 * The watch modes' output (`-wport`, `-wpid`), as PortQry lays out its watch log: a header, a
 * dated block per change with the watched sockets' table, and an end line.
 *
 * @module
 */

import { otherNamespaceLabel } from "../model/network_namespace.ts";
import { formatAddressPort } from "../model/address.ts";
import { type Endpoint, isIpv6, isTcp } from "../model/endpoint.ts";
import type { SocketChange } from "../model/socket_change.ts";
import { VERSION } from "../version.ts";
import { printableAddress, printableField } from "../text/printable.ts";
import { formatTable } from "../text/table.ts";

const RULE = " " + "=".repeat(60);

/** What the header says. */
export interface WatchHeader {
  /** `local port 80 (TCP and UDP)` or `process 1234 (nginx)`. */
  watching: string;
  command: string;
  host: string;
  intervalSeconds: number;
  time: Date;
}

/**
 * The header of a watch. What is watched (which names a process), the command line and the
 * host's name show control characters as `?`, each on its one line, as every field from outside
 * does in the blocks.
 */
export function formatWatchHeader(header: WatchHeader): string {
  const watching = printableField(header.watching);
  return [
    ` portset ${VERSION}: watching ${watching}`,
    "",
    ` System Date: ${header.time.toString()}`,
    ` Command run: ${printableField(header.command)}`,
    ` Local computer name: ${printableField(header.host)}`,
    ` Watching: ${watching}`,
    ` Interval: ${header.intervalSeconds} second${header.intervalSeconds === 1 ? "" : "s"}`,
    " Stop with Ctrl+C.",
    "",
  ].join("\n") + "\n";
}

/** Local date and time with its UTC offset: `2026-11-22 00:55:06 +01:00`, sortable and unambiguous. */
function localTimestamp(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const offset = -time.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())} ` +
    `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())} ` +
    `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
}

/**
 * One dated block: a title, the changes (none for the starting state), and the table. Process
 * names, users, paths and addresses show control characters as `?`: a process named
 * `bad\nname\x1b[31m` is one row, and drives no terminal.
 */
export function formatWatchBlock(
  time: Date,
  title: string,
  changes: readonly SocketChange[],
  endpoints: readonly Endpoint[],
  verbose: boolean,
): string {
  const lines = ["", RULE, ` ${localTimestamp(time)}  ${printableField(title)}`, RULE, ""];
  if (changes.length > 0) {
    lines.push(...formatTable(changes.map(changeRow), " "), "");
  }
  if (endpoints.length === 0) {
    lines.push(" (no sockets)");
  } else {
    const header = ["PID:Process", "Port", "Local IP", "State", "Remote IP:Port"];
    if (verbose) header.push("User", "Path");
    // Sockets of other network namespaces (a port watched in a container too): whose each is.
    const namespaces = endpoints.some((endpoint) => otherNamespaceLabel(endpoint) !== null);
    if (namespaces) header.push("Namespace");
    const row = (endpoint: Endpoint) => {
      const cells = endpointRow(endpoint, verbose);
      if (namespaces) cells.push(printableField(otherNamespaceLabel(endpoint) ?? "current"));
      return cells;
    };
    lines.push(...formatTable([header, ...endpoints.map(row)]));
  }
  return lines.join("\n") + "\n";
}

/** The end line. */
export function formatWatchEnd(time: Date, reason: string, changeCount: number): string {
  return `\n${RULE}\n portset stopped watching at ${localTimestamp(time)} ` +
    `(${printableField(reason)}); ${changeCount} change${changeCount === 1 ? "" : "s"} seen\n`;
}

const MARK: Record<SocketChange["kind"], string> = {
  listen: "+",
  bind: "+",
  connect: "+",
  state: "~",
  owner: "~",
  close: "-",
};

function changeRow(change: SocketChange): string[] {
  const { endpoint, previous } = change;
  const state = change.kind === "state"
    ? `${previous?.state ?? "-"} -> ${endpoint.state ?? "-"}`
    : endpoint.state ?? "";
  const owner = change.kind === "owner"
    ? `${owner_(previous!)} -> ${owner_(endpoint)}`
    : owner_(endpoint);
  const row = [
    `${MARK[change.kind]} ${change.kind}`,
    `${endpoint.protocol.toUpperCase()} ${endpoint.localPort}`,
    printableAddress(endpoint.localAddress),
    state,
    peer(endpoint),
    owner,
  ];
  const namespace = otherNamespaceLabel(endpoint);
  if (namespace !== null) row.push(`netns ${printableField(namespace)}`);
  return row;
}

function endpointRow(endpoint: Endpoint, verbose: boolean): string[] {
  const row = [
    owner_(endpoint),
    `${endpoint.protocol.toUpperCase()} ${endpoint.localPort}`,
    printableAddress(endpoint.localAddress),
    endpoint.state ?? "",
    peer(endpoint),
  ];
  if (verbose) row.push(printableField(endpoint.user ?? "-"), printableField(endpoint.path ?? "-"));
  return row;
}

function owner_(endpoint: Endpoint): string {
  return endpoint.pid === null ? "-" : `${endpoint.pid}:${printableField(endpoint.process ?? "?")}`;
}

function peer(endpoint: Endpoint): string {
  if (endpoint.remoteAddress !== null) {
    return formatAddressPort(printableAddress(endpoint.remoteAddress), endpoint.remotePort ?? 0);
  }
  if (!isTcp(endpoint.protocol)) return "*:*";
  return isIpv6(endpoint.protocol) ? "[::]:0" : "0.0.0.0:0";
}
