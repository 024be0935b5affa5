/**
 * Numbers, shares, durations, sizes and times as the report page writes them. Plain text: the
 * templates escape it where it lands.
 *
 * @module
 */

import { formatAddressPort } from "../../model/address.ts";
import { parseLogDateTime } from "../../port_reporter/log_time.ts";

/** A whole number with thousands separators: `12,000`. */
export function int(n: number): string {
  return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A share (0 to 1) as a percentage: `0%`, `<0.1%`, `4.2%`, `37%`, `>99.9%`, `100%`. */
export function percent(share: number): string {
  if (!(share > 0)) return "0%";
  if (share < 0.001) return "<0.1%";
  if (share >= 0.9995 && share < 1) return ">99.9%";
  return `${(Math.min(share, 1) * 100).toFixed(share >= 0.1 ? 0 : 1)}%`;
}

/** `35 h 16 min`, `4 d 3 h`, `12 min 5 s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const hours = Math.floor(s / 3600), minutes = Math.floor((s % 3600) / 60);
  if (s < 4 * 86400) return `${hours} h${minutes ? ` ${minutes} min` : ""}`;
  const days = Math.floor(s / 86400), rest = hours % 24;
  return `${days} d${rest ? ` ${rest} h` : ""}`;
}

/** A file size: `310 B`, `4.7 KB`, `25 MB`. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024, unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** A report time as people read it (`2026-11-21 03:12:45`), or a dash for none. */
export function when(time: string | null): string {
  // The offset is said once, in the page's header.
  return time === null ? "—" : time.slice(0, 19).replace("T", " ");
}

/** `address:port` as the rest of portset writes it; the (bracketed) address alone without a port. */
export function addressPort(address: string, port: number | null): string {
  if (port !== null) return formatAddressPort(address, port);
  return address.includes(":") ? `[${address}]` : address;
}

/**
 * A report time (`YYYY-MM-DDTHH:MM:SS+01:00`) in wall-clock seconds, as the analysis reckons them:
 * its offset set aside.
 */
export function epoch(time: string | null): number | null {
  if (time === null) return null;
  const [date, clock = ""] = time.split("T");
  return parseLogDateTime(date, clock.slice(0, 8), "ymd");
}
