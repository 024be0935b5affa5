/**
 * A one-shot look's other-namespace dumps on Deno's blocking pool (other_namespaces.ts
 * `dumpInBackground`), when something other than a dump fails while their replies are read: every
 * call on the pool is let finish and every sock_diag socket made for them is closed, the
 * namespaces read after the failure included. The namespaces and their sockets are real; the
 * failure is injected into one libc call, the first receive.
 */

import assert from "node:assert/strict";
import { loadLibc } from "../collectors/linux/ffi.ts";
import { NamespaceFinder } from "../collectors/linux/netns.ts";
import { OtherNamespaces } from "../collectors/linux/other_namespaces.ts";
import { holdSockets, Namespace, namespaceUnavailable } from "./support/netns.ts";
import { exists, SYSTEM_PYTHON } from "./support/processes.ts";

const unavailable = namespaceUnavailable() ??
  (exists(SYSTEM_PYTHON) ? null : "needs Debian's python3 (apt-get install python3)");
if (unavailable) console.error(`netns_background_test.ts: skipped: ${unavailable}`);

/** This process's open sockets, by inode. */
function openSockets(): Set<string> {
  const sockets = new Set<string>();
  for (const { name } of Deno.readDirSync("/proc/self/fd")) {
    try {
      const link = Deno.readLinkSync(`/proc/self/fd/${name}`);
      if (link.startsWith("socket:")) sockets.add(link);
    } catch {
      // the directory's own fd, closed by now
    }
  }
  return sockets;
}

Deno.test({
  name: "a failure while other namespaces' replies are read leaves no call running, no socket open",
  ignore: unavailable !== null,
  async fn() {
    await using first = await Namespace.create("bga");
    await using second = await Namespace.create("bgb");
    const held = [
      await holdSockets(first, ["udp/127.0.0.1/0"]),
      await holdSockets(second, ["udp/127.0.0.1/0"]),
    ];
    try {
      const libc = loadLibc();
      // The first receive throws, as a programming error would: not a dump's own failure.
      let receives = 0;
      const failing = {
        ...libc,
        recvmmsg_async: (...args: Parameters<typeof libc.recvmmsg_async>) => {
          if (receives++ === 0) throw new TypeError("injected: the first receive fails");
          return libc.recvmmsg_async(...args);
        },
      } as typeof libc;
      const finder = new NamespaceFinder(libc);
      const others = new OtherNamespaces(failing, finder);
      try {
        const before = openSockets();
        const warnings: string[] = [];
        const pids = held.map(({ pid }) => pid);
        const read = others.dumpInBackground(pids, warnings);
        const opened = [...openSockets()].filter((socket) => !before.has(socket));
        assert.ok(opened.length >= 2, `a socket for each namespace: ${opened.length}`);
        await assert.rejects(read(), /injected: the first receive fails/);
        const left = opened.filter((socket) => openSockets().has(socket));
        // The namespaces' own sock_diag sockets (kept for later looks) are not among these.
        assert.deepEqual(left, [], "every socket made for the background dumps is closed");
        assert.equal(receives, 1, "the namespaces after the failure are closed, not read");
      } finally {
        others.close();
      }
    } finally {
      for (const { stop } of held) await stop();
    }
  },
});
