/** collectors/linux/container.ts: a process's container from its /proc/<pid>/cgroup text. */

import assert from "node:assert/strict";
import { parseContainer } from "../collectors/linux/container.ts";

const ID = "4f2a9c1b7d3e5f60718293a4b5c6d7e8f90123456789abcdef0123456789abcd";

Deno.test("each runtime's cgroup paths, under either cgroup driver, name the container", () => {
  const cases: [string, string | null][] = [
    [`0::/system.slice/docker-${ID}.scope\n`, "docker"],
    [`0::/docker/${ID}\n`, "docker"],
    // cgroup v1: the container is in every controller's path.
    [`12:memory:/docker/${ID}\n11:cpu:/docker/${ID}\n0::/docker/${ID}\n`, "docker"],
    [
      `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b.slice/cri-containerd-${ID}.scope\n`,
      "containerd",
    ],
    [`0::/kubepods.slice/kubepods-pod1a2b.slice/crio-${ID}.scope\n`, "cri-o"],
    [`0::/kubepods/besteffort/pod0f1e2d3c-aaaa-bbbb-cccc-123456789012/${ID}\n`, "cri"],
    [`0::/machine.slice/libpod-${ID}.scope/container\n`, "podman"],
    [`0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-${ID}.scope\n`, "podman"],
    [`0::/libpod_parent/libpod-${ID}\n`, "podman"],
  ];
  for (const [text, runtime] of cases) {
    assert.deepEqual(parseContainer(text), { runtime, id: ID }, text);
  }
});

Deno.test("host processes, runtimes' own helpers and look-alikes are in no container", () => {
  for (
    const text of [
      "0::/\n",
      "0::/system.slice/ssh.service\n",
      "0::/system.slice/docker.service\n", // dockerd itself
      `0::/machine.slice/libpod-conmon-${ID}.scope\n`, // podman's conmon, in the host's namespace
      `0::/system.slice/docker-${ID.slice(0, 12)}.scope\n`, // not a whole id
      `0::/user.slice/${ID}\n`, // an id under no runtime's directory
      "",
    ]
  ) {
    assert.equal(parseContainer(text), null, text);
  }
});
