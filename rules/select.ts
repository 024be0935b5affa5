/**
 * Which entities a rule selects: an entity is in a `<PortSet>` when it matches at least one
 * `<include>` (or the set has none) and no `<exclude>`; excludes always win. The tests inside one
 * element must all match; a test against an attribute with no value does not match.
 *
 * @module
 */

import type { PortSetAttributes, PortSetEntity } from "./entities.ts";
import {
  ATTRIBUTE_NAMES,
  type AttributeName,
  type Criterion,
  FEATURE_TESTS,
  type Rule,
} from "./rule.ts";

/** An entity a rule selects, with the attributes its sets monitor. */
export interface SelectedEntity {
  key: string;
  /** Every attribute, monitored or not. */
  attributes: PortSetAttributes;
  /** The attributes whose changes count: the union over the sets that select the entity. */
  monitored: readonly AttributeName[];
  /** True when a set selecting it asks for real-time monitoring. */
  onChange: boolean;
}

/** An entity's values for the feature tests, each folded to lower case at most once. */
class FeatureValues {
  #folded = new Map<string, string>();
  constructor(readonly entity: PortSetEntity) {}

  value(feature: keyof typeof FEATURE_TESTS): string | null {
    if (feature === "key") return this.entity.key;
    const value = this.entity.attributes[FEATURE_TESTS[feature]];
    return value === null ? null : String(value);
  }

  folded(feature: keyof typeof FEATURE_TESTS, value: string): string {
    let folded = this.#folded.get(feature);
    if (folded === undefined) this.#folded.set(feature, folded = value.toLowerCase());
    return folded;
  }
}

function matches(criterion: Criterion, values: FeatureValues): boolean {
  for (const { feature, glob } of criterion.tests) {
    const value = values.value(feature);
    if (value === null) return false;
    const matched = glob.caseSensitive
      ? glob.matches(value)
      : glob.matchesFolded(values.folded(feature, value));
    if (!matched) return false;
  }
  return true;
}

/** The entities `rule` selects, in the order given. */
export function selectEntities(rule: Rule, entities: readonly PortSetEntity[]): SelectedEntity[] {
  const selected: SelectedEntity[] = [];
  for (const entity of entities) {
    const values = new FeatureValues(entity);
    let monitored: Set<AttributeName> | null = null;
    let onChange = false;
    for (const set of rule.sets) {
      const included = set.include.length === 0 ||
        set.include.some((criterion) => matches(criterion, values));
      if (!included || set.exclude.some((criterion) => matches(criterion, values))) continue;
      monitored ??= new Set();
      for (const name of set.attributes) monitored.add(name);
      onChange ||= set.onChange;
    }
    if (monitored) {
      selected.push({
        key: entity.key,
        attributes: entity.attributes,
        monitored: ATTRIBUTE_NAMES.filter((name) => monitored.has(name)),
        onChange,
      });
    }
  }
  return selected;
}
