/**
 * `portset report DIR DIR… --json` (schemas/fleet.schema.json): the fleet report in the layout
 * every JSON output has (text/json_layout.ts): its plain fields on the first line, then each list
 * one record per line.
 *
 * @module
 */

import type { FleetReport } from "../report/fleet_model.ts";
import { jsonDocumentChunks } from "../text/json_layout.ts";

/** The fleet report's JSON text, in chunks. */
export function fleetJsonChunks(report: FleetReport): Generator<string> {
  const { hosts, flags, listeningPorts, remoteAddresses, ...head } = report;
  return jsonDocumentChunks(head, { hosts, flags, listeningPorts, remoteAddresses });
}
