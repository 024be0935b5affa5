/**
 * The listeners a report treats as expected, to flag new ones: a `portset baseline` file (its
 * entities' keys), or a text file of PortSet keys, one per line, `*` and `?` as wildcards
 * (`udp/0.0.0.0/53`; `#` starts a comment). Keys are the rule language's: `protocol/local address/port`.
 *
 * @module
 */

import { MAX_BASELINE_BYTES, parseBaseline } from "../rules/baseline.ts";
import { readInputText } from "../text/input_file.ts";
import { compileGlob, type Glob } from "../rules/glob.ts";
import type { PortsRecord } from "../port_reporter/ports_log.ts";

/** Expected listeners. */
export interface ListenerBaseline {
  /** A file's path, or a description of where the keys came from. */
  source: string;
  /** Whether the baseline was given (new listeners are warnings) or implied (information). */
  explicit: boolean;
  /** Whether the PortSet key of a listener (`tcp6/::/22`) is an expected one. */
  matches(key: string): boolean;
}

/** A baseline file that cannot be used; the message names the file. */
export class ListenerBaselineError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "ListenerBaselineError";
}

/** The PortSet key of a socket in the logs: `tcp6/::/22`. */
export function recordKey(
  record: Pick<PortsRecord, "protocol" | "ipv6" | "localAddress" | "localPort">,
): string {
  return `${record.protocol.toLowerCase()}${
    record.ipv6 ? "6" : ""
  }/${record.localAddress}/${record.localPort}`;
}

/** A baseline of exactly these keys. */
export function keySetBaseline(
  keys: Iterable<string>,
  source: string,
  explicit: boolean,
): ListenerBaseline {
  const set = new Set(keys);
  return { source, explicit, matches: (key) => set.has(key) };
}

/** Reads a baseline file of either kind. */
export function loadListenerBaseline(path: string): ListenerBaseline {
  let text: string;
  try {
    text = readInputText(path, { what: "baseline", maxBytes: MAX_BASELINE_BYTES });
  } catch (error) {
    throw new ListenerBaselineError((error as Error).message, { cause: error });
  }
  if (text.trimStart().startsWith("{")) {
    try {
      const baseline = parseBaseline(text, path);
      return keySetBaseline(baseline.entities.map((entity) => entity.key), path, true);
    } catch (error) {
      throw new ListenerBaselineError((error as Error).message);
    }
  }
  const globs: Glob[] = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") continue;
    if (!/^[^/\s]+\/[^/\s]+\/[^/\s]+$/.test(line)) {
      throw new ListenerBaselineError(
        `${path}:${index + 1}: '${line}' is not a key like tcp/0.0.0.0/22 or tcp*/*/22`,
      );
    }
    globs.push(compileGlob(line));
  }
  return {
    source: path,
    explicit: true,
    matches: (key) => globs.some((glob) => glob.matches(key)),
  };
}
