/**
 * `-n HOST --json` (schemas/query.schema.json): the head (this machine as `host`, the queried
 * one as `target`, the address probed, the resolver's other answers, the reverse lookup's name),
 * then one result per port and protocol, one per line.
 *
 * @module
 */

import type { QueryReport } from "../remote/query.ts";
import { VERSION } from "../version.ts";
import { jsonDocumentChunks } from "../text/json_layout.ts";

/**
 * The format `-n --json` declares. Version 2: the queried host is `target` (`host` is this
 * machine in every output), and `protocol` names the family probed (`tcp6` over IPv6).
 */
export const QUERY_FORMAT = "portset-query/2";

/** Where and when the query was made. */
export interface QueryFacts {
  /** This machine. */
  host: string;
  /** When the query started, ISO 8601. */
  time: string;
}

/**
 * The JSON report in chunks, for writing as it is made: each result is
 * `{protocol, port, service, state, reason, query, detail}`, `reason` why the port has its state
 * when more is known, `query` the question asked in the service's protocol, `detail` the
 * service's answer as text (lines joined by `\n`); each null when there is none.
 */
export function queryJsonChunks(report: QueryReport, facts: QueryFacts): Generator<string> {
  const family = report.address.includes(":") ? "6" : "";
  return jsonDocumentChunks({
    format: QUERY_FORMAT,
    portset: VERSION,
    host: facts.host,
    time: facts.time,
    target: report.host,
    address: report.address,
    otherAddresses: report.otherAddresses,
    name: report.name,
  }, {
    results: (function* () {
      for (const result of report.results) {
        yield {
          protocol: result.protocol + family,
          port: result.port,
          service: result.service,
          state: result.state,
          reason: result.reason,
          query: result.query,
          detail: result.detail.length > 0 ? result.detail.join("\n") : null,
        };
      }
    })(),
  });
}

/** {@linkcode queryJsonChunks} as one string. */
export function formatQueryJson(report: QueryReport, facts: QueryFacts): string {
  return [...queryJsonChunks(report, facts)].join("");
}
