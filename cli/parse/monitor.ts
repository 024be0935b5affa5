/**
 * `portset monitor`'s flags, and the sizes and syslog addresses they take.
 *
 * @module
 */

import { DEFAULT_RETENTION, type Retention } from "../../port_reporter/retention.ts";
// Types only from the sinks, and the default from the queue's own module: parsing any command
// line must not load the syslog sender (and node:dgram with it).
import type { MetricsAddress } from "../../sinks/metrics_server.ts";
import type { SyslogTarget, SyslogTransport } from "../../sinks/syslog.ts";
import { DEFAULT_QUEUE_BYTES } from "../../sinks/message_queue.ts";
import { UsageError } from "../errors.ts";
import {
  atMostOne,
  type FlagSpec,
  HELP_FLAG,
  numberOf,
  parseWhole,
  readFlags,
  textOf,
} from "../flags.ts";

/** `portset monitor`: the Port Reporter service's logs and real-time rule events. */
export interface MonitorCommand {
  mode: "monitor";
  /** Port Reporter logs go here. */
  logDirectory: string | null;
  intervalSeconds: number;
  maxBytes: number;
  /** How much of the log directory to keep (`--keep-size`, `--keep-days`). */
  retention: Retention;
  /** Rule whose events are reported as they happen. */
  rule: string | null;
  /** How often a rule with no onChange set is evaluated. */
  ruleIntervalSeconds: number;
  format: "text" | "jsonl" | "cef";
  /** `udp://`, `tcp://` or `tls://host:port`: also send rule events there, RFC 5424. */
  syslog: SyslogDestination | null;
  /** `--loki URL`: also push rule events to Grafana Loki there. */
  loki: string | null;
  /** `--metrics HOST:PORT`: serve Prometheus metrics at `/metrics` there; null: no listener. */
  metrics: MetricsAddress | null;
  /** `--textfile DIR`: write the same metrics to `DIR/portset.prom` at each look. */
  textfile: string | null;
  /** Run under the Windows Service Control Manager (the installed service's command line). */
  windowsService: boolean;
}

/** `--syslog URL` and its options, read once: where to send, and where events wait. */
export interface SyslogDestination extends SyslogTarget {
  /** The URL as the command line gave it. */
  url: string;
  /** `--syslog-queue DIR`: where events wait on disk while the server is away; null: memory. */
  queueDirectory: string | null;
  /** `--syslog-queue-size SIZE`: the most the waiting events may take. */
  queueBytes: number;
}

/** Default monitor tick. */
export const DEFAULT_MONITOR_SECONDS = 5;
/** Default interval for rules without onChange. */
const DEFAULT_RULE_SECONDS = 3600;

/**
 * The monitor's flags that `portset service install` takes too, to pass on to the monitor it
 * installs: one spelling and range for both.
 */
export const PASSED_ON_FLAGS = {
  logDir: { names: ["--log-dir"], key: "logDir", value: "DIR" },
  interval: { names: ["--interval"], key: "interval", value: "SECONDS", range: [1, 3600] },
  rule: { names: ["--rule"], key: "rule", value: "RULE" },
  metrics: { names: ["--metrics"], key: "metrics", value: "HOST:PORT" },
  textfile: { names: ["--textfile"], key: "textfile", value: "DIR" },
} as const satisfies Record<string, FlagSpec>;

/** `portset monitor`'s flags. */
export const MONITOR_FLAGS: readonly FlagSpec[] = [
  PASSED_ON_FLAGS.logDir,
  PASSED_ON_FLAGS.interval,
  { names: ["--max-size"], key: "maxSize", value: "SIZE" },
  { names: ["--keep-size"], key: "keepSize", value: "SIZE" },
  { names: ["--keep-days"], key: "keepDays", value: "N" },
  PASSED_ON_FLAGS.rule,
  { names: ["--rule-interval"], key: "ruleInterval", value: "SECONDS", range: [1, 86400] },
  { names: ["--jsonl"], key: "jsonl" },
  { names: ["--cef"], key: "cef" },
  { names: ["--syslog"], key: "syslog", value: "URL" },
  { names: ["--syslog-ca"], key: "syslogCa", value: "FILE" },
  { names: ["--syslog-queue"], key: "syslogQueue", value: "DIR" },
  { names: ["--syslog-queue-size"], key: "syslogQueueSize", value: "SIZE" },
  { names: ["--loki"], key: "loki", value: "URL" },
  PASSED_ON_FLAGS.metrics,
  PASSED_ON_FLAGS.textfile,
  { names: ["--windows-service"], key: "windowsService" },
  HELP_FLAG,
];

