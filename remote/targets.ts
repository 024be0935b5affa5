/**
 * Which ports a remote query probes: `-e PORT`, `-r START:END` or `-o P1,P2,...`, under `-p tcp`,
 * `udp` or `both`.
 *
 * @module
 */

/** A port list that cannot be read; the message says what is wrong, in one line. */
export class PortSpecError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "PortSpecError";
}

/** `START:END`, both ends included; START must not exceed END. */
export function parsePortRange(text: string): number[] {
  const match = /^(\d+):(\d+)$/.exec(text);
  if (!match) throw new PortSpecError(`a range is START:END, such as 1:1024, not '${text}'`);
  const start = checkedPort(match[1]), end = checkedPort(match[2]);
  if (start > end) throw new PortSpecError(`the range ${text} starts after it ends`);
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

/** `P1,P2,...`, in the order given, each port once. */
export function parsePortList(text: string): number[] {
  const parts = text.split(",");
  if (parts.some((part) => part === "")) {
    throw new PortSpecError(
      `a list is ports separated by commas, such as 25,80,443, not '${text}'`,
    );
  }
  return [...new Set(parts.map(checkedPort))];
}

function checkedPort(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new PortSpecError(`a port is a whole number from 1 to 65535, not '${text}'`);
  }
  return port;
}
