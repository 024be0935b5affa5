/**
 * What the report's flags are about, so every list and chart can mark a flagged port, process,
 * path, user or address where it shows one, in its flag's color.
 *
 * @module
 */

import type { Flag } from "../../report/model.ts";
import { type Html, markup } from "./html.ts";

/** Flag severities, most serious first. */
export const SEVERITIES = ["alert", "warning", "info"] as const;

/** Which ports, processes, paths, users and addresses the flags are about, and how seriously. */
export interface FlaggedSubjects {
  /** The most serious flag's severity for a subject (any case), or undefined. */
  of(subject: string): Flag["severity"] | undefined;
}

/** The subjects of `flags`; a listener's subject with an address (`TCP 0.0.0.0:3389`) flags its port. */
export function flaggedSubjects(flags: Flag[]): FlaggedSubjects {
  const severity = new Map<string, Flag["severity"]>();
  const mark = (key: string, flag: Flag) => {
    const known = severity.get(key);
    if (!known || SEVERITIES.indexOf(flag.severity) < SEVERITIES.indexOf(known)) {
      severity.set(key, flag.severity);
    }
  };
  for (const flag of flags) {
    mark(flag.subject.toLowerCase(), flag);
    // A listener's subject may name its address (`TCP 0.0.0.0:3389`, `TCP [::1]:8080`): the
    // port is flagged too. A remote port (`TCP 6667 (remote)`) is not a local one.
    const local = flag.subject.match(/^(TCP|UDP)6?\s+(?:\S*:)?(\d+)$/i);
    if (local) mark(`${local[1]} ${local[2]}`.toLowerCase(), flag);
  }
  return { of: (subject) => severity.get(subject.toLowerCase()) };
}

/** The ⚑ after a flagged name, or nothing. */
export function flagMark(severity: Flag["severity"] | undefined): Html | "" {
  return severity
    ? markup` <span class="mark sev-${severity}" title="flagged: ${severity}">⚑</span>`
    : "";
}
