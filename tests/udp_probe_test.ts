/**
 * collectors/linux/udp_probe.ts against UDP servers this test starts on loopback: an answer, a
 * silent port, a closed port (the kernel's ICMP port unreachable, with the message itself), IPv6,
 * a fixed source port shared by concurrent probes, a source port that is the target port, and an
 * event loop that keeps running while probes wait.
 */

import assert from "node:assert/strict";
import { LinuxUdpProber } from "../collectors/linux/udp_probe.ts";
import type { UdpProbeRequest } from "../collectors/probe.ts";
import { Namespace, namespaceUnavailable, probeIn } from "./support/netns.ts";
import { TestSockets } from "./support/sockets.ts";
import { echoResponder, silentResponder, startUdpServer } from "./support/udp_servers.ts";

const ignore = Deno.build.os !== "linux";
const EMPTY = new Uint8Array(0);

function request(address: string, port: number, extra: Partial<UdpProbeRequest> = {}) {
  return { address, port, sourcePort: null, payloads: [EMPTY], waitMs: 2000, ...extra };
}

/**
 * A UDP port for the probes of 127.0.0.1 to leave from, which no other process takes meanwhile:
 * the kernel's pick, held on 0.0.0.0 with SO_REUSEADDR (which the probes' sockets have too, so
 * they can bind it) and connected to the discard port (so the answers go to the probes).
 */
function reservedSourcePort(sockets: TestSockets): number {
  return sockets.udp("0.0.0.0", 0, { address: "127.0.0.1", port: 9 }, { reuseAddr: true }).port;
}

Deno.test({
  name: "LinuxUdpProber: an answer, silence and a closed port, IPv4 and IPv6",
  ignore,
  async fn() {
    using sockets = new TestSockets();
    const prober = new LinuxUdpProber();
    for (const address of ["127.0.0.1", "::1"]) {
      await using echo = await startUdpServer(address, echoResponder);
      await using silent = await startUdpServer(address, silentResponder);
      const answered = await prober.probe(request(address, echo.port));
      assert.equal(answered.kind, "reply", address);
      assert.equal(
        answered.kind === "reply" && new TextDecoder().decode(answered.bytes),
        "pong",
      );
      assert.equal(echo.received[0].bytes.length, 0, "an empty datagram was sent");
      assert.deepEqual(
        await prober.probe(request(address, silent.port, { waitMs: 300 })),
        { kind: "silent" },
      );
      assert.equal(silent.received.length, 1, "the silent server did receive the datagram");
      const closed = sockets.udpClosed(address);
      const refused = await prober.probe(request(address, closed));
      assert.equal(refused.kind, "refused", address);
      // The kernel's own ICMP port unreachable, read off the socket's error queue.
      assert.deepEqual(refused.kind === "refused" && refused.icmp, {
        family: address === "::1" ? 6 : 4,
        type: address === "::1" ? 1 : 3,
        code: address === "::1" ? 4 : 3,
        from: address,
      });
    }
  },
});

Deno.test({
  name: "LinuxUdpProber: the next payload is sent when the first gets no answer",
  ignore,
  async fn() {
    await using server = await startUdpServer(
      "127.0.0.1",
      (bytes) => bytes.length > 0 ? bytes : null,
    );
    const outcome = await new LinuxUdpProber().probe(
      request("127.0.0.1", server.port, { payloads: [EMPTY, new Uint8Array([7])], waitMs: 300 }),
    );
    assert.equal(outcome.kind, "reply");
    assert.equal(outcome.kind === "reply" && outcome.payloadIndex, 1);
  },
});

Deno.test({
  name: "LinuxUdpProber: concurrent probes share a fixed source port and do not stall the loop",
  ignore,
  async fn() {
    await using first = await startUdpServer("127.0.0.1", echoResponder);
    await using second = await startUdpServer("127.0.0.1", echoResponder);
    await using silent = await startUdpServer("127.0.0.1", silentResponder);
    using sockets = new TestSockets();
    const sourcePort = reservedSourcePort(sockets);
    const prober = new LinuxUdpProber();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 20);
    try {
      const outcomes = await Promise.all([
        prober.probe(request("127.0.0.1", first.port, { sourcePort })),
        prober.probe(request("127.0.0.1", second.port, { sourcePort })),
        prober.probe(request("127.0.0.1", silent.port, { sourcePort, waitMs: 500 })),
      ]);
      assert.deepEqual(outcomes.map((outcome) => outcome.kind), ["reply", "reply", "silent"]);
    } finally {
      clearInterval(ticker);
    }
    assert.deepEqual(
      [first.received[0].port, second.received[0].port, silent.received[0].port],
      [sourcePort, sourcePort, sourcePort],
    );
    assert.ok(ticks >= 10, `timers ran while probes waited (${ticks} ticks in 500 ms)`);
  },
});

Deno.test({
  name: "LinuxUdpProber: a source port that is the target port reaches its own socket",
  // A fixed port, in a namespace of the test's own: on the host, a port the test found free may
  // be another process's by the time the probe binds it.
  ignore: ignore || namespaceUnavailable() !== null,
  async fn() {
    await using namespace = await Namespace.create("udp-self");
    for (const address of ["127.0.0.1", "::1"]) {
      assert.deepEqual(
        await probeIn(namespace, ["udp", address, "40070", "40070"]),
        { kind: "self", alone: true },
        `${address}: nothing else holds the port`,
      );
      // A server that shares the port (SO_REUSEADDR) cannot be told from the probe's own socket.
      assert.deepEqual(
        await probeIn(namespace, ["udp", address, "40070", "40070", "shared"]),
        { kind: "self", alone: false },
        `${address}: another socket holds the port`,
      );
    }
  },
});
