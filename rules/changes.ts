/**
 * Change events: the differences between two looks at a rule's entities (a baseline and now, or
 * two monitor ticks) in the vendor's vocabulary, Created, Updated and Deleted. Only attributes
 * the rule monitors count as changes.
 *
 * @module
 */

import { compareKeys } from "../model/order.ts";
import type { PortSetAttributes } from "./entities.ts";
import { ATTRIBUTE_NAMES, type AttributeName } from "./rule.ts";
import type { SelectedEntity } from "./select.ts";

/** The vendor's change names (Renamed does not apply to ports). */
export type ChangeKind = "Created" | "Updated" | "Deleted";

/** An attribute value as events carry it. */
export type AttributeValue = PortSetAttributes[AttributeName];

/** Some of an entity's attributes, in the rule language's names. */
export type AttributeSubset = Partial<Record<AttributeName, AttributeValue>>;

/** One change to one entity. */
export interface ChangeEvent {
  change: ChangeKind;
  key: string;
  entityType: "PortSet";
  /** The rule file that selected the entity. */
  rule: string;
  /** When the change was seen, ISO 8601. */
  time: string;
  host: string;
  /** The monitored attributes now (for Deleted: as last seen). */
  attributes: AttributeSubset;
  /** For Updated: each monitored attribute that differs, with its old and new value. */
  changed?: Partial<Record<AttributeName, { old: AttributeValue; new: AttributeValue }>>;
}

/** An entity as a baseline or an earlier tick remembers it. */
export interface RememberedEntity {
  key: string;
  attributes: PortSetAttributes;
  monitored: readonly AttributeName[];
}

/** Where and when the comparison is made, for the events. */
export interface ChangeContext {
  rule: string;
  time: string;
  host: string;
}

/** The monitored attributes of an entity, in the rule language's order. */
export function monitoredAttributes(entity: RememberedEntity | SelectedEntity): AttributeSubset {
  const subset: AttributeSubset = {};
  for (const name of ATTRIBUTE_NAMES) {
    if (entity.monitored.includes(name)) subset[name] = entity.attributes[name];
  }
  return subset;
}

/** The events that turn `before` into `now`, in key order ({@linkcode compareKeys}). */
export function compareEntities(
  before: readonly RememberedEntity[],
  now: readonly SelectedEntity[],
  context: ChangeContext,
): ChangeEvent[] {
  const previous = new Map(before.map((entity) => [entity.key, entity]));
  const events: ChangeEvent[] = [];
  const event = (change: ChangeKind, entity: RememberedEntity): ChangeEvent => ({
    change,
    key: entity.key,
    entityType: "PortSet",
    ...context,
    attributes: monitoredAttributes(entity),
  });
  for (const entity of now) {
    const old = previous.get(entity.key);
    previous.delete(entity.key);
    if (!old) {
      events.push(event("Created", entity));
      continue;
    }
    const changed: ChangeEvent["changed"] = {};
    for (const name of entity.monitored) {
      if (old.attributes[name] !== entity.attributes[name]) {
        changed[name] = { old: old.attributes[name], new: entity.attributes[name] };
      }
    }
    if (Object.keys(changed).length > 0) events.push({ ...event("Updated", entity), changed });
  }
  for (const old of previous.values()) events.push(event("Deleted", old));
  return events.sort((a, b) => compareKeys(a.key, b.key));
}