/** Reads `portset monitor ARGS`. */
export function parseMonitorCommand(
  args: readonly string[],
): MonitorCommand | { mode: "help"; topic: "monitor" } {
  const { given } = readFlags(args, {
    table: MONITOR_FLAGS,
    positional: false,
    command: "portset monitor",
  });
  if (given.has("help")) return { mode: "help", topic: "monitor" };
  const text = (key: string) => textOf(given, key);
  const number = (key: string, fallback: number) => numberOf(given, key) ?? fallback;
  const logDirectory = text("logDir"), rule = text("rule");
  const metricsText = text("metrics"), textfile = text("textfile");
  if (!logDirectory && !rule && metricsText === null && textfile === null) {
    throw new UsageError(
      "portset monitor needs --log-dir DIR (Port Reporter logs), --rule RULE.xml, " +
        "--metrics HOST:PORT or --textfile DIR (Prometheus metrics), or several",
    );
  }
  if (textfile === "") throw new UsageError("--textfile DIR needs a directory, not ''");
  atMostOne(given, ["jsonl", "cef"]);
  const syslogUrl = text("syslog");
  if (syslogUrl !== null && !rule) {
    throw new UsageError("--syslog sends rule events: it goes with --rule");
  }
  for (const key of ["syslogCa", "syslogQueue", "syslogQueueSize"]) {
    if (given.has(key) && syslogUrl === null) {
      throw new UsageError(`${given.get(key)!.name} is about syslog: it goes with --syslog URL`);
    }
  }
  const syslog = syslogUrl === null ? null : {
    url: syslogUrl,
    ...parseSyslogUrl(syslogUrl, text("syslogCa")),
    queueDirectory: text("syslogQueue"),
    queueBytes: given.has("syslogQueueSize")
      ? parseSize(text("syslogQueueSize")!, "--syslog-queue-size", 1024 ** 3)
      : DEFAULT_QUEUE_BYTES,
  };
  if (syslog?.transport === "udp" && (syslog.queueDirectory !== null || given.has("syslogCa"))) {
    throw new UsageError(
      "--syslog-queue and --syslog-ca are for tcp:// and tls://: over UDP a server that is " +
        "away cannot be told from one that is there",
    );
  }
  const loki = text("loki");
  if (loki !== null) {
    if (!rule) throw new UsageError("--loki pushes rule events: it goes with --rule");
    if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(loki)) {
      throw new UsageError(
        `--loki URL must be http://HOST:PORT or https://HOST:PORT, not '${loki}'`,
      );
    }
  }
  for (const key of ["maxSize", "keepSize", "keepDays"]) {
    if (given.has(key) && !logDirectory) {
      throw new UsageError(`${given.get(key)!.name} is about the logs: it goes with --log-dir DIR`);
    }
  }
  const maxBytes = given.has("maxSize") ? parseSize(text("maxSize")!) : 5 * 1024 * 1024;
  const retention = { ...DEFAULT_RETENTION };
  const keepSize = text("keepSize"), keepDays = text("keepDays");
  if (keepSize !== null) {
    retention.maxBytes = isOff(keepSize) ? null : parseSize(keepSize, "--keep-size", 1024 ** 4);
  }
  if (keepDays !== null) {
    retention.maxDays = isOff(keepDays)
      ? null
      : parseWhole("--keep-days", "N", keepDays, [1, 36500]);
  }
  if (retention.maxBytes !== null && retention.maxBytes < maxBytes) {
    throw new UsageError(
      `--keep-size SIZE must be at least --max-size (${
        formatSize(maxBytes)
      }), the size of one log; 0 or off for no limit`,
    );
  }
  return {
    mode: "monitor",
    logDirectory,
    intervalSeconds: number("interval", DEFAULT_MONITOR_SECONDS),
    maxBytes,
    retention,
    rule,
    ruleIntervalSeconds: number("ruleInterval", DEFAULT_RULE_SECONDS),
    format: given.has("jsonl") ? "jsonl" : given.has("cef") ? "cef" : "text",
    syslog,
    loki,
    metrics: metricsText === null ? null : parseMetricsAddress(metricsText),
    textfile,
    windowsService: given.has("windowsService"),
  };
}

