/**
 * The logs' timestamps, written and read. portset writes `2026-11-22` and `09:05:07`; the original
 * Port Reporter writes `05/7/6` and `13:52:1`, unpadded, with a two-digit year, and both write the
 * header's `System Date` as C's `ctime` does (`Wed Jul 06 13:44:04 2005`). All are local times
 * with no zone, so they are kept as "seconds since 1970 as if the wall clock were UTC":
 * differences between two of them are true durations (but for a daylight-saving change), and
 * formatting one back gives the wall-clock time the log shows.
 *
 * File names carry a stamp too: portset's `PR-PORTS-20261122-090507.log`, the original's
 * `PR-PIDS-05-07-6-13-44-4.log` (year, month, day, hours, minutes, seconds; padded or not).
 *
 * @module
 */

/** How a slashed date's three numbers are ordered. The original writes year first. */
export type DateOrder = "ymd" | "mdy" | "dmy";

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const SLASHED_DATE = /^(\d{1,4})\/(\d{1,2})\/(\d{1,4})$/;
const CLOCK = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/;

/** Midnight of `text`'s day, in wall-clock seconds; null when it is not a date. */
export function parseLogDate(text: string, order: DateOrder = "ymd"): number | null {
  let year: number, month: number, day: number;
  const iso = ISO_DATE.exec(text);
  if (iso) {
    [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  } else {
    const slashed = SLASHED_DATE.exec(text);
    if (!slashed) return null;
    const [a, b, c] = [Number(slashed[1]), Number(slashed[2]), Number(slashed[3])];
    [year, month, day] = order === "ymd" ? [a, b, c] : order === "mdy" ? [c, a, b] : [c, b, a];
    // Two-digit years are this century's: the original dates from 2004.
    if (year < 100) year += 2000;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  // setUTCFullYear, not Date.UTC, which reads the years 0 to 99 as 1900 to 1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Reject the 31st of a 30-day month and the like, which the Date would roll over.
  if (date.getUTCDate() !== day) return null;
  return date.getTime() / 1000;
}

/** Seconds since midnight of `HH:MM[:SS]`, padded or not; null when it is not a time. */
export function parseLogClock(text: string): number | null {
  const clock = CLOCK.exec(text);
  if (!clock) return null;
  const [hours, minutes, seconds] = [Number(clock[1]), Number(clock[2]), Number(clock[3] ?? 0)];
  if (hours > 23 || minutes > 59 || seconds > 60) return null;
  return hours * 3600 + minutes * 60 + seconds;
}

/** A date and a time of day as wall-clock seconds; null when either is not readable. */
export function parseLogDateTime(date: string, clock: string, order: DateOrder): number | null {
  const day = parseLogDate(date, order);
  const seconds = parseLogClock(clock);
  if (day === null || seconds === null) return null;
  // A leap second at the end of 9999 is the year 10000, which no ISO 8601 time the report
  // writes can hold (formatLogTime's slice of `+010000-01-01T00:00:00` is `+010000-01-01T00:00`).
  return day + seconds < LAST_TIME ? day + seconds : null;
}

/** The first wall-clock second a report's `YYYY-MM-DDTHH:MM:SS` cannot write. */
const LAST_TIME = Date.UTC(10000, 0, 1) / 1000;

/** `YYYY-MM-DDTHH:MM:SS`, the wall-clock time `seconds` stands for. */
export function formatLogTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/** The hour of the day (0–23) of a wall-clock time. */
export function hourOfDay(seconds: number): number {
  return Math.floor((((seconds % 86400) + 86400) % 86400) / 3600);
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/**
 * A header's `System Date`, in wall-clock seconds: `ctime`'s `Wed Jul 06 13:44:04 2005` (the
 * original's and portset's), JavaScript's `Sun Nov 22 2026 09:05:07 GMT+0100 (…)` (portset's
 * before 0.1.0 wrote this), or a log date and time (`05/7/6 13:52:0`, `2026-11-22,09:05:07`).
 * Null when it is none of these.
 */
export function parseSystemDate(text: string, order: DateOrder = "ymd"): number | null {
  const named =
    /^(?:[A-Z][a-z]{2},?\s+)?([A-Z][a-z]{2})\s+(\d{1,2}),?\s+(?:(\d{4})\s+)?(\d{1,2}:\d{1,2}(?::\d{1,2})?)(?:\s+(\d{4}))?/
      .exec(text.trim());
  if (named) {
    const month = MONTHS.indexOf(named[1]) + 1;
    const year = named[3] ?? named[5];
    if (month === 0 || year === undefined) return null;
    return parseLogDateTime(`${year}-${month}-${named[2]}`, named[4], "ymd");
  }
  const numeric = /^(\S+?)[\s,]+(\d{1,2}:\d{1,2}(?::\d{1,2})?)\s*$/.exec(text.trim());
  return numeric ? parseLogDateTime(numeric[1], numeric[2], order) : null;
}

/** `Sun Nov 22 09:05:07 2026`: a local time as `ctime` writes it, for the `System Date` line. */
export function formatSystemDate(time: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[time.getDay()]} ${MONTHS[time.getMonth()]} ${pad(time.getDate())} ${
    pad(time.getHours())
  }:${pad(time.getMinutes())}:${pad(time.getSeconds())} ${time.getFullYear()}`;
}

/**
 * The stamp in a log file's name, in wall-clock seconds: portset's `YYYYMMDD-HHMMSS` (with `-2`,
 * `-3` … after it when several started in one second), or the original's six numbers
 * `05-07-6-13-44-4`, padded or not, the date read in `order`. Null when the name has neither.
 */
export function fileStampTime(name: string, order: DateOrder = "ymd"): number | null {
  const portset = /(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(name);
  if (portset) {
    const [, year, month, day, hours, minutes, seconds] = portset;
    return parseLogDateTime(`${year}-${month}-${day}`, `${hours}:${minutes}:${seconds}`, "ymd");
  }
  const original = /-(\d{1,4})-(\d{1,2})-(\d{1,4})-(\d{1,2})-(\d{1,2})-(\d{1,2})(?!\d)/.exec(name);
  if (!original) return null;
  const [, a, b, c, hours, minutes, seconds] = original;
  return parseLogDateTime(`${a}/${b}/${c}`, `${hours}:${minutes}:${seconds}`, order);
}

/** `2026-11-22` and `00:55:06` in local time. */
export function localDateTime(time: Date): [string, string] {
  const pad = (n: number) => String(n).padStart(2, "0");
  return [
    `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}`,
    `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`,
  ];
}

/** `20261122-005506`: the local date and time in a log file's name (`PR-PORTS-<stamp>.log`). */
export function logFileStamp(time: Date): string {
  const [date, clock] = localDateTime(time);
  return `${date.replaceAll("-", "")}-${clock.replaceAll(":", "")}`;
}

/** `+01:00`: the local time's offset from UTC at `time`, for the headers. */
export function utcOffset(time: Date): string {
  return formatOffset(-time.getTimezoneOffset());
}

/** `+01:00` for 60 minutes, `-05:30` for -330: an offset from UTC as ISO 8601 writes it. */
export function formatOffset(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  const size = Math.abs(minutes);
  return `${minutes < 0 ? "-" : "+"}${pad(Math.floor(size / 60))}:${pad(size % 60)}`;
}
