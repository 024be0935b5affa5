/**
 * `portset monitor`: the Port Reporter service's logs (`--log-dir`) and real-time rule events
 * (`--rule`, on stdout and optionally to syslog), until Ctrl+C or SIGTERM.
 *
 * @module
 */

import { createCollector, describeOperatingSystem } from "../collectors/platform.ts";
import { runAsService } from "../collectors/service_manager.ts";
import { ServiceUnavailableError } from "../collectors/service.ts";
import { runMonitorLoop } from "../monitor/monitor.ts";
import { RuleMonitor } from "../monitor/rule_monitor.ts";
import type { Sink } from "../monitor/sink.ts";
import { formatEventsCef, formatEventsText } from "../outputs/rule_events.ts";
import { formatEventLines } from "../outputs/rule_json.ts";
import { ReporterError } from "../port_reporter/append_file.ts";
import type { Retention } from "../port_reporter/retention.ts";
import type { ChangeEvent } from "../rules/changes.ts";
import {
  DEFAULT_QUEUE_BYTES,
  DiskQueue,
  EventStreamSink,
  LokiSink,
  MemoryQueue,
  MetricsServer,
  MetricsSink,
  PortReporterSink,
  SyslogSink,
  TextfileWriter,
} from "../sinks/mod.ts";
import { InputFileError, readInputText } from "../text/input_file.ts";
import { printableField } from "../text/printable.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";
import { osErrorText } from "../text/os_error.ts";
import { refuseSharedDirectory } from "./file_place.ts";
import { removeStaleTemporaries } from "../text/temporary_file.ts";
import { refuseUnsafeLogDirectory } from "./log_directory.ts";
import { writeOutput } from "./output.ts";
import { formatSize, type MonitorCommand, type SyslogDestination } from "./parse/monitor.ts";
import { loadRule } from "./rule_commands.ts";
import { stopOnSignals } from "./signals.ts";
import { warnOncePerKind } from "./warnings.ts";

/**
 * Runs the monitor until stopped (Ctrl+C, SIGTERM, or the Windows Service Control Manager);
 * exit code 0 after a clean stop.
 */
export async function runMonitor(command: MonitorCommand): Promise<number> {
  if (command.windowsService) {
    try {
      // A service has no console: nothing goes to stdout or stderr.
      return await runAsService("portset", (stop) => monitor(command, stop, () => {}));
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw new CliError(error.message, EXIT_USAGE);
      throw error;
    }
  }
  using stop = stopOnSignals();
  // What it says quotes paths, warnings and errors: one line each, whatever they hold.
  return await monitor(command, stop.signal, (message) => console.error(printableField(message)));
}

