/**
 * Numbers, shares and times as the report page writes them (durations and sizes: text/units.ts). Plain text: the
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
