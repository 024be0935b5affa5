/**
 * A namespace whose `ip netns` name goes between the look that found it and its dump: `ip netns
 * del NAME` with a container's process still running, or a name unmounted by hand. `ip netns del`
 * unmounts the name (lazily), then unlinks it: in between (and for good, when only the mount goes)
 * `/run/netns/NAME` is an empty file on tmpfs, not the namespace, and `setns` on it fails with
 * EINVAL. The namespace is alive while a process or a socket holds it: its sockets must be listed
 * with no warning, not dropped with "cannot enter network namespace /run/netns/NAME: Invalid
 * argument; its sockets are not listed".
 *
 * Found by an attack run racing `umount /run/netns/NAME; mount --bind /proc/PID/ns/net
 * /run/netns/NAME` in a loop against `portset -local --json`: 9 runs in 60 lost the holder's two
 * sockets, which `nsenter -t PID -n ss -tuanp` listed throughout. Here the race is made
 * deterministic by a finder that unmounts the name right after its look. The look opens each
 * namespace when it finds it, by a process in it where there is one (a descriptor opened through
 * the name would keep a plain `umount` of it from succeeding), else by its name.
 */

import assert from "node:assert/strict";
import { loadLibc } from "../collectors/linux/ffi.ts";
import { IPPROTO_TCP } from "../collectors/linux/netlink.ts";
import type { NamespaceFinder } from "../collectors/linux/netns.ts";
import { type NamespaceDumps, OtherNamespaces } from "../collectors/linux/other_namespaces.ts";
import {
  finderAfterEachLook,
  holdSockets,
  Namespace,
  namespaceUnavailable,
} from "./support/netns.ts";
import { exists, SYSTEM_PYTHON } from "./support/processes.ts";

const unavailable = namespaceUnavailable("umount") ??
  (exists(SYSTEM_PYTHON) ? null : "needs Debian's python3 (apt-get install python3)");
if (unavailable) console.error(`netns_unnamed_meanwhile_test.ts: skipped: ${unavailable}`);

/** The real finder, whose look is followed by `umount ARGS /run/netns/NAME` (the file stays). */
function finderUnmountingAfterLook(
  libc: ReturnType<typeof loadLibc>,
  name: string,
  umountArgs: readonly string[],
): NamespaceFinder {
  return finderAfterEachLook(libc, (census) => {
    assert.ok(
      census.namespaces.some(({ namespace }) => namespace.name === name),
      `the look finds ${name}`,
    );
    const unmounted = new Deno.Command("umount", {
      args: [...umountArgs, `/run/netns/${name}`],
    }).outputSync();
    assert.equal(unmounted.code, 0, new TextDecoder().decode(unmounted.stderr));
  });
}

/** The ports each dump lists for the namespace named `name`, TCP then UDP. */
function portsOf(results: NamespaceDumps[], name: string): { tcp: number[]; udp: number[] } {
  const ours = results.filter(({ namespace }) => namespace?.name === name);
  const ports = (protocol: number) =>
    ours.flatMap(({ dumps }) =>
      dumps.filter((dump) => dump.protocol === protocol).flatMap(({ sockets }) =>
        sockets.map(({ localPort }) => localPort)
      )
    );
  return { tcp: ports(IPPROTO_TCP), udp: ports(17) };
}

/**
 * Opens a TCP listener and a UDP socket inside the namespace at argv[1] and steps back out, so
 * that no process is in it: only its name and these sockets hold it.
 */
const STEP_OUT_HOLDER = new URL("./fixtures/step_out_holder.py", import.meta.url).pathname;

/** Sockets of `namespace` held by a process outside it; stop() closes them. */
async function holdFromOutside(namespace: Namespace) {
  const child = new Deno.Command(SYSTEM_PYTHON, {
    args: [STEP_OUT_HOLDER, `/run/netns/${namespace.name}`],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  const ports = JSON.parse(value ?? "null") as { tcp: number; udp: number };
  return {
    ports,
    stop: async () => {
      await child.stdin.close();
      await reader.cancel();
      await child.status;
    },
  };
}

for (const look of ["a one-shot look (-local)", "a watch's look"] as const) {
  const run = (
    others: OtherNamespaces,
    finder: NamespaceFinder,
    pids: number[],
    warnings: string[],
  ) =>
    look === "a one-shot look (-local)"
      ? others.dumpInBackground(finder.find(pids), warnings)()
      : Promise.resolve(others.dump(finder.find(pids), warnings));

  Deno.test({
    name: `${look}: a namespace whose name was unmounted after the look is still listed`,
    ignore: unavailable !== null,
    async fn() {
      await using namespace = await Namespace.create("unnamed");
      const held = await holdSockets(namespace, ["tcp/127.0.0.1/0", "udp/127.0.0.1/0"]);
      try {
        const [tcpPort, udpPort] = held.keys.map((key) => Number(key.split("/").at(-1)));
        const libc = loadLibc();
        // A plain umount, which fails while a descriptor opened through the mount is open.
        const finder = finderUnmountingAfterLook(libc, namespace.name, []);
        const others = new OtherNamespaces(libc, finder);
        try {
          const warnings: string[] = [];
          const results = await run(others, finder, [held.pid], warnings);
          // Its process is still in it: /proc/<pid>/ns/net enters it, as `nsenter -t PID -n`.
          assert.deepEqual(warnings, []);
          assert.deepEqual(portsOf(results, namespace.name), { tcp: [tcpPort], udp: [udpPort] });
        } finally {
          others.close();
          finder.close();
        }
      } finally {
        await held.stop();
      }
    },
  });

  Deno.test({
    name:
      `${look}: a namespace with no process, its name unmounted after the look, is still listed`,
    ignore: unavailable !== null,
    async fn() {
      await using namespace = await Namespace.create("noproc");
      const held = await holdFromOutside(namespace);
      try {
        const libc = loadLibc();
        // Lazily, as `ip netns del` unmounts: the look's descriptor still holds the namespace.
        const finder = finderUnmountingAfterLook(libc, namespace.name, ["-l"]);
        const others = new OtherNamespaces(libc, finder);
        try {
          const warnings: string[] = [];
          const results = await run(others, finder, [Deno.pid], warnings);
          assert.deepEqual(warnings, []);
          assert.deepEqual(portsOf(results, namespace.name), {
            tcp: [held.ports.tcp],
            udp: [held.ports.udp],
          });
        } finally {
          others.close();
          finder.close();
        }
      } finally {
        await held.stop();
      }
    },
  });
}
