/**
 * PortSet entities: the host's listening ports, one per key, with the six attributes a rule can
 * monitor. Derived from the endpoint model only, so every collector yields the same entities.
 *
 * @module
 */

import { type Endpoint, endpointKey, isListening } from "../model/endpoint.ts";
import { compareKeys } from "../model/order.ts";

/** The attributes of a PortSet entity, named as the rule language names them. */
export interface PortSetAttributes {
  /** When the socket was bound, where the OS records it (Windows). */
  Created: string | null;
  /** Number of sockets listening under this key; null when there is only one. */
  Listeners: number | null;
  Path: string | null;
  Process: string | null;
  ProcessId: number | null;
  User: string | null;
}

/** One listening port. */
export interface PortSetEntity {
  key: string;
  attributes: PortSetAttributes;
}

/**
 * The listening ports among `endpoints` (TCP LISTEN, UDP bound and not connected), one entity per
 * key, in key order ({@linkcode compareKeys}: `tcp/0.0.0.0/21` before `tcp/0.0.0.0/110`). When
 * several sockets share a key (SO_REUSEPORT, or one per process after a fork), the first one with
 * a known owner, in the endpoints' order, gives the owner attributes.
 */
export function portSetEntities(endpoints: readonly Endpoint[]): PortSetEntity[] {
  const groups = new Map<string, Endpoint[]>();
  for (const endpoint of endpoints) {
    if (!isListening(endpoint)) continue;
    const key = endpointKey(endpoint);
    const group = groups.get(key);
    if (group) group.push(endpoint);
    else groups.set(key, [endpoint]);
  }
  return [...groups].sort(([a], [b]) => compareKeys(a, b)).map(([key, group]) => {
    const owner = group.find((endpoint) => endpoint.pid !== null) ?? group[0];
    return {
      key,
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
