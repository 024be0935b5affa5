/**
 * A one-shot look's other-namespace dumps on Deno's blocking pool (other_namespaces.ts
 * `dumpInBackground`), when something other than a dump fails while their replies are read: every
 * call on the pool is let finish and every sock_diag socket made for them is closed, the
 * namespaces read after the failure included, whether their replies are gathered on the pool or
 * read on this thread. The namespaces and their sockets are real; the failure is injected into
 * one libc call, the first receive of either kind.
 */

import assert from "node:assert/strict";
import { loadLibc } from "../collectors/linux/ffi.ts";
import { NamespaceFinder } from "../collectors/linux/netns.ts";
import { OtherNamespaces } from "../collectors/linux/other_namespaces.ts";
import { READ_HERE_MAX } from "../collectors/linux/sock_diag_background.ts";
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

type Libc = ReturnType<typeof loadLibc>;

/** `libc` with its `name` call made to throw on its first use, and a count of its calls. */
function failingFirst(libc: Libc, name: "recv" | "recvmmsg_async") {
  let calls = 0;
  const real = libc[name] as (...args: unknown[]) => unknown;
  const fail = (...args: unknown[]) => {
    if (calls++ === 0) throw new TypeError("injected: the first receive fails");
    return real(...args);
  };
  return { failing: { ...libc, [name]: fail } as Libc, calls: () => calls };
}

/**
 * Two namespaces holding `perNamespace` UDP sockets each, their replies read through libc with
 * its `receive` call made to throw on its first use: checks that the failure is thrown, every
 * socket made for the background dumps is closed, and the namespace after the failure is not
 * read.
 */
async function failWhileReading(
  perNamespace: number,
  receive: "recv" | "recvmmsg_async",
): Promise<void> {
  await using first = await Namespace.create("bga");
  await using second = await Namespace.create("bgb");
  const keys = Array.from({ length: perNamespace }, () => "udp/127.0.0.1/0");
  const held = [await holdSockets(first, keys), await holdSockets(second, keys)];
  try {
    const { failing, calls } = failingFirst(loadLibc(), receive);
    const finder = new NamespaceFinder(failing);
    const others = new OtherNamespaces(failing, finder);
    try {
      const before = openSockets();
      const warnings: string[] = [];
      const pids = held.map(({ pid }) => pid);
      const read = others.dumpInBackground(finder.find(pids), warnings);
      const opened = [...openSockets()].filter((socket) => !before.has(socket));
      assert.ok(opened.length >= 2, `a socket for each namespace: ${opened.length}`);
      await assert.rejects(read(), /injected: the first receive fails/);
      const left = opened.filter((socket) => openSockets().has(socket));
      // The namespaces' own sock_diag sockets (kept for later looks) are not among these.
      assert.deepEqual(left, [], "every socket made for the background dumps is closed");
      assert.equal(calls(), 1, "the namespaces after the failure are closed, not read");
    } finally {
      others.close();
    }
  } finally {
    for (const { stop } of held) await stop();
  }
}

Deno.test({
  name:
    "a failure while other namespaces' replies are gathered on the pool leaves no call running, no socket open",
  ignore: unavailable !== null,
  // More sockets than a dump read on this thread lists: their replies are gathered on the pool.
  fn: () => failWhileReading(READ_HERE_MAX + 4, "recvmmsg_async"),
});

Deno.test({
  name:
    "a failure while other namespaces' replies are read on this thread leaves no call running, no socket open",
  ignore: unavailable !== null,
  // One socket each: each namespace's replies are read here, by recv.
  fn: () => failWhileReading(1, "recv"),
});
