/**
 * portset as a library: collect the host's TCP/UDP endpoints with their owners, and format them.
 *
 * ```ts
 * import { createCollector, endpointKey } from "./mod.ts";
 * const collector = await createCollector();
 * const snapshot = collector.collect();
 * collector.close();
 * for (const endpoint of snapshot.endpoints) console.log(endpointKey(endpoint), endpoint.pid);
 * ```
 *
 * @module
 */

export * from "./model/endpoint.ts";
export { formatAddressPort, formatIpv4, formatIpv6 } from "./model/address.ts";
export { compareEndpoints, sortEndpoints } from "./model/order.ts";
export { makeSnapshot } from "./model/snapshot.ts";
export {
  SOCKET_CHANGE_KINDS,
  type SocketChange,
  type SocketChangeKind,
} from "./model/socket_change.ts";
export * from "./collectors/mod.ts";
export { formatLocalReport, type LocalReportOptions } from "./outputs/local_report.ts";
export { endpointJson, formatJson, jsonChunks } from "./outputs/json.ts";
export { CSV_COLUMNS, formatCsv } from "./outputs/csv.ts";
export { TARGET, VERSION } from "./version.ts";
export * from "./rules/mod.ts";
export { type QueryOptions, queryPorts, type QueryReport } from "./remote/query.ts";
export { type ResolvedTarget, resolveTarget } from "./remote/resolve.ts";
export { parsePortList, parsePortRange, PortSpecError } from "./remote/targets.ts";
export { type PortResult, type PortState, quietExitCode } from "./remote/port_result.ts";
export { loadServices, parseServices, serviceName } from "./remote/services_file.ts";
export { formatQueryReport } from "./outputs/query_report.ts";
export { formatQueryJson } from "./outputs/query_json.ts";
export * from "./port_reporter/mod.ts";
export * from "./report/mod.ts";
export { formatReportText, type ReportTextOptions } from "./outputs/report_text.ts";
export { formatReportHtml } from "./outputs/report_html/mod.ts";
