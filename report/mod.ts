/**
 * Reading Port Reporter logs back: {@linkcode readLogDirectory} streams a directory of PR-INITIAL,
 * PR-PORTS and PR-PIDS files (portset's or the original's) into a {@linkcode Report}.
 *
 * ```ts
 * import { defaultInterests, readLogDirectory } from "./mod.ts";
 * const report = await readLogDirectory("/var/log/portset", {
 *   interests: defaultInterests(),
 *   baseline: null,
 * });
 * for (const flag of report.flags) console.log(flag.severity, flag.subject, flag.detail);
 * ```
 *
 * @module
 */

export * from "./model.ts";
export { type AnalyzerOptions, LIMITS, LogAnalyzer } from "./analyzer.ts";
export { readLogDirectories, readLogDirectory, type ReadLogsOptions } from "./read_logs.ts";
export * from "./fleet_model.ts";
export { FLEET_LIMITS, FleetAggregator } from "./fleet.ts";
export { findLogHosts, type FoundHosts, type HostLogs, SEARCH_DEPTH } from "./log_hosts.ts";
export { readFleet, type ReadFleetOptions } from "./read_fleet.ts";
export { type FileOffset, LogClock } from "./log_clock.ts";
export {
  DEFAULT_INTERESTS,
  defaultInterests,
  type Interests,
  InterestsError,
  type InterestsFile,
  loadInterests,
  parseInterests,
} from "./interests.ts";
export {
  type ListenerBaseline,
  ListenerBaselineError,
  loadListenerBaseline,
} from "./listener_baseline.ts";
