/**
 * Which entities a rule selects: an entity is in a `<PortSet>` when it matches at least one
 * `<include>` (or the set has none) and no `<exclude>`; excludes always win. The tests inside one
 * element must all match; a test against an attribute with no value does not match.
 *
 * @module
 */

import { CriteriaIndex } from "./criteria_index.ts";
import type { PortSetAttributes, PortSetEntity } from "./entities.ts";
import {
  ATTRIBUTE_NAMES,
  type AttributeName,
  type Criterion,
  type Feature,
  type PortSetRule,
  type Rule,
} from "./rule.ts";

/** An entity a rule selects, with the attributes its sets monitor. */
export interface SelectedEntity {
  /** Its PortSet key, `tcp6/::1/80`. */
  key: string;
  /** Its network namespace: null (or absent) for the host's (portset's own), else its label. */
  namespace?: string | null;
  /** Every attribute, monitored or not. */
  attributes: PortSetAttributes;
  /** The attributes whose changes count: the union over the sets that select the entity. */
  monitored: readonly AttributeName[];
  /** True when a set selecting it asks for real-time monitoring. */
  onChange: boolean;
}

/** One entity's feature values, each read and lower-cased at most once. */
class FeatureValues {
  entity!: PortSetEntity;
  // Lower-cased values, undefined until first asked for; fields, not a map, to allocate nothing.
  #key: string | null | undefined;
  #path: string | null | undefined;
  #process: string | null | undefined;
  #user: string | null | undefined;
  #namespace: string | null | undefined;

  reset(entity: PortSetEntity): void {
    this.entity = entity;
    this.#key =
      this.#path =
      this.#process =
      this.#user =
      this.#namespace =
        undefined;
  }

  value = (feature: Feature, folded: boolean): string | null => {
    const attributes = this.entity.attributes;
    switch (feature) {
      case "key":
        return folded ? (this.#key ??= this.entity.key.toLowerCase()) : this.entity.key;
      case "path":
        return folded ? (this.#path ??= attributes.Path?.toLowerCase() ?? null) : attributes.Path;
      case "process":
        return folded
          ? (this.#process ??= attributes.Process?.toLowerCase() ?? null)
          : attributes.Process;
      case "user":
        return folded ? (this.#user ??= attributes.User?.toLowerCase() ?? null) : attributes.User;
      case "namespace":
        return folded
          ? (this.#namespace ??= this.entity.namespace?.toLowerCase() ?? null)
          : this.entity.namespace ?? null;
    }
  };

  /** True when every test of `criterion` matches. */
  matches = (criterion: Criterion): boolean => {
    for (const { feature, glob } of criterion.tests) {
      const value = this.value(feature, !glob.caseSensitive);
      if (value === null || !glob.matchesFolded(value)) return false;
    }
    return true;
  };
}

/** A set's criteria, indexed once per rule. */
const indexes = new WeakMap<PortSetRule, { include: CriteriaIndex; exclude: CriteriaIndex }>();

function indexOf(set: PortSetRule): { include: CriteriaIndex; exclude: CriteriaIndex } {
  let index = indexes.get(set);
  if (!index) {
    index = { include: new CriteriaIndex(set.include), exclude: new CriteriaIndex(set.exclude) };
    indexes.set(set, index);
  }
  return index;
}

/** The entities `rule` selects, in the order given. */
export function selectEntities(rule: Rule, entities: readonly PortSetEntity[]): SelectedEntity[] {
  const sets = rule.sets.map((set) => ({ set, ...indexOf(set) }));
  const values = new FeatureValues();
  const selected: SelectedEntity[] = [];
  for (const entity of entities) {
    values.reset(entity);
    let monitored: Set<AttributeName> | null = null;
    let onChange = false;
    for (const { set, include, exclude } of sets) {
      const included = include.size === 0 || include.some(values.value, values.matches);
      if (!included || exclude.some(values.value, values.matches)) continue;
      monitored ??= new Set();
      for (const name of set.attributes) monitored.add(name);
      onChange ||= set.onChange;
    }
    if (monitored) {
      selected.push({
        key: entity.key,
        namespace: entity.namespace ?? null,
        attributes: entity.attributes,
        monitored: ATTRIBUTE_NAMES.filter((name) => monitored.has(name)),
        onChange,
      });
    }
  }
  return selected;
}