async function monitor(
  command: MonitorCommand,
  stopSignal: AbortSignal,
  say: (message: string) => void,
): Promise<number> {
  // Refused before anything starts: root's logs where others could change them are no evidence.
  if (command.logDirectory) await refuseUnsafeLogDirectory(command.logDirectory);
  const rule = command.rule ? await loadRule(command.rule) : null;
  const warnOnce = warnOncePerKind(say);
  const ruleMonitor = rule ? new RuleMonitor(rule, command.ruleIntervalSeconds) : null;
  const sinks: Sink[] = [];
  try {
    const reporter = command.logDirectory ? portReporterSink(command, say) : null;
    if (reporter) sinks.push(reporter);
    const stream = ruleMonitor ? eventStreamSink(command, ruleMonitor) : null;
    if (stream) sinks.push(stream);
    if (command.syslog && stream) sinks.push(await openSyslog(command.syslog, stream, say));
    if (command.loki && stream) {
      sinks.push(
        new LokiSink({ url: command.loki, queue: new MemoryQueue(DEFAULT_QUEUE_BYTES), say }),
      );
    }
    const metrics = command.metrics || command.textfile
      ? openMetrics(command, ruleMonitor !== null, say, warnOnce)
      : null;
    if (metrics) sinks.push(metrics);
    const collector = await createCollector();
    try {
      const ticks = await runMonitorLoop({
        collector,
        intervalSeconds: command.intervalSeconds,
        sinks: sinks.splice(0),
        rule: ruleMonitor,
        started: () =>
          say(
            `portset: monitoring every ${command.intervalSeconds} s` +
              (command.logDirectory ? `, logging to ${command.logDirectory}` : "") +
              (rule ? `, rule ${rule.path}${ruleMonitor?.realTime ? " (real time)" : ""}` : "") +
              (metrics?.server ? `, metrics at http://${metrics.server.address}/metrics` : "") +
              (metrics?.textfile ? `, metrics to ${metrics.textfile.path}` : "") +
              "; Ctrl+C to stop",
          ),
        modules: command.logDirectory !== null,
        stop: stopSignal,
        warn: warnOnce,
        // portset never reports itself: its syslog connection and its metrics listener are none
        // of the host's business.
        ignorePid: Deno.pid,
      });
      say(
        `portset: monitor stopped (${String(stopSignal.reason ?? "done")}): ` +
          describeStop(reporter, stream?.eventCount ?? null, ticks),
      );
      return 0;
    } finally {
      collector.close();
    }
  } catch (error) {
    if (error instanceof ReporterError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  } finally {
    // Sinks opened before the loop could start (an unreachable syslog server after the
    // others, a collector that would not open); the loop stops those it was given.
    for (const sink of sinks) await sink.stop("stopped by an error");
  }
}

/** The Port Reporter logs in `--log-dir`, saying on stderr what retention removes and any failure. */
function portReporterSink(command: MonitorCommand, say: (message: string) => void) {
  const directory = command.logDirectory!;
  return new PortReporterSink({
    directory,
    maxBytes: command.maxBytes,
    operatingSystem: describeOperatingSystem(),
    retention: command.retention,
    onRemoved: (names) =>
      say(
        `portset: removed ${names.length} old log file${names.length === 1 ? "" : "s"} ` +
          `(${names[0]}${names.length > 1 ? ` … ${names.at(-1)}` : ""}) to keep ` +
          `${directory} within ${describeRetention(command.retention)}`,
      ),
    onFailure: (message) => say(`portset: ${message}`),
    onRecovery: (message) => say(`portset: ${message}`),
  });
}

/** The rule's events on stdout, in the format asked for. */
function eventStreamSink(command: MonitorCommand, ruleMonitor: RuleMonitor) {
  const rule = ruleMonitor.rule;
  const format = {
    // A stream read as it comes, or later: each line says when.
    text: (events: readonly ChangeEvent[]) => formatEventsText(events, [], { timed: true }),
    jsonl: formatEventLines,
    cef: (events: readonly ChangeEvent[]) => formatEventsCef(events, []),
  }[command.format];
  return new EventStreamSink({
    format,
    jsonLines: command.format === "jsonl"
      ? {
        rule: { path: rule.path, digest: rule.digest },
        realTime: ruleMonitor.realTime,
        intervalSeconds: command.intervalSeconds,
      }
      : null,
    write: (text) => writeOutput([text]),
  });
}

/**
 * The syslog server, each message the event as the stream writes it; refused when unreachable,
 * when its certificate is not trusted, or when the queue's directory cannot be used.
 */
async function openSyslog(
  destination: SyslogDestination,
  stream: EventStreamSink,
  say: (message: string) => void,
): Promise<SyslogSink> {
  let queue: DiskQueue | undefined;
  if (destination.queueDirectory !== null) {
    // What waits there is sent as portset's events: nobody else may add to it, as to the logs.
    await refuseUnsafeLogDirectory(destination.queueDirectory, Deno.uid(), "--syslog-queue: ");
    try {
      queue = DiskQueue.open(destination.queueDirectory, destination.queueBytes);
    } catch (error) {
      throw new CliError(`--syslog-queue: ${(error as Error).message}`, EXIT_USAGE);
    }
  }
  let caCerts: string[] | null = null;
  if (destination.caFile !== null) {
    try {
      // A file the user names: regular, of a sane size, UTF-8 (text/input_file.ts).
      caCerts = [readInputText(destination.caFile, { what: "CA file", maxBytes: 1024 * 1024 })];
    } catch (error) {
      queue?.close();
      if (!(error instanceof InputFileError)) throw error;
      throw new CliError(`--syslog-ca: ${error.message}`, EXIT_USAGE);
    }
  }
  try {
    return await SyslogSink.open(destination, {
      formatEvent: (event) => stream.options.format([event]),
      say,
      queue: queue ?? new MemoryQueue(destination.queueBytes),
      caCerts,
    });
  } catch (error) {
    queue?.close();
    throw new CliError(
      `cannot reach syslog server ${destination.url}: ${osErrorText(error)}`,
      EXIT_USAGE,
    );
  }
}

/**
 * Prometheus metrics: the `/metrics` listener and the textfile, refused in one line (exit code 2)
 * when the address cannot be listened on or the directory is missing or shared.
 */
function openMetrics(
  command: MonitorCommand,
  ruleEvents: boolean,
  say: (message: string) => void,
  warnOnce: (message: string) => void,
): MetricsSink {
  const directory = command.textfile;
  let textfile: TextfileWriter | null = null;
  if (directory !== null) {
    textfile = new TextfileWriter(directory);
    // Written as root where node_exporter reads: never where another user could swap it.
    refuseSharedDirectory(textfile.path);
    removeStaleTemporaries(textfile.path, say);
    try {
      textfile.probe();
    } catch (error) {
      throw new CliError(`--textfile ${directory}: ${osErrorText(error)}`, EXIT_USAGE);
    }
  }
  let server: MetricsServer | null = null;
  if (command.metrics) {
    try {
      server = MetricsServer.listen(command.metrics, () => metrics.render());
    } catch (error) {
      const { hostname, port } = command.metrics;
      throw new CliError(
        `cannot serve metrics on ${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}: ` +
          osErrorText(error),
        EXIT_USAGE,
      );
    }
  }
  const metrics: MetricsSink = new MetricsSink({
    server,
    textfile,
    ruleEvents,
    onFailure: warnOnce,
  });
  return metrics;
}

/**
 * What a run did, for its stop line: the changes logged (and any that could not be), the rule
 * events, and how many looks it took. `events` is null when no rule ran.
 */
function describeStop(
  reporter: PortReporterSink | null,
  events: number | null,
  looks: number,
): string {
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  const parts: string[] = [];
  if (reporter) {
    parts.push(`${count(reporter.changesLogged, "change")} logged`);
    if (reporter.changesUnlogged > 0) {
      parts.push(`${count(reporter.changesUnlogged, "change")} could not be logged`);
    }
  }
  if (events !== null) parts.push(count(events, "rule event"));
  return `${parts.length > 0 ? `${parts.join(", ")}, ` : ""}in ${count(looks, "look")}`;
}

/** `1G and 90 days`: the retention limits as the flags give them. */
function describeRetention(retention: Retention): string {
  return [
    retention.maxBytes === null ? null : formatSize(retention.maxBytes),
    retention.maxDays === null ? null : `${retention.maxDays} days`,
  ].filter((limit) => limit !== null).join(" and ");
}
