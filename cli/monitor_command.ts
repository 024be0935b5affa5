/**
 * `portset monitor`: the Port Reporter service's logs (`--log-dir`) and real-time rule events
 * (`--rule`, on stdout and optionally to syslog), until Ctrl+C or SIGTERM.
 *
 * @module
 */

import { createCollector, describeOperatingSystem } from "../collectors/platform.ts";
import { runAsService } from "../collectors/service_manager.ts";
import { ServiceUnavailableError } from "../collectors/service.ts";
import { type MonitorPart, runMonitorLoop } from "../monitor/monitor.ts";
import { ReporterError } from "../port_reporter/append_file.ts";
import { PortReporter } from "../port_reporter/reporter.ts";
import type { Retention } from "../port_reporter/retention.ts";
import { RuleMonitor } from "../monitor/rule_monitor.ts";
import { formatEventsCef, formatEventsText } from "../outputs/rule_events.ts";
import { eventsEndLine, eventsStartLine, formatEventLines } from "../outputs/rule_json.ts";
import { formatSyslog, SEVERITY, SyslogSender } from "../outputs/syslog.ts";
import type { ChangeEvent } from "../rules/changes.ts";
import { formatSize, type MonitorCommand, parseSyslogUrl } from "./parse/monitor.ts";
import { CliError, EXIT_USAGE, osErrorText } from "./errors.ts";
import { refuseUnsafeLogDirectory } from "./log_directory.ts";
import { writeOutput } from "./output.ts";
import { loadRule } from "./rule_commands.ts";
import { stopOnSignals } from "./signals.ts";
import { warnOncePerKind } from "./warnings.ts";
import { printableField } from "../text/printable.ts";

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
  let syslog: SyslogSender | null = null;
  if (command.syslog) {
    try {
      syslog = await SyslogSender.open(parseSyslogUrl(command.syslog));
    } catch (error) {
      throw new CliError(
        `cannot reach syslog server ${command.syslog}: ${osErrorText(error)}`,
        EXIT_USAGE,
      );
    }
  }
  const collector = await createCollector();
  const realTime = rule?.sets.some((set) => set.onChange) ?? false;
  const parts: MonitorPart[] = [];
  let reporter: PortReporter | null = null;
  const warnOnce = warnOncePerKind(say);

  if (command.logDirectory) {
    const directory = command.logDirectory;
    parts.push({
      start(snapshot) {
        reporter = PortReporter.start(
          {
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
          },
          snapshot,
        );
      },
      tick(changes, snapshot) {
        reporter!.record(changes, snapshot);
      },
    });
  }
  const jsonLines = rule !== null && command.format === "jsonl";
  let eventCount = 0;
  if (rule) {
    const format = {
      // A stream read as it comes, or later: each line says when.
      text: (events: readonly ChangeEvent[], warnings: readonly string[]) =>
        formatEventsText(events, warnings, { timed: true }),
      jsonl: formatEventLines,
      cef: formatEventsCef,
    }[command.format];
    if (jsonLines) {
      parts.push({
        // The stream's first line names its format, as every JSON-lines output's does.
        start(snapshot) {
          writeOutput([eventsStartLine(
            "monitor",
            {
              rule: { path: rule.path, digest: rule.digest },
              host: snapshot.host,
              time: snapshot.time,
            },
            { realTime, intervalSeconds: command.intervalSeconds },
          )]);
        },
        tick() {},
      });
    }
    parts.push(
      new RuleMonitor(rule, command.ruleIntervalSeconds, (events: ChangeEvent[]) => {
        eventCount += events.length;
        writeOutput([format(events, [])]);
        if (!syslog) return;
        for (const event of events) {
          const message = format([event], []).trimEnd();
          syslog.send(formatSyslog(message, {
            severity: event.change === "Created" ? SEVERITY.warning : SEVERITY.notice,
            time: new Date(event.time),
            host: event.host,
            messageId: `PortSet-${event.change}`,
          })).then(() => syslog?.failure && warnOnce(`syslog: ${syslog.failure}`));
        }
      }),
    );
  }

  try {
    parts.push({
      // Said once every part has started on the first look: from then on, every change is seen.
      start() {
        say(
          `portset: monitoring every ${command.intervalSeconds} s` +
            (command.logDirectory ? `, logging to ${command.logDirectory}` : "") +
            (rule ? `, rule ${rule.path}${realTime ? " (real time)" : ""}` : "") +
            "; Ctrl+C to stop",
        );
      },
      tick() {},
    });
    const ticks = await runMonitorLoop({
      collector,
      intervalSeconds: command.intervalSeconds,
      parts,
      modules: command.logDirectory !== null,
      stop: stopSignal,
      warn: warnOnce,
      // portset never reports itself: its syslog connection is none of the host's business.
      ignorePid: Deno.pid,
    });
    if (jsonLines) {
      writeOutput([
        eventsEndLine(new Date().toISOString(), String(stopSignal.reason ?? "done"), eventCount),
      ]);
    }
    say(
      `portset: monitor stopped (${String(stopSignal.reason ?? "done")}): ` +
        describeStop(reporter as PortReporter | null, rule ? eventCount : null, ticks),
    );
    return 0;
  } catch (error) {
    if (error instanceof ReporterError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  } finally {
    // A stop asked for (a signal, the service manager) or an error that ends the monitor.
    (reporter as PortReporter | null)?.stop(
      stopSignal.aborted ? String(stopSignal.reason) : "stopped by an error",
    );
    syslog?.close();
    collector.close();
  }
}

/**
 * What a run did, for its stop line: the changes logged (and any that could not be), the rule
 * events, and how many looks it took. `events` is null when no rule ran.
 */
function describeStop(reporter: PortReporter | null, events: number | null, looks: number): string {
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
