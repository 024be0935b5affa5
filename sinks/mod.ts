/**
 * Where the monitor's looks and events go, each destination a {@linkcode Sink} the monitor loop
 * feeds: the Port Reporter logs, the rule event stream, syslog, Prometheus metrics.
 *
 * @module
 */

export type { LookTiming, Sink } from "../monitor/sink.ts";
export { type EventStreamOptions, EventStreamSink } from "./event_stream.ts";
export { PortReporterSink } from "./port_reporter.ts";
export { SyslogSender, SyslogSink, type SyslogSinkOptions, type SyslogTarget } from "./syslog.ts";
export { MetricsSink, type MetricsSinkOptions } from "./metrics.ts";
export { type MetricsAddress, MetricsServer } from "./metrics_server.ts";
export { TEXTFILE_NAME, TextfileWriter } from "./textfile.ts";
