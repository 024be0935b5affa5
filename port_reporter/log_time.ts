/**
 * The logs' timestamps. portset writes `2026-11-22` and `09:05:07`; the original Port Reporter
 * writes `05/7/6` and `13:52:1`, unpadded, with a two-digit year. Both are local times with no
 * zone, so they are kept as "seconds since 1970 as if the wall clock were UTC": differences
 * between two of them are true durations (but for a daylight-saving change), and formatting one
 * back gives the wall-clock time the log shows.
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
  const time = Date.UTC(year, month - 1, day);
  // Reject the 31st of a 30-day month and the like, which Date.UTC would roll over.
  if (new Date(time).getUTCDate() !== day) return null;
  return time / 1000;
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
  return day === null || seconds === null ? null : day + seconds;
}

/** `YYYY-MM-DDTHH:MM:SS`, the wall-clock time `seconds` stands for. */
export function formatLogTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/** The hour of the day (0–23) of a wall-clock time. */
export function hourOfDay(seconds: number): number {
  return Math.floor((((seconds % 86400) + 86400) % 86400) / 3600);
}

/** `YYYYMMDD-HHMMSS`, as portset stamps its log files' names; null when `name` has none. */
export function fileStampTime(name: string): number | null {
  const stamp = /(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(name);
  if (!stamp) return null;
  const [year, month, day, hours, minutes, seconds] = stamp.slice(1).map(Number);
  const time = Date.UTC(year, month - 1, day, hours, minutes, seconds);
  return Number.isNaN(time) ? null : time / 1000;
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
  const offset = -time.getTimezoneOffset();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${offset >= 0 ? "+" : "-"}${pad(Math.floor(Math.abs(offset) / 60))}:${
    pad(Math.abs(offset) % 60)
  }`;
}
