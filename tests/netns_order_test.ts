/**
 * Other namespaces' dumps come in the order reports list namespaces (by label), whatever order
 * their processes were found in: the collector adds each namespace's endpoints in that order, so
 * that sorting the snapshot orders each namespace's stretch where it lies instead of grouping
 * every endpoint by namespace first. Real namespaces, made so that their holders' pids (the order
 * they are found in) run against their labels.
 */

import assert from "node:assert/strict";
import { loadLibc } from "../collectors/linux/ffi.ts";
import { NamespaceFinder } from "../collectors/linux/netns.ts";
import { OtherNamespaces } from "../collectors/linux/other_namespaces.ts";
import { namespaceLabel } from "../model/network_namespace.ts";
import { holdSockets, Namespace, namespaceUnavailable } from "./support/netns.ts";
import { exists, SYSTEM_PYTHON } from "./support/processes.ts";

const unavailable = namespaceUnavailable() ??
  (exists(SYSTEM_PYTHON) ? null : "needs Debian's python3 (apt-get install python3)");
if (unavailable) console.error(`netns_order_test.ts: skipped: ${unavailable}`);

Deno.test({
  name: "other namespaces' dumps come in label order, not in the order their processes were found",
  ignore: unavailable !== null,
  async fn() {
    // Made and held in the order c, a, b: the later a holder starts, the higher its pid.
    await using c = await Namespace.create("orderc");
    await using a = await Namespace.create("ordera");
    await using b = await Namespace.create("orderb");
    const held = [];
    for (const namespace of [c, a, b]) {
      held.push(await holdSockets(namespace, ["udp/127.0.0.1/0", "tcp/127.0.0.1/0"]));
    }
    const ours = new Set([a.name, b.name, c.name]);
    try {
      const libc = loadLibc();
      const finder = new NamespaceFinder(libc);
      const others = new OtherNamespaces(libc, finder);
      try {
        const pids = held.map(({ pid }) => pid);
        const labels = (dumps: { namespace: Parameters<typeof namespaceLabel>[0] | undefined }[]) =>
          dumps.map(({ namespace }) => namespaceLabel(namespace!)).filter((label) =>
            ours.has(label)
          );
        const warnings: string[] = [];
        const background = await others.dumpInBackground(finder.find(pids), warnings)();
        assert.deepEqual(labels(background), [a.name, b.name, c.name], "a one-shot look's");
        assert.deepEqual(
          labels(others.dump(finder.find(pids), warnings)),
          [a.name, b.name, c.name],
          "a watch's",
        );
        assert.deepEqual(warnings, []);
      } finally {
        others.close();
      }
    } finally {
      for (const { stop } of held) await stop();
    }
  },
});
