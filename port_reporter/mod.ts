/**
 * The Port Reporter logs, in one place: the format's words and fields (layout.ts), its times, the
 * writer of each of the three files (PR-INITIAL, PR-PORTS, PR-PIDS) beside its reader, which reads
 * both dialects, portset's and the original Port Reporter 1.01's; the {@linkcode PortReporter}
 * that writes a run's logs; and the finding and ordering of a directory's logs.
 *
 * ```ts
 * import { PortsLogReader } from "./mod.ts";
 * const reader = new PortsLogReader((record) => console.log(record), () => {});
 * reader.push("05/7/6,13:52:4,UDP,1088,0.0.0.0,*,*,1540,rdpclip.exe,<TEST\\Administrator>", 1);
 * reader.finish();
 * ```
 *
 * @module
 */

export {
  type Dialect,
  LOG_CHANGE_KINDS,
  type LogChangeKind,
  type LogProblem,
  type LogProtocol,
  ORIGINAL_FIELDS,
  PORTS_FIELDS,
} from "./layout.ts";
export { DEFAULT_MAX_BYTES, PortReporter, type PortReporterOptions } from "./reporter.ts";
export { ReporterError } from "./append_file.ts";
export { applyRetention, DEFAULT_RETENTION, type Retention } from "./retention.ts";
export { type DateOrder, formatLogTime, parseLogDateTime } from "./log_time.ts";
export { PortsLogReader, type PortsRecord } from "./ports_log.ts";
export { PidsLogReader, type PidsRecord } from "./pids_log.ts";
export { InitialLogReader, type InitialSnapshot } from "./initial_log.ts";
export { type ProcessDetail } from "./process_block.ts";
export type { PortRow, PortStatistics } from "./port_table.ts";
export type { HeaderFacts } from "./header.ts";
export { type LineHandler, readLines } from "./line_reader.ts";
export {
  findLogRuns,
  LogDirectoryError,
  type LogFile,
  type LogKind,
  type LogRun,
} from "./log_files.ts";
