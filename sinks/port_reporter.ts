/**
 * The Port Reporter sink: the monitor's looks as Port Reporter logs (PR-INITIAL at the start, a
 * PR-PORTS line and a PR-PIDS record per change, a stop record at the end).
 *
 * @module
 */

import type { Snapshot } from "../model/endpoint.ts";
import type { SocketChange } from "../model/socket_change.ts";
import type { Sink } from "../monitor/sink.ts";
import { PortReporter, type PortReporterOptions } from "../port_reporter/reporter.ts";

/**
 * Writes the logs of one run; the files are made at the first look, so a log directory that
 * cannot be written fails the start (a `ReporterError`) before the monitor says it runs.
 */
export class PortReporterSink implements Sink {
  #reporter: PortReporter | null = null;

  constructor(readonly options: PortReporterOptions) {}

  /** Changes written to the logs since the start. */
  get changesLogged(): number {
    return this.#reporter?.changesLogged ?? 0;
  }

  /** Changes that could not be written (a full disk), since the start. */
  get changesUnlogged(): number {
    return this.#reporter?.changesUnlogged ?? 0;
  }

  start(snapshot: Snapshot): void {
    this.#reporter = PortReporter.start(this.options, snapshot);
  }

  tick(changes: readonly SocketChange[], snapshot: Snapshot): void {
    this.#reporter?.record(changes, snapshot);
  }

  events(): void {}

  stop(reason: string): void {
    this.#reporter?.stop(reason);
  }
}
