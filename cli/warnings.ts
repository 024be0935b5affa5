/**
 * Warnings of a long run (watch, monitor) said once each on stderr, one line, control characters
 * as `?`.
 *
 * @module
 */

import { printableField } from "../text/printable.ts";

/**
 * A function that says each kind of warning once: messages that differ only in their numbers
 * (`the fd tables of 72 processes ...`, then `of 73 ...`, at every look without root) are one
 * kind, said the first time only.
 */
export function warnOncePerKind(say: (line: string) => void): (message: string) => void {
  const said = new Set<string>();
  return (message) => {
    const kind = message.replace(/\d+/g, "#");
    if (said.has(kind)) return;
    said.add(kind);
    say(`portset: ${printableField(message)}`);
  };
}
