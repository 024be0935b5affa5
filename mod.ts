/**
 * portset as a library: collect the host's TCP/UDP endpoints with their owners, and format them;
 * select listening ports by a PortSet rule, baseline them and compare (rules/mod.ts); query a
 * remote host's ports; write and read Port Reporter logs (port_reporter/mod.ts) and report on
 * them (report/mod.ts).
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
export { formatScanText } from "./outputs/rule_scan.ts";
export {
  type BaselineFacts,
  CHECK_FORMAT,
  EVENTS_FORMAT,
  formatCheckJson,
  formatCheckJsonl,
  formatScanJson,
  type RuleRunFacts,
  SCAN_FORMAT,
} from "./outputs/rule_json.ts";
export {
  DEFAULT_TIMING,
  type QueryOptions,
  queryPorts,
  type QueryReport,
  QueryResults,
  type QueryTiming,
} from "./remote/query.ts";
export { type ResolvedTarget, ResolveError, resolveTarget } from "./remote/resolve.ts";
export { parsePortList, parsePortRange, PortSpecError } from "./remote/targets.ts";
export {
  type PortFinding,
  type PortResult,
  type PortState,
  quietExitCode,
} from "./remote/port_result.ts";
export {
  loadServices,
  parseServices,
  serviceName,
  type ServiceNames,
} from "./remote/services_file.ts";
export { formatQueryReport } from "./outputs/query_report.ts";
export { formatQueryJson, QUERY_FORMAT, type QueryFacts } from "./outputs/query_json.ts";
export * from "./port_reporter/mod.ts";
export * from "./report/mod.ts";
export { formatReportText, type ReportTextOptions } from "./outputs/report_text.ts";
export { formatReportHtml } from "./outputs/report_html/mod.ts";
export { type FleetTextOptions, formatFleetText } from "./outputs/fleet_text.ts";
export { fleetJsonChunks } from "./outputs/fleet_json.ts";
export { formatFleetHtml } from "./outputs/report_html/fleet_page.ts";
