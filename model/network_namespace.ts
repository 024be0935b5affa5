/**
 * How a network namespace is named in text and ordered: one label for the text report, CSV, the
 * rules' `namespace` test, the Port Reporter logs and the watch blocks, and one order, the
 * namespace portset runs in first.
 *
 * @module
 */

import type { Endpoint, NetworkNamespace } from "./endpoint.ts";

/** Container ids are shortened to what `docker ps` and `podman ps` show. */
const SHORT_ID = 12;

/**
 * A namespace's name for people: its `ip netns` name (`blue`), else its container's runtime and
 * short id (`docker:4f2a9c1b7d3e`), else its inode as the kernel writes it (`net:[4026532281]`).
 */
export function namespaceLabel(namespace: NetworkNamespace): string {
  if (namespace.name !== null) return namespace.name;
  if (namespace.container !== null) {
    return `${namespace.container.runtime}:${namespace.container.id.slice(0, SHORT_ID)}`;
  }
  return `net:[${namespace.inode}]`;
}

/**
 * What an output says of an endpoint's namespace where only one word fits: null for the
 * namespace portset runs in (and where the OS has none), so that a host's own sockets read as
 * they always have; the label of any other.
 */
export function otherNamespaceLabel(endpoint: Pick<Endpoint, "netns">): string | null {
  const namespace = endpoint.netns;
  return namespace === undefined || namespace.current ? null : namespaceLabel(namespace);
}

/**
 * Sort comparator for namespaces: the current one first (and an endpoint with none, where the OS
 * has no namespaces), then the others by label, then by inode.
 */
export function compareNamespaces(
  a: NetworkNamespace | undefined,
  b: NetworkNamespace | undefined,
): number {
  if (a === b) return 0;
  const rankA = a === undefined || a.current ? 0 : 1;
  const rankB = b === undefined || b.current ? 0 : 1;
  if (rankA !== rankB || rankA === 0) return rankA - rankB;
  const labelA = namespaceLabel(a!), labelB = namespaceLabel(b!);
  return labelA < labelB ? -1 : labelA > labelB ? 1 : a!.inode - b!.inode;
}
