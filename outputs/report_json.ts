/**
 * `portset report --json` (schemas/report.schema.json): the report in the layout every JSON
 * output has (text/json_layout.ts): its plain fields on the first line (the timeline among
 * them), then each list one record per line.
 *
 * @module
 */

import type { Report } from "../report/model.ts";
import { jsonDocumentChunks } from "../text/json_layout.ts";

/** The report's JSON text, in chunks. */
export function reportJsonChunks(report: Report): Generator<string> {
  const {
    files,
    ports,
    processes,
    remoteAddresses,
    users,
    hours,
    sharedProcesses,
    flags,
    changes,
    ...head
  } = report;
  return jsonDocumentChunks(head, {
    files,
    ports,
    processes,
    remoteAddresses,
    users,
    hours,
    sharedProcesses,
    flags,
    changes,
  });
}
