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

/**
 * Evaluates a rule as snapshots come and returns its events; the monitor loop hands them to its
 * sinks.
 */
export class RuleMonitor {
  readonly realTime: boolean;
  #previous: SelectedEntity[] = [];
  #lastEvaluation = 0;

  constructor(
    readonly rule: Rule,
    readonly intervalSeconds: number,
    readonly now: () => number = Date.now,
  ) {
    this.realTime = rule.sets.some((set) => set.onChange);
  }

  /** The first look: what the rule selects now is the baseline of the first events. */
  start(snapshot: Snapshot): void {
    this.#previous = this.#select(snapshot);
    this.#lastEvaluation = this.now();
  }

  /**
   * A later look: the events since the last evaluation, or none when it is not time to evaluate
   * (a rule without onChange, inside its interval).
   */
  tick(snapshot: Snapshot): ChangeEvent[] {
    if (!this.realTime && this.now() - this.#lastEvaluation < this.intervalSeconds * 1000) {
      return [];
    }
    this.#lastEvaluation = this.now();
    const selected = this.#select(snapshot);
    const events = compareEntities(this.#previous, selected, {
      rule: this.rule.path,
      time: snapshot.time,
      host: snapshot.host,
    });
    this.#previous = selected;
    return events;
  }

  #select(snapshot: Snapshot): SelectedEntity[] {
    return selectEntities(this.rule, portSetEntities(snapshot.endpoints));
  }
}
