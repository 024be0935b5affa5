/**
 * The metrics sink: counts what the monitor sees (changes by kind, rule events by change, looks)
 * and keeps the last look, then publishes it as Prometheus metrics: served at `/metrics`
 * (`--metrics HOST:PORT`), written for node_exporter's textfile collector (`--textfile DIR`), or
 * both, the same text.
 *
 * @module
 */

import type { Endpoint, Snapshot } from "../model/endpoint.ts";
import {
  SOCKET_CHANGE_KINDS,
  type SocketChange,
  type SocketChangeKind,
} from "../model/socket_change.ts";
import type { LookTiming, Sink } from "../monitor/sink.ts";
import { formatMonitorMetrics } from "../outputs/monitor_metrics.ts";
import type { ChangeEvent, ChangeKind } from "../rules/changes.ts";
import { TARGET, VERSION } from "../version.ts";
import type { MetricsServer } from "./metrics_server.ts";
import type { TextfileWriter } from "./textfile.ts";

/** Options of {@linkcode MetricsSink}. */
export interface MetricsSinkOptions {
  /** The `/metrics` endpoint serving {@linkcode MetricsSink.render}; null: no listener at all. */
  server: MetricsServer | null;
  /** Where `portset.prom` is written at each look; null: no file. */
  textfile: TextfileWriter | null;
  /** Whether a rule runs (its events are counted only then). */
  ruleEvents: boolean;
  /** Told when the textfile cannot be written (the caller says it once). */
  onFailure(message: string): void;
}

/** What the monitor saw, as metrics, where they were asked for. */
export class MetricsSink implements Sink {
  #endpoints: readonly Endpoint[] | null = null;
  #changes = Object.fromEntries(SOCKET_CHANGE_KINDS.map((kind) => [kind, 0])) as Record<
    SocketChangeKind,
    number
  >;
  #ruleEvents: Record<ChangeKind, number> | null;
  #looks = 0;
  #lastLook: { time: string; durationMs: number } | null = null;
  /** The textfile failed and has not been written since: said once until it recovers. */
  #failing = false;

  constructor(readonly options: MetricsSinkOptions) {
    this.#ruleEvents = options.ruleEvents ? { Created: 0, Updated: 0, Deleted: 0 } : null;
  }

  /** Where the metrics are served, if anywhere. */
  get server(): MetricsServer | null {
    return this.options.server;
  }

  /** The file written for node_exporter, if any. */
  get textfile(): TextfileWriter | null {
    return this.options.textfile;
  }

  /** The exposition of what was seen; null before the first look. */
  render(): string | null {
    if (this.#endpoints === null) return null;
    return formatMonitorMetrics({
      build: { version: VERSION, target: TARGET },
      endpoints: this.#endpoints,
      changes: this.#changes,
      ruleEvents: this.#ruleEvents,
      looks: this.#looks,
      lastLook: this.#lastLook,
    });
  }

  /** A write is due at the end of this turn. */
  #publishing = false;

  start(snapshot: Snapshot, timing: LookTiming): void {
    this.#look(snapshot, timing);
    this.#publish();
  }

  tick(changes: readonly SocketChange[], snapshot: Snapshot, timing: LookTiming): void {
    for (const change of changes) this.#changes[change.kind]++;
    this.#look(snapshot, timing);
    this.#publishSoon();
  }

  events(events: readonly ChangeEvent[]): void {
    if (this.#ruleEvents === null) return;
    for (const event of events) this.#ruleEvents[event.change]++;
    this.#publishSoon();
  }

  /**
   * Writes the textfile once this look is told whole: the loop calls events() right after
   * tick(), in the same turn, when the rule found something; one write a look, not two.
   */
  #publishSoon(): void {
    if (this.#publishing) return;
    this.#publishing = true;
    queueMicrotask(() => {
      this.#publishing = false;
      this.#publish();
    });
  }

  async stop(): Promise<void> {
    this.textfile?.remove();
    await this.server?.close();
  }

  #look(snapshot: Snapshot, timing: LookTiming): void {
    this.#endpoints = snapshot.endpoints;
    this.#looks++;
    this.#lastLook = { time: snapshot.time, durationMs: timing.durationMs };
  }

  /** Writes the textfile, when there is one; a failure is told once until a write succeeds. */
  #publish(): void {
    if (this.textfile === null) return;
    try {
      this.textfile.write(this.render()!);
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) {
        this.options.onFailure(
          `cannot write ${this.textfile.path}: ${(error as Error).message}`,
        );
      }
      this.#failing = true;
    }
  }
}
