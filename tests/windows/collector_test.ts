// The Windows collector (collectors/windows/) run by deno.exe under Wine, whose iphlpapi reports
// this Linux host's real sockets: sockets the test opens must come back with the right protocol,
// addresses, ports and states, and with this process's pid where Wine can tell it (its own UDP
// sockets and outbound IPv4 connections; Wine reports 0, so null, for listeners).
//
// Ignored under the Linux deno unless the Wine runner's PORTSET_EXPECT_WINDOWS says otherwise.
import assert from "node:assert/strict";
import { createCollector } from "../../collectors/mod.ts";
import type { Endpoint, Snapshot } from "../../model/endpoint.ts";

const ignore = Deno.build.os !== "windows" && Deno.env.get("PORTSET_EXPECT_WINDOWS") !== "1";

function find(snapshot: Snapshot, protocol: string, address: string, port: number): Endpoint[] {
  return snapshot.endpoints.filter((e) =>
    e.protocol === protocol && e.localAddress === address && e.localPort === port
  );
}

Deno.test({
  name: "Windows collector: a listener, an outbound connection and its accepted end, all TCP",
  ignore,
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const client = await Deno.connect({ hostname: "127.0.0.1", port });
    const accepted = await listener.accept();
    try {
      const collector = await createCollector();
      const snapshot = collector.collect();
      collector.close();
      assert.equal(snapshot.source, "iphlpapi");
      const [listening] = find(snapshot, "tcp", "127.0.0.1", port).filter((e) =>
        e.state === "LISTENING"
      );
      assert.ok(listening, `the listener on ${port}`);
      assert.deepEqual([listening.remoteAddress, listening.remotePort], [null, null]);
      const clientPort = (client.localAddr as Deno.NetAddr).port;
      const [outbound] = find(snapshot, "tcp", "127.0.0.1", clientPort);
      assert.ok(outbound, "the client end");
      assert.deepEqual([outbound.state, outbound.remoteAddress, outbound.remotePort], [
        "ESTABLISHED",
        "127.0.0.1",
        port,
      ]);
      assert.equal(
        outbound.pid,
        Deno.pid,
        "Wine attributes a process's own outbound connection to it",
      );
      assert.equal(outbound.process?.toLowerCase(), "deno.exe");
      const [inbound] = find(snapshot, "tcp", "127.0.0.1", port).filter((e) =>
        e.remotePort === clientPort
      );
      assert.equal(inbound?.state, "ESTABLISHED", "the accepted end");
      assert.ok(snapshot.endpoints.every((e) => e.pid !== 0), "pid 0 is reported as null");
    } finally {
      client.close();
      accepted.close();
      listener.close();
    }
  },
});

Deno.test({
  name: "Windows collector: UDP and IPv6 sockets of this process",
  ignore,
  async fn() {
    const collector = await createCollector();
    const before = collector.collect();
    const listener6 = Deno.listen({ hostname: "::1", port: 0 });
    const port6 = (listener6.addr as Deno.NetAddr).port;
    try {
      const snapshot = collector.collect();
      const [v6] = find(snapshot, "tcp6", "::1", port6);
      assert.ok(v6, "the IPv6 listener");
      assert.equal(v6.state, "LISTENING");
      assert.ok(
        snapshot.endpoints.length > before.endpoints.length - 50,
        "a whole table each time",
      );
      const udp = snapshot.endpoints.filter((e) => e.protocol === "udp" || e.protocol === "udp6");
      assert.ok(udp.every((e) => e.state === null && e.remoteAddress === null));
    } finally {
      listener6.close();
      collector.close();
    }
  },
});

Deno.test({
  name:
    "portset -local --json, run by the Windows build, lists this host's listeners with their states",
  ignore,
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    try {
      const main = new URL("../../main.ts", import.meta.url);
      const output = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-all", main.href, "-local", "--json"],
      }).output();
      const stderr = new TextDecoder().decode(output.stderr);
      assert.equal(output.code, 0, stderr);
      const report = JSON.parse(new TextDecoder().decode(output.stdout));
      const mine = report.endpoints.filter((e: Endpoint) =>
        e.localPort === port && e.localAddress === "127.0.0.1"
      );
      assert.equal(mine.length, 1, JSON.stringify(mine));
      assert.equal(mine[0].state, "LISTENING");
      assert.equal(mine[0].protocol, "tcp");
      assert.ok(report.endpoints.some((e: Endpoint) => e.state === "LISTENING"));
    } finally {
      listener.close();
    }
  },
});

Deno.test({
  name: "Windows collector: a native Linux process's listener, opened by the test runner",
  ignore: ignore || !Deno.env.get("PORTSET_LINUX_LISTENER"),
  async fn() {
    const [address, port] = Deno.env.get("PORTSET_LINUX_LISTENER")!.split(":");
    const collector = await createCollector();
    const snapshot = collector.collect();
    collector.close();
    const [listener] = find(snapshot, "tcp", address, Number(port));
    assert.ok(listener, `the Linux listener ${address}:${port}`);
    assert.equal(listener.state, "LISTENING");
    assert.equal(listener.pid, null, "Wine knows no Windows pid for a native Linux process");
  },
});
