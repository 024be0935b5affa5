/**
 * `-local --csv`: one header line, then one RFC 4180 line per endpoint.
 *
 * @module
 */

import { endpointKey, type Snapshot } from "../model/endpoint.ts";
import { printableField } from "./printable.ts";

/** The columns, in order; the first ten are the JSON field names. */
export const CSV_COLUMNS = [
  "protocol",
  "localAddress",
  "localPort",
  "remoteAddress",
  "remotePort",
  "state",
  "pid",
  "process",
  "path",
  "user",
  "owners",
  "key",
  "inode",
  "uid",
  "receiveQueue",
  "sendQueue",
  "interface",
  "created",
] as const;

/**
 * A CSV field: control characters (line breaks included) shown as `?`, so a record is one line
 * and nothing reaches a terminal as an escape sequence; quoted when it holds a comma or quote.
 */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = printableField(String(value));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV text of a snapshot's endpoints. Several owners are written `pid:process` joined by `;`. */
export function formatCsv(snapshot: Snapshot): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const endpoint of snapshot.endpoints) {
    const owners = endpoint.owners?.map((owner) => `${owner.pid}:${owner.process ?? ""}`).join(";");
    lines.push(
      [
        endpoint.protocol,
        endpoint.localAddress,
        endpoint.localPort,
        endpoint.remoteAddress,
        endpoint.remotePort,
        endpoint.state,
        endpoint.pid,
        endpoint.process,
        endpoint.path,
        endpoint.user,
        owners,
        endpointKey(endpoint),
        endpoint.inode,
        endpoint.uid,
        endpoint.receiveQueue,
        endpoint.sendQueue,
        endpoint.interface,
        endpoint.created,
      ].map(csvField).join(","),
    );
  }
  return lines.join("\n") + "\n";
}
