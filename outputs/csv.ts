/**
 * `-local --csv`: one header line, then one RFC 4180 line per endpoint, each field guarded
 * against formula injection (see text/csv.ts's `spreadsheetField`).
 *
 * @module
 */

import { type Endpoint, endpointKey, type Snapshot } from "../model/endpoint.ts";
import { otherNamespaceLabel } from "../model/network_namespace.ts";
import { type Cell, spreadsheetField } from "../text/csv.ts";

/** Each column's name (the JSON field's, where there is one) and how to read it, in order. */
const COLUMNS: readonly (readonly [string, (endpoint: Endpoint) => Cell])[] = [
  ["protocol", (e) => e.protocol],
  ["localAddress", (e) => e.localAddress],
  ["localPort", (e) => e.localPort],
  ["remoteAddress", (e) => e.remoteAddress],
  ["remotePort", (e) => e.remotePort],
  ["state", (e) => e.state],
  ["pid", (e) => e.pid],
  ["process", (e) => e.process],
  ["path", (e) => e.path],
  ["user", (e) => e.user],
  // Several owners as `pid:process` pairs joined by `;`.
  ["owners", (e) => e.owners?.map((owner) => `${owner.pid}:${owner.process ?? ""}`).join(";")],
  ["key", endpointKey],
  ["inode", (e) => e.inode],
  ["socketUid", (e) => e.socketUid],
  ["receiveQueue", (e) => e.receiveQueue],
  ["sendQueue", (e) => e.sendQueue],
  ["interface", (e) => e.interface],
  ["v6only", (e) => e.v6only],
  ["created", (e) => e.created],
  // Last, so that the columns before keep their places: the namespace's label (empty for the
  // one portset ran in) and its inode (empty where the OS has no namespaces).
  ["netns", otherNamespaceLabel],
  ["netnsInode", (e) => e.netns?.inode ?? null],
];

/** The column names, in order. */
export const CSV_COLUMNS: readonly string[] = COLUMNS.map(([name]) => name);

/** The CSV text of a snapshot's endpoints: a header line, then one line per endpoint. */
export function formatCsv(snapshot: Snapshot): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const endpoint of snapshot.endpoints) {
    lines.push(COLUMNS.map(([, read]) => spreadsheetField(read(endpoint))).join(","));
  }
  return lines.join("\n") + "\n";
}
