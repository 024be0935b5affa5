/**
 * Which container a process runs in, from its cgroup path: each runtime puts a container's
 * processes in a cgroup named after the container's id, the same way under either cgroup driver
 * (systemd's `*.scope` units or plain directories).
 *
 * @module
 */

import type { Container } from "../../model/endpoint.ts";

/**
 * The cgroup path segments each runtime makes, with the id as their one group:
 *
 * - docker: `docker-<id>.scope` (systemd driver), `/docker/<id>` (cgroupfs driver);
 * - containerd through CRI (Kubernetes): `cri-containerd-<id>.scope`, and `.../pod<uid>/<id>`
 *   under `kubepods` with the cgroupfs driver;
 * - CRI-O: `crio-<id>.scope`;
 * - podman: `libpod-<id>.scope`, `/libpod_parent/libpod-<id>` (its conmon, in
 *   `libpod-conmon-<id>.scope`, runs in the host's namespaces and is not matched).
 */
const RUNTIME_SEGMENTS: readonly (readonly [string, RegExp])[] = [
  ["docker", /^docker-([0-9a-f]{64})\.scope$/],
  ["containerd", /^cri-containerd-([0-9a-f]{64})\.scope$/],
  ["cri-o", /^crio-([0-9a-f]{64})\.scope$/],
  ["podman", /^libpod-([0-9a-f]{64})(?:\.scope)?$/],
];

/** The directory a runtime's cgroupfs driver puts its containers in, by runtime. */
const RUNTIME_PARENTS: Readonly<Record<string, string>> = { docker: "docker" };

const ID = /^[0-9a-f]{64}$/;

/**
 * The container of a process from `/proc/<pid>/cgroup`, looking at the unified hierarchy's path
 * (`0::`) and, on a host with cgroup v1, at each controller's; null when no runtime's pattern
 * matches (a process of the host, or of a runtime portset does not know).
 */
export function parseContainer(cgroupText: string): Container | null {
  for (const line of cgroupText.split("\n")) {
    const second = line.indexOf(":", line.indexOf(":") + 1);
    if (second < 0) continue;
    const segments = line.slice(second + 1).split("/");
    // The innermost segment that names a container: a nested runtime's is the one that counts.
    for (let i = segments.length - 1; i >= 0; i--) {
      const container = containerOf(segments[i], segments[i - 1], segments);
      if (container) return container;
    }
  }
  return null;
}

function containerOf(
  segment: string,
  parent: string | undefined,
  segments: readonly string[],
): Container | null {
  for (const [runtime, pattern] of RUNTIME_SEGMENTS) {
    const match = pattern.exec(segment);
    if (match) return { runtime, id: match[1] };
  }
  if (!ID.test(segment) || parent === undefined) return null;
  for (const [runtime, directory] of Object.entries(RUNTIME_PARENTS)) {
    if (parent === directory) return { runtime, id: segment };
  }
  // Kubernetes with the cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>, containerd's or CRI-O's.
  if (parent.startsWith("pod") && segments.includes("kubepods")) {
    return { runtime: "cri", id: segment };
  }
  return null;
}
