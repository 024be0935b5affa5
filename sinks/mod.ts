/**
 * Where the monitor's looks and events go, each destination a {@linkcode Sink} the monitor loop
 * feeds: the Port Reporter logs, the rule event stream, syslog (and the queue its messages wait
 * in while the server is away), Loki, Prometheus metrics.
 *
 * @module
 */

export type { LookTiming, Sink } from "../monitor/sink.ts";
export { type EventStreamOptions, EventStreamSink } from "./event_stream.ts";
export { PortReporterSink } from "./port_reporter.ts";
export {
  SyslogSink,
  type SyslogSinkOptions,
  type SyslogTarget,
  type SyslogTransport,
  UdpSyslogSender,
} from "./syslog.ts";
export { type StreamReports, StreamSender, type StreamTarget } from "./syslog_stream.ts";
export { DEFAULT_QUEUE_BYTES, MemoryQueue, type MessageQueue } from "./message_queue.ts";
export { DiskQueue, QueueError } from "./disk_queue.ts";
export { LokiSink, type LokiSinkOptions } from "./loki.ts";
export { MetricsSink, type MetricsSinkOptions } from "./metrics.ts";
export { type MetricsAddress, MetricsServer } from "./metrics_server.ts";
export { TEXTFILE_NAME, TextfileWriter } from "./textfile.ts";
