/**
 * PortSet entities: the host's listening ports, one per key, with the six attributes a rule can
 * monitor. Derived from the endpoint model only, so every collector yields the same entities.
 *
 * @module
 */

import { type Endpoint, endpointKey, isListening, type Protocol } from "../model/endpoint.ts";
import { otherNamespaceLabel } from "../model/network_namespace.ts";
import { compareKeys } from "../model/order.ts";

/** The attributes of a PortSet entity, named as the rule language names them. */
export interface PortSetAttributes {
  /** When the socket was bound, where the OS records it (Windows). */
  Created: string | null;
  /** Number of sockets listening under this key; null when there is only one. */
  Listeners: number | null;
  /** The owning process's executable. */
  Path: string | null;
  /** The owning process's short name (`sshd`). */
  Process: string | null;
  /** The owning process's id. */
  ProcessId: number | null;
  /** The user the owning process runs as. */
  User: string | null;
}

/** One listening port. */
export interface PortSetEntity {
  /** `protocol/address/port`: `tcp6/::1/80`, the socket's {@linkcode endpointKey}. */
  key: string;
  /**
   * The network namespace it listens in: null for the one portset runs in (the host's), else
   * its label (`blue`, `docker:4f2a9c1b7d3e`, `net:[4026532281]`). With the key, what tells one
   * entity from another: `tcp/127.0.0.1/8080` may listen in the host and in a container at once.
   * Absent is null.
   */
  namespace?: string | null;
  /** What a rule can test and monitor; null where the owner is not visible. */
  attributes: PortSetAttributes;
}

/**
 * The listening ports among `endpoints` (TCP LISTEN, UDP bound and not connected), one entity per
 * key and network namespace, in {@linkcode compareEntityIds} order: the host's namespace first,
 * each namespace's in key order ({@linkcode compareKeys}: `tcp/0.0.0.0/21` before
 * `tcp/0.0.0.0/110`). When several sockets share a key (SO_REUSEPORT, or one per process after a
 * fork), the first one with a known owner, in the endpoints' order, gives the owner attributes.
 */
export function portSetEntities(endpoints: readonly Endpoint[]): PortSetEntity[] {
  const groups = new Map<string, { key: string; namespace: string | null; group: Endpoint[] }>();
  for (const endpoint of endpoints) {
    if (!isListening(endpoint)) continue;
    const key = endpointKey(endpoint);
    const namespace = otherNamespaceLabel(endpoint);
    const id = entityId({ key, namespace });
    const entry = groups.get(id);
    if (entry) entry.group.push(endpoint);
    else groups.set(id, { key, namespace, group: [endpoint] });
  }
  return [...groups.values()].sort(compareEntityIds).map(({ key, namespace, group }) => {
    const owner = group.find((endpoint) => endpoint.pid !== null) ?? group[0];
    return {
      key,
      namespace,
      attributes: {
        Created: owner.created,
        Listeners: group.length > 1 ? group.length : null,
        Path: owner.path,
        Process: owner.process,
        ProcessId: owner.pid,
        User: owner.user,
      },
    };
  });
}

/** What tells entities apart: the key, within a namespace (a baseline of old has none: null). */
export function entityId(entity: { key: string; namespace?: string | null }): string {
  return entity.namespace == null ? entity.key : `${entity.namespace}\u0000${entity.key}`;
}

/**
 * Sort comparator for entities: the namespace portset runs in (null) first, the others by label,
 * then by key ({@linkcode compareKeys}).
 */
export function compareEntityIds(
  a: { key: string; namespace?: string | null },
  b: { key: string; namespace?: string | null },
): number {
  const namespaceA = a.namespace ?? null, namespaceB = b.namespace ?? null;
  if (namespaceA !== namespaceB) {
    if (namespaceA === null) return -1;
    if (namespaceB === null) return 1;
    return namespaceA < namespaceB ? -1 : 1;
  }
  return compareKeys(a.key, b.key);
}

/**
 * What every portset output says of a listening port, under the names every output uses: its
 * PortSet key, the protocol, address and port the key is made of, and its owner (`pid`,
 * `process`, `path`, `user`) from the attributes. Rule outputs put these beside the `attributes`
 * object, so that the rule language's attribute names (`ProcessId`, `Path`) stay inside it.
 */
export interface EntityFacts {
  /** The PortSet key, `tcp6/::1/80`. */
  key: string;
  /** The network namespace: null for the host's (portset's own), else its label. */
  namespace: string | null;
  /** The key's protocol. */
  protocol: Protocol;
  /** The key's address. */
  localAddress: string;
  /** The key's port. */
  localPort: number;
  /** The `ProcessId` attribute. */
  pid: number | null;
  /** The `Process` attribute. */
  process: string | null;
  /** The `Path` attribute. */
  path: string | null;
  /** The `User` attribute. */
  user: string | null;
}

/**
 * The facts of the entity `key` in namespace `namespace` (null: the host's) whose attributes are
 * `attributes`.
 */
export function entityFacts(
  key: string,
  attributes: PortSetAttributes,
  namespace: string | null = null,
): EntityFacts {
  // `protocol/address/port`: an address may hold colons and `%scope`, never a slash.
  const first = key.indexOf("/"), last = key.lastIndexOf("/");
  return {
    key,
    namespace,
    protocol: key.slice(0, first) as Protocol,
    localAddress: key.slice(first + 1, last),
    localPort: Number(key.slice(last + 1)),
    ...entityOwner(attributes),
  };
}

/** An entity's owner, from its attributes. */
export function entityOwner(
  attributes: Partial<PortSetAttributes>,
): Pick<EntityFacts, "pid" | "process" | "path" | "user"> {
  return {
    pid: attributes.ProcessId ?? null,
    process: attributes.Process ?? null,
    path: attributes.Path ?? null,
    user: attributes.User ?? null,
  };
}
