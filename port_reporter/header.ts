/**
 * The header every log starts with. The original writes a title, what the log is, and for
 * PR-INITIAL and PR-PIDS the `System Date`, the computer's name and its operating system, each
 * value on the label's line or on an indented line of its own after blank lines:
 *
 * ```text
 * Port Reporter Version 1.01 Log File
 *
 * Process detail log
 *
 * System Date: Wed Jul 06 13:44:04 2005
 *
 * Local computer name:
 *
 *  TEST
 *
 * Operating System: Windows XP
 * ```
 *
 * portset writes the same, titled `portset <version> Port Reporter Log File`, with a `Times:` line
 * saying that its log entries' dates are ISO 8601 and in which UTC offset (the original's `05/7/6`
 * can be read three ways). {@linkcode HeaderReader} reads either.
 *
 * @module
 */

import { printableField } from "../text/printable.ts";
import { VERSION } from "../version.ts";
import { type Dialect, LABELS, TITLE } from "./layout.ts";
import { type DateOrder, formatSystemDate, parseSystemDate, utcOffset } from "./log_time.ts";

/** What a header says; null where it does not say. */
export interface HeaderFacts {
  /** From the title: `portset …` or `Port Reporter …`. */
  dialect: Dialect | null;
  /** The `System Date` as written. */
  systemDate: string | null;
  /** The `System Date` in wall-clock seconds (see log_time.ts). */
  systemTime: number | null;
  /** `Local computer name`. */
  host: string | null;
  /** `Operating System`. */
  operatingSystem: string | null;
  /**
   * The UTC offset of the log's times in minutes, from portset's `Times:` line; null or absent
   * without one.
   */
  utcOffset?: number | null;
}

/** portset's title line; `suffix` is PR-PORTS's ` - Port usage log`. */
export function formatTitle(suffix = ""): string {
  return `portset ${VERSION} Port Reporter ${TITLE}${suffix}`;
}

/**
 * The `Times:` line: log entries are dated `YYYY-MM-DD,HH:MM:SS`, local time, at the UTC offset
 * `time` had.
 */
export function formatTimesLine(time: Date): string {
  return `${LABELS.times}: log entries are dated YYYY-MM-DD,HH:MM:SS (ISO 8601 date, 24-hour ` +
    `time), local time, UTC${utcOffset(time)}`;
}

/**
 * A PR-INITIAL or PR-PIDS header: the title, `logName`, the system date, the times line, the
 * computer's name and its operating system, each followed by a blank line as the original's; the
 * name and the system's description with control characters as `?`, each on its one line.
 */
export function formatHeader(
  logName: string,
  facts: { time: Date; host: string; operatingSystem: string },
): string[] {
  return [
    formatTitle(),
    "",
    logName,
    "",
    `${LABELS.systemDate}: ${formatSystemDate(facts.time)}`,
    "",
    formatTimesLine(facts.time),
    "",
    `${LABELS.host}:`,
    "",
    ` ${printableField(facts.host)}`,
    "",
    `${LABELS.operatingSystem}: ${printableField(facts.operatingSystem)}`,
    "",
  ];
}

/** The offset at the end of portset's `Times:` line: `… local time, UTC+01:00`. */
const TIMES_OFFSET = new RegExp(`^\\s*${LABELS.times}:.*\\bUTC([+-])(\\d{2}):(\\d{2})\\s*$`);

/**
 * The UTC offset, in minutes, a `Times:` line states (`+01:00` is 60); null when `line` is not
 * one. The original Port Reporter writes none: its logs do not say their offset.
 */
export function parseTimesLine(line: string): number | null {
  const match = TIMES_OFFSET.exec(line);
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === "-" ? -minutes : minutes;
}

const LABEL = new RegExp(
  `^\\s*(${[LABELS.systemDate, LABELS.host, LABELS.operatingSystem].join("|")}):[ \\t]*(.*?)\\s*$`,
  "i",
);
/** A line that is itself a label, so not the value of the one before it. */
const ANY_LABEL = /^\s*[A-Za-z][A-Za-z /-]*:(\s|$)/;

/**
 * Reads a header line by line: every line fed to it is header; the caller says where the header
 * ends. The first title line tells the dialect.
 */
export class HeaderReader {
  readonly facts: HeaderFacts = {
    dialect: null,
    systemDate: null,
    systemTime: null,
    host: null,
    operatingSystem: null,
    utcOffset: null,
  };
  /** A label read with no value on its line: its value is the next line that is not blank. */
  #pending: "systemDate" | "host" | "operatingSystem" | null = null;

  constructor(readonly dateOrder: DateOrder = "ymd") {}

  /** Reads a header line. */
  push(line: string): void {
    const text = line.trim();
    if (text === "") return;
    if (this.facts.dialect === null) {
      if (/^portset\s/.test(text)) this.facts.dialect = "portset";
      else if (/^Port Reporter\b/i.test(text)) this.facts.dialect = "port-reporter";
    }
    const offset = parseTimesLine(line);
    if (offset !== null) {
      this.facts.utcOffset ??= offset;
      this.#pending = null;
      return;
    }
    const label = LABEL.exec(line);
    if (label) {
      const key = label[1].toLowerCase() === LABELS.systemDate.toLowerCase()
        ? "systemDate"
        : label[1].toLowerCase() === LABELS.host.toLowerCase()
        ? "host"
        : "operatingSystem";
      this.#pending = null;
      if (label[2] === "") this.#pending = key;
      else this.#set(key, label[2]);
      return;
    }
    if (this.#pending !== null && !ANY_LABEL.test(text)) this.#set(this.#pending, text);
    this.#pending = null;
  }

  #set(key: "systemDate" | "host" | "operatingSystem", value: string): void {
    // A log names one computer: the first value read is kept.
    if (this.facts[key] !== null) return;
    this.facts[key] = value;
    if (key === "systemDate") this.facts.systemTime = parseSystemDate(value, this.dateOrder);
  }
}
