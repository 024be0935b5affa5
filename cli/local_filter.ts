/**
 * `-local`'s filters applied to a snapshot, before any output is made: every format, and the text
 * report's counts and statistics, then describe the endpoints shown. Loaded only when a filter is
 * given.
 *
 * @module
 */

import { PLATFORM_CASE_SENSITIVE } from "../collectors/platform.ts";
import {
  type Endpoint,
  endpointKey,
  isListening,
  type NetworkNamespace,
  type Snapshot,
} from "../model/endpoint.ts";
import { namespaceLabel } from "../model/network_namespace.ts";
import { compileGlob } from "../rules/glob.ts";
import type { LocalFilter } from "./parse/local_filters.ts";

/**
 * The endpoints of `snapshot` that pass `filter`, and the processes that hold them. Globs follow
 * the rules' case by default: insensitive on Windows, sensitive elsewhere. A `--netns` selector
 * that names no namespace with a socket is said in the snapshot's warnings: an empty report
 * would not tell a namespace with no socket from a name mistyped, or one that a list cannot
 * hold (items are split at commas and trimmed: such a namespace is selected by its inode).
 */
export function filterSnapshot(snapshot: Snapshot, filter: LocalFilter): Snapshot {
  const passes = endpointTest(filter, PLATFORM_CASE_SENSITIVE);
  const endpoints = snapshot.endpoints.filter(passes);
  const shown = new Set<number>();
  for (const endpoint of endpoints) {
    if (endpoint.owners) { for (const owner of endpoint.owners) shown.add(owner.pid); }
    else if (endpoint.pid !== null) shown.add(endpoint.pid);
  }
  const processes = new Map([...snapshot.processes].filter(([pid]) => shown.has(pid)));
  const warnings = [...snapshot.warnings, ...unmatchedNamespaces(snapshot, filter)];
  return { ...snapshot, endpoints, processes, warnings };
}

/** A warning for each `--netns` selector that names no namespace of `snapshot`'s endpoints. */
function unmatchedNamespaces(snapshot: Snapshot, filter: LocalFilter): string[] {
  if (!filter.namespaces) return [];
  const namespaces = new Set<NetworkNamespace>();
  for (const { netns } of snapshot.endpoints) if (netns) namespaces.add(netns);
  return filter.namespaces
    .filter((selector) =>
      ![...namespaces].some((namespace) => namespaceMatches(namespace, selector))
    )
    .map((selector) =>
      `--netns '${selector}' names no network namespace with a socket (names are compared whole; ` +
      `select one whose name holds a comma or ends in a space by its inode)`
    );
}

/** One test of an endpoint for the whole filter: the cheap tests first. */
function endpointTest(
  filter: LocalFilter,
  caseSensitive: boolean,
): (endpoint: Endpoint) => boolean {
  const tests: ((endpoint: Endpoint) => boolean)[] = [];
  if (filter.protocols) {
    const protocols = new Set(filter.protocols);
    tests.push((endpoint) => protocols.has(endpoint.protocol));
  }
  if (filter.listening) tests.push(isListening);
  if (filter.states) {
    const states = new Set<string | null>(filter.states);
    tests.push((endpoint) => states.has(endpoint.state));
  }
  if (filter.ports) {
    const ports = new Set(filter.ports);
    tests.push((endpoint) => ports.has(endpoint.localPort));
  }
  if (filter.pids) {
    const pids = new Set(filter.pids);
    tests.push((endpoint) =>
      endpoint.owners
        ? endpoint.owners.some((owner) => pids.has(owner.pid))
        : endpoint.pid !== null && pids.has(endpoint.pid)
    );
  }
  if (filter.processes) {
    const globs = filter.processes.map((pattern) => compileGlob(pattern, caseSensitive));
    const matches = (name: string | null) =>
      name !== null && globs.some((glob) => glob.matches(name));
    tests.push((endpoint) =>
      endpoint.owners
        ? endpoint.owners.some((owner) => matches(owner.process))
        : matches(endpoint.process)
    );
  }
  if (filter.keys) {
    const globs = filter.keys.map((pattern) => compileGlob(pattern, caseSensitive));
    tests.push((endpoint) => {
      const key = endpointKey(endpoint);
      return globs.some((glob) => glob.matches(key));
    });
  }
  if (filter.namespaces) {
    const wanted = filter.namespaces;
    tests.push((endpoint) =>
      endpoint.netns !== undefined &&
      wanted.some((selector) => namespaceMatches(endpoint.netns!, selector))
    );
  }
  return (endpoint) => tests.every((test) => test(endpoint));
}

/**
 * Whether `selector` names `namespace`: `current` the one portset ran in, digits its inode,
 * anything else its label (its `ip netns` name, or `docker:4f2a9c1b7d3e`) or, for a container, the
 * runtime and the start of its id (`docker:4f2a`).
 */
function namespaceMatches(namespace: NetworkNamespace, selector: string): boolean {
  if (selector === "current") return namespace.current;
  if (/^\d+$/.test(selector)) return namespace.inode === Number(selector);
  if (namespaceLabel(namespace) === selector) return true;
  const container = namespace.container;
  return container !== null && selector.startsWith(`${container.runtime}:`) &&
    container.id.startsWith(selector.slice(container.runtime.length + 1)) &&
    selector.length > container.runtime.length + 1;
}
