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

Deno.test("podman's cgroups as Debian 12's podman 4.3.1 wrote them (cgroup v1, cgroupfs manager)", () => {
  // /proc/<pid>/cgroup of a container's process and of its conmon, copied from a hybrid host (v1
  // controllers, v2 at /sys/fs/cgroup/unified) running a container with runc, as
  // tests/servers/podman_test.ts does.
  const id = "11cf15875d4218efb83641ed74ad4e0742d3782e1cc8d8a2c72baf1b8277d54d";
  const container = [
    "name=systemd",
    "pids",
    "blkio",
    "freezer",
    "devices",
    "memory",
    "cpuset",
    "cpuacct",
    "cpu",
  ].map((controller, i) => `${9 - i}:${controller}:/libpod_parent/libpod-${id}\n`).join("") +
    `0::/libpod_parent/libpod-${id}\n`;
  assert.deepEqual(parseContainer(container), { runtime: "podman", id });
  const conmon = "9:name=systemd:/\n8:pids:/libpod_parent/conmon\n7:blkio:/libpod_parent/conmon\n" +
    "6:freezer:/libpod_parent/conmon\n5:devices:/libpod_parent/conmon\n" +
    "4:memory:/libpod_parent/conmon\n3:cpuset:/libpod_parent/conmon\n" +
    "2:cpuacct:/libpod_parent/conmon\n1:cpu:/libpod_parent/conmon\n0::/\n";
  assert.equal(parseContainer(conmon), null, "conmon runs in the host's network namespace");
});
