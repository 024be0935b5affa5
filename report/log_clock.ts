/**
 * The UTC offsets of a report's times. The logs date their records in local time with no zone
 * (log_time.ts: the analysis reckons in wall-clock seconds), so the report adds each time's
 * offset once it is made:
 *
 * - **portset's logs** state theirs: each file's header has a `Times:` line ending
 *   `local time, UTC+01:00`, the offset when the file was started. A time takes the offset of the
 *   file it falls in (the last file, by start, that starts at or before it). A file open across a
 *   daylight-saving change keeps the offset its header states; portset starts new files at
 *   midnight, so that is at most the hours between the change and the next midnight.
 * - **The original Port Reporter's logs** state none. For them the report assumes the offset this
 *   machine, the one reading the logs, had at that local time (so daylight saving is followed as
 *   this machine follows it), and says so in `utcOffsets.assumed`: right when the logs were
 *   written in this machine's time zone, which is the usual case of reading a server's logs on
 *   the server, and to be read with care otherwise.
 *
 * @module
 */

import { formatLogTime, formatOffset } from "../port_reporter/log_time.ts";
import type { Report } from "./model.ts";

/** A log file's place in time and the offset its header states, in minutes (null: none). */
export interface FileOffset {
  /** Wall-clock seconds the file starts at; null when nothing says. */
  start: number | null;
  /** The offset its header states, in minutes east of UTC; null when it states none. */
  utcOffset: number | null;
}

/** Maps the logs' wall-clock times to ISO 8601 times with their offsets. */
export class LogClock {
  readonly #files: { start: number; utcOffset: number | null }[];
  /** The offset of files with no start, when one states it. */
  readonly #unplaced: number | null;
  readonly #stated = new Set<string>();
  readonly #assumed = new Set<string>();

  /** `files`: every log read, each with its start and stated offset. None: every offset assumed. */
  constructor(files: readonly FileOffset[] = []) {
    this.#files = files.filter((file) => file.start !== null)
      .map((file) => ({ start: file.start!, utcOffset: file.utcOffset }))
      .sort((a, b) => a.start - b.start);
    this.#unplaced = files.find((file) => file.start === null && file.utcOffset !== null)
      ?.utcOffset ?? null;
  }

  /** `2026-11-22T09:05:07+01:00`: the wall-clock time `seconds` with its offset. */
  format(seconds: number): string {
    let stated = this.#files.length === 0 ? this.#unplaced : this.#files[0].utcOffset;
    for (const file of this.#files) {
      if (file.start > seconds) break;
      stated = file.utcOffset;
    }
    const offset = stated ?? assumedOffset(seconds);
    const text = formatOffset(offset);
    (stated === null ? this.#assumed : this.#stated).add(text);
    return formatLogTime(seconds) + text;
  }

  /** The offsets the times formatted so far carry: stated by the logs, and assumed. */
  offsets(): Report["utcOffsets"] {
    return { stated: [...this.#stated].sort(), assumed: [...this.#assumed].sort() };
  }
}

/**
 * `report` with every time given its offset: the window, the timeline's start, each remote
 * address's and flag's first and last sighting, and each change; and `utcOffsets` saying which.
 * The analysis writes these as wall-clock `YYYY-MM-DDTHH:MM:SS`.
 */
export function withUtcOffsets(report: Report, clock: LogClock): Report {
  const zoned = (time: string) => clock.format(Date.parse(`${time}Z`) / 1000);
  const maybe = (time: string | null) => (time === null ? null : zoned(time));
  return {
    ...report,
    window: { ...report.window, start: maybe(report.window.start), end: maybe(report.window.end) },
    remoteAddresses: report.remoteAddresses.map((remote) => ({
      ...remote,
      firstSeen: zoned(remote.firstSeen),
      lastSeen: zoned(remote.lastSeen),
    })),
    flags: report.flags.map((flag) => ({
      ...flag,
      firstSeen: zoned(flag.firstSeen),
      lastSeen: zoned(flag.lastSeen),
    })),
    timeline: { ...report.timeline, start: maybe(report.timeline.start) },
    changes: report.changes.map((row) => ({ ...row, time: zoned(row.time) })),
    utcOffsets: clock.offsets(),
  };
}

/** Minutes for `+01:00` (60); null for anything else. */
export function parseOffset(text: string | null | undefined): number | null {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(text ?? "");
  if (!match) return null;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === "-" ? -minutes : minutes;
}

/** This machine's UTC offset, in minutes, at the local time that `seconds` (wall clock) shows. */
function assumedOffset(seconds: number): number {
  const wall = new Date(seconds * 1000);
  const local = new Date(
    wall.getUTCFullYear(),
    wall.getUTCMonth(),
    wall.getUTCDate(),
    wall.getUTCHours(),
    wall.getUTCMinutes(),
    wall.getUTCSeconds(),
  );
  return -local.getTimezoneOffset();
}
