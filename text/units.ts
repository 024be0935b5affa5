/**
 * Durations and byte sizes as portset writes them for people: every output takes its formatter
 * from here.
 *
 * Some quantities have two formatters, because the outputs that use them want different text:
 * each formatter is named for the text it makes, and says why it exists beside the other. (The
 * flag syntax `5M` is not here: `formatSize` in cli/parse/monitor.ts is the inverse of the flag
 * parser beside it, and writes what the flags take, not a size for reading.)
 *
 * @module
 */

const MIB = 1024 ** 2;

/**
 * `42 s`, `3 min 5 s`, `2 h 07 min`, `3 d 4 h`: past a minute, always the two largest units, the
 * smaller one even when it is 0, and minutes beside hours in two digits. The text report's tables
 * set durations one under another, where a fixed shape reads at a glance.
 */
export function formatDurationFull(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86400) {
    return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  }
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

/**
 * `45 s`, `12 min 5 s`, `1 h`, `35 h 16 min`, `4 d 3 h`: a part that is 0 is left out, hours count
 * up to four days, and a negative duration is 0 s. The HTML page writes durations inside
 * sentences, cards and tooltips, where `1 h` reads better than `1 h 00 min`, and a log window of
 * a day or two is best said in hours.
 */
export function formatDurationShort(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const hours = Math.floor(s / 3600), minutes = Math.floor((s % 3600) / 60);
  if (s < 4 * 86400) return `${hours} h${minutes ? ` ${minutes} min` : ""}`;
  const days = Math.floor(s / 86400), rest = hours % 24;
  return `${days} d${rest ? ` ${rest} h` : ""}`;
}

/** `310 B`, `4.7 KiB`, `25.0 MiB`, `1.25 GiB`: a size in binary units, as the text report says. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/**
 * `310 B`, `4.7 KB`, `25 MB`: a size in as few digits as will do (one decimal under 10, none
 * from 10), for the HTML page's facts and file list. The units are powers of 1024 although
 * written `KB`, `MB`: the page has always written them so, and its text is kept as it is.
 */
export function formatBytesShort(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024, unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * `4 MiB`, `0.5 MiB`, `64 MiB`: a size in MiB to one decimal, none when it is whole. Messages
 * about input size limits use it, whose limits are whole MiB, so they read `4 MiB`, not
 * `4.0 MiB`.
 */
export function formatMib(bytes: number): string {
  return `${Math.round(bytes / MIB * 10) / 10} MiB`;
}

/**
 * `0.3`, `7.5`, `120`: a size in MiB as a bare figure, one decimal under 10 MiB, for a progress
 * line that names the unit once after two figures (`7.5/120 MiB`).
 */
export function formatMibFigure(bytes: number): string {
  return (bytes / MIB).toFixed(bytes < 10 * MIB ? 1 : 0);
}