const SIZE_SCALES: Record<string, number> = {
  "": 1,
  K: 1024,
  M: 1024 ** 2,
  G: 1024 ** 3,
  T: 1024 ** 4,
};

/** `512K`, `5M`, `5MB`, `1048576`: a size in bytes, from 1 KiB to `max` (1 GiB for `--max-size`). */
function parseSize(text: string, flag = "--max-size", max = 1024 ** 3): number {
  const match = /^(\d+)\s*([KMGT]?)(i?B)?$/i.exec(text.trim());
  const scale = SIZE_SCALES[(match?.[2] ?? "").toUpperCase()];
  const bytes = match && scale !== undefined ? Number(match[1]) * scale : NaN;
  if (!(bytes >= 1024 && bytes <= max)) {
    throw new UsageError(
      `${flag} SIZE must be from 1K to ${formatSize(max)} (e.g. 512K, 5M), not '${text}'`,
    );
  }
  return bytes;
}

/**
 * `5M`, `1G`: a size as the flags take it, in the largest unit that divides it; the inverse of
 * {@linkcode parseSize}, so it stays beside it (sizes for reading are in text/units.ts).
 */
export function formatSize(bytes: number): string {
  const unit = ["T", "G", "M", "K"].find((unit) => bytes % SIZE_SCALES[unit] === 0);
  return unit ? `${bytes / SIZE_SCALES[unit]}${unit}` : String(bytes);
}

/** `0` or `off`: a limit switched off. */
function isOff(text: string): boolean {
  return /^(0+|off)$/i.test(text.trim());
}

/**
 * `udp://host:port`, `tcp://host:port` or `tls://host:port` (port 514 by default, 6514 for TLS
 * as RFC 5425 has it); `caFile` is `--syslog-ca`, for TLS.
 */
function parseSyslogUrl(text: string, caFile: string | null = null): SyslogTarget {
  const match = /^(udp|tcp|tls):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(text);
  const port = Number(match?.[3] ?? (match?.[1] === "tls" ? 6514 : 514));
  if (!match || !(port >= 1 && port <= 65535)) {
    throw new UsageError(
      `--syslog URL must be udp://HOST[:PORT], tcp://HOST[:PORT] or tls://HOST[:PORT], not '${text}'`,
    );
  }
  if (caFile !== null && match[1] !== "tls") {
    throw new UsageError("--syslog-ca FILE is for tls:// URLs");
  }
  return {
    transport: match[1] as SyslogTransport,
    host: match[2].replace(/^\[|\]$/g, ""),
    port,
    caFile,
  };
}

/**
 * `127.0.0.1:9465`, `[::1]:9465`, `localhost:9465`: where `--metrics` listens. The host is
 * required (no default address: portset listens only where told); port 0 lets the kernel pick.
 */
export function parseMetricsAddress(text: string): MetricsAddress {
  const match = /^(\[[0-9a-fA-F:.%\w-]+\]|[^:\[\]\s/]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || !(port >= 0 && port <= 65535)) {
    throw new UsageError(
      `--metrics HOST:PORT must name a host and a port (127.0.0.1:9465, [::1]:9465), not '${text}'`,
    );
  }
  return { hostname: match[1].replace(/^\[|\]$/g, ""), port };
}
