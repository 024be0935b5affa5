/**
 * `portset -wport PORT` / `-wpid PID`: the watch, on stdout and, with `-l FILE`, in a log written
 * as it goes.
 *
 * @module
 */

import { createCollector } from "../collectors/platform.ts";
import { NoSuchProcessError, watch } from "../monitor/watch.ts";
import { jsonWatchView, textWatchView } from "../outputs/watch_views.ts";
import type { WatchCommand } from "./parse/portqry.ts";
import { CliError, EXIT_USAGE } from "./errors.ts";
import { LogWriter, writeOutput } from "./output.ts";
import { stopOnSignals } from "./signals.ts";
import { warnOncePerKind } from "./warnings.ts";

/** Runs the watch until Ctrl+C, SIGTERM, or the watched process's exit. */
export async function runWatch(command: WatchCommand, args: readonly string[]): Promise<number> {
  const log = command.logFile ? LogWriter.create(command.logFile, command.overwrite) : null;
  const collector = await createCollector();
  using stop = stopOnSignals();
  try {
    await watch({
      collector,
      target: command.port !== null ? { port: command.port } : { pid: command.pid! },
      intervalSeconds: command.intervalSeconds,
      view: command.format === "json"
        ? jsonWatchView
        : textWatchView({ command: ["portset", ...args].join(" "), verbose: command.verbose }),
      sink: {
        write(text) {
          writeOutput([text]);
          log?.write(text);
        },
      },
      stop: stop.signal,
      // On stderr, so that the watch's output and its log stay the watch's.
      warn: warnOncePerKind((line) => console.error(line)),
    });
    return 0;
  } catch (error) {
    if (error instanceof NoSuchProcessError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  } finally {
    collector.close();
    log?.close();
  }
}
