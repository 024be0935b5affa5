/**
 * Change events: the differences between two looks at a rule's entities (a baseline and now, or
 * two monitor ticks) in the vendor's vocabulary, Created, Updated and Deleted. Only attributes
 * the rule monitors count as changes.
 *
 * @module
 */

import {
  compareEntityIds,
  type EntityFacts,
  entityFacts,
  entityId,
  entityOwner,
  type PortSetAttributes,
} from "./entities.ts";
import { ATTRIBUTE_NAMES, type AttributeName } from "./rule.ts";
import type { SelectedEntity } from "./select.ts";

/** The vendor's change names (Renamed does not apply to ports). */
export type ChangeKind = "Created" | "Updated" | "Deleted";

/** An attribute value as events carry it. */
export type AttributeValue = PortSetAttributes[AttributeName];

/** Some of an entity's attributes, in the rule language's names. */
export type AttributeSubset = Partial<Record<AttributeName, AttributeValue>>;

/**
 * One change to one entity, as the JSON outputs write it (schemas/common.schema.json's
 * `ruleEvent`): the entity's key, protocol, address, port and owner under the names every portset
 * output uses, and the rule language's attribute names only inside `attributes`.
 */
export interface ChangeEvent extends EntityFacts {
  /** When the change was seen, ISO 8601. */
  time: string;
  /** Created (new since before), Updated (a monitored attribute differs) or Deleted (gone). */
  change: ChangeKind;
  /** The rule language's entity set: portset monitors ports only. */
  entityType: "PortSet";
  /** The rule file that selected the entity. */
  rule: string;
  /** This machine, where the change was seen. */
  host: string;
  /** The monitored attributes now (for Deleted: as last seen). */
  attributes: AttributeSubset;
  /**
   * For Updated: the owner as it was, and in `attributes` the old value of each monitored
   * attribute that differs (its new value is in the event's `attributes`).
   */
  previous?: Omit<EntityFacts, "key" | "namespace" | "protocol" | "localAddress" | "localPort"> & {
    attributes: AttributeSubset;
  };
}

/** An entity as a baseline or an earlier tick remembers it. */
export interface RememberedEntity {
  /** Its PortSet key, `tcp6/::1/80`. */
  key: string;
  /**
   * Its network namespace: null (or absent, in a baseline written before namespaces were told
   * apart) for the host's, else its label.
   */
  namespace?: string | null;
  /** Every attribute, as it was. */
  attributes: PortSetAttributes;
  /** The attributes monitored then: a Deleted event carries these. */
  monitored: readonly AttributeName[];
}

/** Where and when the comparison is made, for the events. */
export interface ChangeContext {
  /** The rule file, as named; each event says it. */
  rule: string;
  /** When the later look was taken, ISO 8601. */
  time: string;
  /** The machine looked at. */
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

/**
 * The events that turn `before` into `now`, an entity being its key within its namespace, in
 * {@linkcode compareEntityIds} order (the host's first, each namespace's in key order).
 */
export function compareEntities(
  before: readonly RememberedEntity[],
  now: readonly SelectedEntity[],
  context: ChangeContext,
): ChangeEvent[] {
  const previous = new Map(before.map((entity) => [entityId(entity), entity]));
  const events: ChangeEvent[] = [];
  const event = (change: ChangeKind, entity: RememberedEntity): ChangeEvent => {
    const { key, namespace, protocol, localAddress, localPort, ...owner } = entityFacts(
      entity.key,
      entity.attributes,
      entity.namespace ?? null,
    );
    return {
      time: context.time,
      change,
      key,
      namespace,
      protocol,
      localAddress,
      localPort,
      entityType: "PortSet",
      rule: context.rule,
      host: context.host,
      ...owner,
      attributes: monitoredAttributes(entity),
    };
  };
  for (const entity of now) {
    const old = previous.get(entityId(entity));
    previous.delete(entityId(entity));
    if (!old) {
      events.push(event("Created", entity));
      continue;
    }
    const was: AttributeSubset = {};
    for (const name of entity.monitored) {
      if (old.attributes[name] !== entity.attributes[name]) was[name] = old.attributes[name];
    }
    if (Object.keys(was).length > 0) {
      events.push({
        ...event("Updated", entity),
        previous: { ...entityOwner(old.attributes), attributes: was },
      });
    }
  }
  for (const old of previous.values()) events.push(event("Deleted", old));
  return events.sort(compareEntityIds);
}
