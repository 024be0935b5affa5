/**
 * `portset report LOGDIR [LOGDIR...]`'s flags.
 *
 * @module
 */

import type { DateOrder } from "../../port_reporter/log_time.ts";
import { UsageError } from "../errors.ts";
import {
  type FlagSpec,
  HELP_FLAG,
  JSON_FLAG,
  numberOf,
  readFlags,
  textOf,
  YES_FLAG,
} from "../flags.ts";

/** `portset report LOGDIR [LOGDIR...]`: what directories of Port Reporter logs say. */
export interface ReportCommand {
  mode: "report";
  /**
   * The log directories (or log files) named: each one host's logs, or a tree of hosts' folders.
   * One directory of logs is the one-host report; more, or a tree, the fleet report.
   */
  directories: string[];
  format: "text" | "json";
  /** Also write the HTML report here. */
  html: string | null;
  /** `-y`: replace the HTML file without asking. */
  overwrite: boolean;
  /** A JSON file of ports, processes … of interest, on top of the defaults. */
  interests: string | null;
  /** Expected listeners: a portset baseline, or a file of PortSet keys. */
  baseline: string | null;
  /** How the original's slashed dates are ordered. */
  dateOrder: DateOrder;
  /** Rows per ranking in the text report. */
  top: number;
}

/** `portset report`'s flags. */
export const REPORT_FLAGS: readonly FlagSpec[] = [
  JSON_FLAG,
  { names: ["--html", "-html"], key: "html", value: "FILE" },
  YES_FLAG,
  { names: ["--interests"], key: "interests", value: "FILE" },
  { names: ["--baseline"], key: "baseline", value: "FILE" },
  { names: ["--date-order"], key: "dateOrder", value: "ORDER" },
  { names: ["--top"], key: "top", value: "N", range: [1, 100000] },
  HELP_FLAG,
];

/** Reads `portset report ARGS`. */
export function parseReportCommand(
  args: readonly string[],
): ReportCommand | { mode: "help"; topic: "report" } {
  const { given, operands } = readFlags(args, {
    table: REPORT_FLAGS,
    positional: true,
    command: "portset report",
  });
  if (given.has("help")) return { mode: "help", topic: "report" };
  if (operands.length === 0) {
    throw new UsageError("portset report needs LOGDIR, a directory of logs");
  }
  const text = (key: string) => textOf(given, key);
  const dateOrder = text("dateOrder") ?? "ymd";
  if (dateOrder !== "ymd" && dateOrder !== "mdy" && dateOrder !== "dmy") {
    throw new UsageError(`--date-order must be ymd, mdy or dmy, not '${dateOrder}'`);
  }
  if (given.has("yes") && !given.has("html")) throw new UsageError("-y goes with --html FILE");
  return {
    mode: "report",
    directories: [...operands],
    format: given.has("json") ? "json" : "text",
    html: text("html"),
    overwrite: given.has("yes"),
    interests: text("interests"),
    baseline: text("baseline"),
    dateOrder,
    top: numberOf(given, "top") ?? 20,
  };
}
