/**
 * Socket changes between successive snapshots: what Port Reporter and PortQry's watch modes log.
 * A new listener, a newly bound UDP port, a new connection (so more connections on a port), a TCP
 * state change, a socket gone (fewer connections), an owner changed.
 *
 * @module
 */

import type { Endpoint } from "../model/endpoint.ts";
import type { SocketChange, SocketChangeKind } from "../model/socket_change.ts";

/**
 * A socket's identity across snapshots. A connected socket is its two ends (unique within a
 * network namespace, so the namespace's inode comes first, with its `ip netns` name: a namespace
 * named or renamed while a watch or the monitor runs is logged under another label from then on,
 * and its sockets are told of as closed under the old one and open under the new, so that every
 * line pairs with one of its own label); one with no peer (listeners, unconnected UDP) may share
 * its local end with others (an SO_REUSEPORT group), so its inode tells them apart.
 */
export function socketIdentity(endpoint: Endpoint): string {
  const netns = endpoint.netns;
  // The current namespace's name is never shown (its rows have no label): naming it changes
  // nothing of its sockets.
  const namespace = netns === undefined
    ? ""
    : netns.name === null || netns.current
    ? `${netns.inode} `
    : `${netns.inode}/${netns.name} `;
  const local = `${namespace}${endpoint.protocol} ${endpoint.localAddress} ${endpoint.localPort}`;
  return endpoint.remoteAddress === null
    ? `${local} #${endpoint.inode ?? "-"}`
    : `${local} ${endpoint.remoteAddress} ${endpoint.remotePort}`;
}

/** The pids holding a socket, for comparing owners. */
function ownerPids(endpoint: Endpoint): string {
  return endpoint.owners
    ? endpoint.owners.map((owner) => owner.pid).join(",")
    : String(endpoint.pid);
}

/** Remembers the last snapshot's sockets and reports what each new one changed. */
export class SocketTracker {
  #previous = new Map<string, Endpoint>();

  /** Starts from `endpoints` without reporting them. */
  reset(endpoints: readonly Endpoint[]): void {
    this.#previous = new Map(endpoints.map((endpoint) => [socketIdentity(endpoint), endpoint]));
  }

  /**
   * The changes from the last snapshot to `endpoints`, which becomes the last snapshot.
   * `destroyed` are sockets the OS reported destroyed meanwhile: one that neither snapshot holds
   * came and went between them, and is reported as appearing and closing.
   */
  update(endpoints: readonly Endpoint[], destroyed: readonly Endpoint[] = []): SocketChange[] {
    const changes: SocketChange[] = [];
    const current = new Map<string, Endpoint>();
    for (const endpoint of endpoints) {
      const identity = socketIdentity(endpoint);
      current.set(identity, endpoint);
      const previous = this.#previous.get(identity);
      if (previous === undefined) {
        changes.push({ kind: appearance(endpoint), endpoint });
      } else if (previous.state !== endpoint.state) {
        changes.push({ kind: "state", endpoint, previous });
      } else if (ownerPids(previous) !== ownerPids(endpoint) && endpoint.inode !== null) {
        // A socket with no inode (TIME_WAIT) has no owner to change.
        changes.push({ kind: "owner", endpoint, previous });
      }
    }
    for (const [identity, endpoint] of this.#previous) {
      if (!current.has(identity)) changes.push({ kind: "close", endpoint });
    }
    // The kernel reports each destroyed socket once; two never seen may share an identity (a port
    // reused within one interval) and are both reported.
    for (const endpoint of destroyed) {
      const identity = socketIdentity(endpoint);
      if (this.#previous.has(identity) || current.has(identity)) continue;
      // A destroyed socket reports its last state, CLOSED; a TCP socket with no peer was a
      // listener while it lived.
      const lived = endpoint.state !== null && endpoint.remoteAddress === null
        ? { ...endpoint, state: "LISTENING" as const }
        : endpoint;
      changes.push(
        { kind: appearance(lived), endpoint: lived, betweenLooks: true },
        { kind: "close", endpoint, betweenLooks: true },
      );
    }
    this.#previous = current;
    return changes;
  }
}

/** How a socket not seen before came to be. */
function appearance(endpoint: Endpoint): SocketChangeKind {
  if (endpoint.state === "LISTENING") return "listen";
  return endpoint.state === null && endpoint.remoteAddress === null ? "bind" : "connect";
}
