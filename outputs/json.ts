/**
 * `-local --json`: one object with `endpoints` (the model's fields, named as the CLI contract
 * names them, plus `key`) and `processes` (services, and modules with `-v`).
 *
 * @module
 */

import { endpointKey, type Snapshot } from "../model/endpoint.ts";
import { VERSION } from "../version.ts";

/**
 * The JSON text of a snapshot: one endpoint or process per line, so that large dumps stay
 * readable with `grep` and cheap to write.
 */
export function formatJson(snapshot: Snapshot): string {
  const head = JSON.stringify({
    portset: VERSION,
    host: snapshot.host,
    time: snapshot.time,
    source: snapshot.source,
    warnings: snapshot.warnings,
  });
  const endpoints = snapshot.endpoints.map((endpoint) =>
    JSON.stringify({ ...endpoint, key: endpointKey(endpoint) })
  );
  const processes = [...snapshot.processes.values()].map((process) => JSON.stringify(process));
  return `${head.slice(0, -1)},\n"endpoints": [\n${endpoints.join(",\n")}\n],\n` +
    `"processes": [\n${processes.join(",\n")}\n]}\n`;
}
