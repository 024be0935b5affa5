/**
 * A wall-clock time as the report writes it for logs that state no offset (the original Port
 * Reporter's): with this machine's offset at that local time, whatever zone the tests run in.
 *
 * @module
 */

import { formatOffset } from "../../port_reporter/log_time.ts";

/** `2005-07-06T13:44:04` → `2005-07-06T13:44:04+02:00` where this machine is on UTC+02:00 then. */
export function withLocalOffset(wallClock: string): string {
  // A date-time with no zone is read as local time.
  return wallClock + formatOffset(-new Date(wallClock).getTimezoneOffset());
}
