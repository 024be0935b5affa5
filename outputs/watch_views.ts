/**
 * The watch's two ways of reading (monitor/watch.ts decides what to say, these how): PortQry's
 * dated blocks (watch_report.ts), and JSON lines (watch_json.ts, schemas/watch.schema.json).
 *
 * @module
 */

import type { WatchView } from "../monitor/watch.ts";
import { watchChangeLines, watchEndLine, watchStartLine } from "./watch_json.ts";
import { formatWatchBlock, formatWatchEnd, formatWatchHeader } from "./watch_report.ts";

/** PortQry's blocks: a header, the starting state, a block per look with changes, an end line. */
export function textWatchView(options: { command: string; verbose: boolean }): WatchView {
  return {
    start: (facts) =>
      formatWatchHeader({
        watching: facts.watching,
        command: options.command,
        host: facts.host,
        intervalSeconds: facts.intervalSeconds,
        time: facts.time,
      }) +
      formatWatchBlock(
        facts.time,
        `starting state: ${facts.endpoints.length} socket${
          facts.endpoints.length === 1 ? "" : "s"
        }`,
        [],
        facts.endpoints,
        options.verbose,
      ),
    changes: (time, changes, now) =>
      formatWatchBlock(
        time,
        `${changes.length} change${changes.length === 1 ? "" : "s"}`,
        changes,
        now,
        options.verbose,
      ),
    end: formatWatchEnd,
  };
}

/** JSON lines: a start line with the watched sockets, a line per change, an end line. */
export const jsonWatchView: WatchView = {
  start: watchStartLine,
  changes: (time, changes) => watchChangeLines(time, changes),
  end: watchEndLine,
};
