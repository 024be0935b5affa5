/**
 * `portset service install|uninstall|status`'s flags.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import {
  didYouMean,
  type FlagSpec,
  HELP_FLAG,
  numberOf,
  readFlags,
  refuseWith,
  textOf,
} from "../flags.ts";
import { DEFAULT_MONITOR_SECONDS, parseMetricsAddress, PASSED_ON_FLAGS } from "./monitor.ts";

/** `portset service install|uninstall|status`. */
export interface ServiceCommand {
  mode: "service";
  action: "install" | "uninstall" | "status";
  dryRun: boolean;
  /** Stage the files under this directory instead of `/` (for packagers). */
  root: string;
  logDirectory: string | null;
  intervalSeconds: number;
  rule: string | null;
  /** `--metrics HOST:PORT` for the installed monitor, as given. */
  metrics: string | null;
  /** `--textfile DIR` for the installed monitor. */
  textfile: string | null;
  /**
   * `auto` (the default): start at boot and now; `manual`: installed only, started by hand, as the
   * original's installer does by default.
   */
  start: "auto" | "manual";
}

/** `portset service`'s flags. */
export const SERVICE_FLAGS: readonly FlagSpec[] = [
  { names: ["--dry-run"], key: "dryRun" },
  { names: ["--root"], key: "root", value: "DIR" },
  PASSED_ON_FLAGS.logDir,
  PASSED_ON_FLAGS.interval,
  PASSED_ON_FLAGS.rule,
  { names: ["--start"], key: "start", value: "auto|manual" },
  PASSED_ON_FLAGS.metrics,
  PASSED_ON_FLAGS.textfile,
  HELP_FLAG,
];

/** Reads `portset service ARGS`. */
export function parseServiceCommand(
  args: readonly string[],
): ServiceCommand | { mode: "help"; topic: "service" } {
  const { given, operands } = readFlags(args, {
    table: SERVICE_FLAGS,
    positional: true,
    command: "portset service",
  });
  if (given.has("help")) return { mode: "help", topic: "service" };
  const action = operands[0];
  if (action !== "install" && action !== "uninstall" && action !== "status") {
    throw new UsageError(
      action === undefined
        ? "portset service needs install, uninstall or status"
        : `unknown service action '${action}'${
          didYouMean(action, ["install", "uninstall", "status"])
        }; expected install, uninstall or status`,
    );
  }
  if (operands.length > 1) throw new UsageError(`unexpected argument '${operands[1]}'`);
  if (action !== "install") {
    refuseWith(
      given,
      ["logDir", "interval", "rule", "start", "metrics", "textfile"],
      "service install",
    );
  }
  const start = textOf(given, "start") ?? "auto";
  if (start !== "auto" && start !== "manual") {
    throw new UsageError(`--start must be auto or manual, not '${start}'`);
  }
  return {
    mode: "service",
    action,
    start,
    dryRun: given.has("dryRun"),
    root: textOf(given, "root") ?? "/",
    logDirectory: textOf(given, "logDir"),
    intervalSeconds: numberOf(given, "interval") ?? DEFAULT_MONITOR_SECONDS,
    rule: textOf(given, "rule"),
    metrics: serviceMetrics(textOf(given, "metrics")),
    textfile: textOf(given, "textfile"),
  };
}

/**
 * `--metrics HOST:PORT` for the service, read as the monitor reads it, so that a mistake is
 * refused now, not at the service's start; with a port of its own (0, a port the kernel picks,
 * is one Prometheus could not be told of).
 */
function serviceMetrics(text: string | null): string | null {
  if (text === null) return null;
  if (parseMetricsAddress(text).port === 0) {
    throw new UsageError(
      `--metrics HOST:PORT for a service needs a port of its own for Prometheus to scrape, not 0`,
    );
  }
  return text;
}
