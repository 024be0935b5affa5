/**
 * Real-time rules: a rule evaluated as the monitor runs, its entities remembered in memory as the
 * baseline, each difference an event. A rule with a PortSet marked `onChange="true"` is evaluated
 * at every tick; otherwise once per rule interval.
 *
 * @module
 */

import type { Snapshot } from "../model/endpoint.ts";
import { type ChangeEvent, compareEntities } from "../rules/changes.ts";
import { portSetEntities } from "../rules/entities.ts";
import type { Rule } from "../rules/rule.ts";
import { type SelectedEntity, selectEntities } from "../rules/select.ts";
import type { MonitorPart } from "./monitor.ts";

/** Evaluates a rule as snapshots come, and passes on its events. */
export class RuleMonitor implements MonitorPart {
  readonly realTime: boolean;
  #previous: SelectedEntity[] = [];
  #lastEvaluation = 0;

  constructor(
    readonly rule: Rule,
    readonly intervalSeconds: number,
    readonly emit: (events: ChangeEvent[]) => void,
    readonly now: () => number = Date.now,
  ) {
    this.realTime = rule.sets.some((set) => set.onChange);
  }

  start(snapshot: Snapshot): void {
    this.#previous = this.#select(snapshot);
    this.#lastEvaluation = this.now();
  }

  tick(_changes: unknown, snapshot: Snapshot): void {
    if (!this.realTime && this.now() - this.#lastEvaluation < this.intervalSeconds * 1000) return;
    this.#lastEvaluation = this.now();
    const selected = this.#select(snapshot);
    const events = compareEntities(this.#previous, selected, {
      rule: this.rule.path,
      time: snapshot.time,
      host: snapshot.host,
    });
    this.#previous = selected;
    if (events.length > 0) this.emit(events);
  }

  #select(snapshot: Snapshot): SelectedEntity[] {
    return selectEntities(this.rule, portSetEntities(snapshot.endpoints));
  }
}
