/**
 * A probe must never take its own socket for a listener. With `-sp P` towards port P of this
 * host, the kernel connects the TCP probe to itself (a simultaneous open) and hands the UDP
 * probe its own datagram back: with nothing else on P, both are NOT LISTENING. And in a full
 * 1-65535 TCP range some probe's ephemeral source port is, now and then, the port it probes: the
 * range must still find exactly the listeners `ss` shows, run after run.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Namespace, waitUntil } from "./support/netns.ts";
import { explain, resultFor, runPortset } from "./support/portset.ts";
import { serverTest } from "./support/requirements.ts";

const SCRIPT = new URL("./support/tcp_listeners.ts", import.meta.url).pathname;

/** A port nothing in a fresh namespace holds. */
const PORT = 7100;

await serverTest("-sp P towards P with nothing on P: NOT LISTENING, TCP and UDP, v4 and v6", {
  needs: [],
  fn: async () => {
    await using namespace = await Namespace.create("selfconnect");
    for (const protocol of ["tcp", "udp"] as const) {
      const held = await namespace.listeningPorts(protocol);
      assert.ok(!held.has(PORT), `something holds ${protocol} ${PORT} in a fresh namespace`);
    }
    for (const address of ["127.0.0.1", "::1"]) {
      const args = ["-n", address, "-p", "both", "-e", String(PORT), "-sp", String(PORT)];
      const run = await runPortset(namespace, args);
      assert.equal(resultFor(run, "tcp", PORT).state, "NOT LISTENING", explain(run));
      assert.equal(resultFor(run, "udp", PORT).state, "NOT LISTENING", explain(run));
    }
  },
});

await serverTest("a full TCP range finds exactly the listeners ss shows, three runs in a row", {
  needs: [],
  fn: async () => {
    await using namespace = await Namespace.create("fullrange");
    // The range's two ends, and one in the ephemeral port range the probes' sources come from.
    const ports = [1, 40000, 65535];
    const daemon = namespace.start("tcp_listeners.ts", [
      Deno.execPath(),
      "run",
      "--allow-net",
      SCRIPT,
      "127.0.0.1",
      ...ports.map(String),
    ], { DENO_NO_UPDATE_CHECK: "1" });
    await waitUntil("the listeners bound", () => Promise.resolve(daemon.log.includes("ready")), {
      daemon,
    });
    const listening = [...await namespace.listeningPorts("tcp")].sort((a, b) => a - b);
    assert.deepEqual(listening, ports, "ss shows other listeners than the test's");
    for (let round = 1; round <= 3; round++) {
      const run = await runPortset(namespace, ["-n", "127.0.0.1", "-p", "tcp", "-r", "1:65535"]);
      assert.equal(run.report.results.length, 65535, `round ${round}: not every port reported`);
      const found = run.report.results.filter((result) => result.state === "LISTENING")
        .map((result) => result.port);
      const others = run.report.results.filter((result) =>
        result.state !== "LISTENING" && result.state !== "NOT LISTENING"
      ).map((result) => `${result.port} ${result.state}`);
      assert.equal(daemon.status, null, `the listeners exited:\n${daemon.log}`);
      assert.deepEqual(found, listening, `round ${round}: LISTENING ports differ from ss's`);
      assert.deepEqual(others, [], `round ${round}: ports neither listening nor closed`);
      // Only the three listening lines of a 65535-line report are worth a failure message.
      if (found.length !== listening.length) assert.fail(explain(run));
    }
  },
});
