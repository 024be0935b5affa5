/**
 * Syslog messages as RFC 5424 frames them. Formatting only: sinks/syslog.ts sends them.
 *
 * @module
 */

import type { ChangeEvent } from "../rules/changes.ts";
import { printableField } from "../text/printable.ts";
import { VERSION } from "../version.ts";

/** Facility 13, log audit: integrity events belong with the audit trail. */
const FACILITY_LOG_AUDIT = 13;

/** Syslog severities portset uses. */
export const SEVERITY = { warning: 4, notice: 5, informational: 6 } as const;

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`. The message is one line,
 * its line breaks a space and any other control character `?`: a process's name goes into it,
 * and a receiver that splits on line breaks, or a terminal tailing its file, must meet neither.
 * Header fields are printable ASCII, as RFC 5424 asks: whitespace `_`, anything else `?`.
 */
function formatSyslog(
  message: string,
  options: { severity: number; time: Date; host: string; messageId: string },
): string {
  const field = (text: string) =>
    text === "" ? "-" : text.replace(/\s+/g, "_").replace(/[^\x21-\x7e]/g, "?").slice(0, 48);
  const priority = FACILITY_LOG_AUDIT * 8 + options.severity;
  return `<${priority}>1 ${options.time.toISOString()} ${
    field(options.host)
  } portset ${Deno.pid} ` +
    `${field(options.messageId)} [portset@32473 version="${VERSION}"] ${
      printableField(message.replace(/\r?\n/g, " "))
    }`;
}

/**
 * A rule event as one syslog message: severity warning for Created (something new appeared),
 * notice otherwise; the event's own time and host; `PortSet-Created` and its kin as message id.
 * `message` is the event as the monitor's chosen format writes it (CEF, a JSON line or text).
 */
export function formatEventSyslog(event: ChangeEvent, message: string): string {
  return formatSyslog(message, {
    severity: event.change === "Created" ? SEVERITY.warning : SEVERITY.notice,
    time: new Date(event.time),
    host: event.host,
    messageId: `PortSet-${event.change}`,
  });
}
