/**
 * A namespace's counts are read from `/proc/<pid>/net/sockstat` of the first process the look
 * found in it, with no check that the process is still there: one that has left it since (setns,
 * or its pid reused by a process elsewhere) shows another namespace's counts. When those show no
 * socket, the namespace is not dumped at all, and its sockets are missing without a word; entering
 * a namespace does check that the path still leads to it ("a pid reused"), its counts do not.
 *
 * Found live: a process flipping between `atk-mv` (where a holder listens on TCP and UDP) and an
 * empty namespace every 0.5 ms, started before the holder so that the look finds it first:
 * `portset -local --json` lost the holder's two sockets in 7 runs of 40, exit 0 and nothing on
 * stderr, while `ip netns exec atk-mv ss -tuanp` listed them throughout. Here the move is made
 * deterministic by a finder that has the process leave right after the look.
 */

import assert from "node:assert/strict";
import { loadLibc } from "../collectors/linux/ffi.ts";
import type { NamespaceFinder } from "../collectors/linux/netns.ts";
import { type NamespaceDumps, OtherNamespaces } from "../collectors/linux/other_namespaces.ts";
import {
  finderAfterEachLook,
  holdSockets,
  Namespace,
  namespaceUnavailable,
} from "./support/netns.ts";
import { exists, SYSTEM_PYTHON } from "./support/processes.ts";
import { waitUntil } from "./servers/support/netns.ts";

const unavailable = namespaceUnavailable() ??
  (exists(SYSTEM_PYTHON) ? null : "needs Debian's python3 (apt-get install python3)");
if (unavailable) console.error(`netns_counts_moved_test.ts: skipped: ${unavailable}`);

/** Moves itself into the namespace at argv[1] (setns) on SIGUSR1. */
const MOVER = new URL("./fixtures/netns_mover.py", import.meta.url).pathname;

/** The real finder; right after its look, process `pid` moves to the namespace `inode`. */
function finderMovingAfterLook(
  libc: ReturnType<typeof loadLibc>,
  pid: number,
  inode: number,
): NamespaceFinder {
  return finderAfterEachLook(libc, () => {
    Deno.kill(pid, "SIGUSR1");
    const deadline = Date.now() + 5000;
    while (Deno.statSync(`/proc/${pid}/ns/net`).ino !== inode) {
      assert.ok(Date.now() < deadline, "the process moved");
    }
  });
}

function portsOf(results: NamespaceDumps[], name: string): number[] {
  return results.filter(({ namespace }) => namespace?.name === name)
    .flatMap(({ dumps }) => dumps.flatMap(({ sockets }) => sockets.map((s) => s.localPort)))
    .sort((a, b) => a - b);
}

for (const look of ["a one-shot look (-local)", "a watch's look"] as const) {
  Deno.test({
    name: `${look}: a namespace is dumped though the process found first in it has left`,
    ignore: unavailable !== null,
    async fn() {
      await using empty = await Namespace.create("countsy");
      await using namespace = await Namespace.create("countsx");
      const emptyInode = Deno.statSync(`/run/netns/${empty.name}`).ino!;
      const mover = namespace.start("mover", [
        SYSTEM_PYTHON,
        MOVER,
        `/run/netns/${empty.name}`,
      ]);
      const { pid: moverPid } = await waitUntil("the mover runs", () => {
        const line = mover.log.split("\n").find((line) => line.startsWith("{"));
        return Promise.resolve(line ? JSON.parse(line) as { pid: number } : null);
      }, { daemon: mover });
      const held = await holdSockets(namespace, ["tcp/127.0.0.1/0", "udp/127.0.0.1/0"]);
      try {
        const expected = held.keys.map((key) => Number(key.split("/").at(-1)))
          .sort((a, b) => a - b);
        const libc = loadLibc();
        const finder = finderMovingAfterLook(libc, moverPid, emptyInode);
        const others = new OtherNamespaces(libc, finder);
        try {
          const warnings: string[] = [];
          // The mover first: the look takes it as the namespace's process.
          const pids = [moverPid, held.pid];
          const results = look === "a one-shot look (-local)"
            ? await others.dumpInBackground(finder.find(pids), warnings)()
            : others.dump(finder.find(pids), warnings);
          assert.deepEqual(warnings, []);
          assert.deepEqual(portsOf(results, namespace.name), expected);
        } finally {
          others.close();
        }
      } finally {
        await held.stop();
      }
    },
  });
}
