// The Windows UDP prober (collectors/windows/udp_probe.ts, Winsock) and the TCP probe, run by
// deno.exe under Wine against loopback servers this test starts: an answer, silence, a closed
// port, and a TCP listener and closed port.
//
// Wine 8.0 does not pass the kernel's ICMP port unreachable on to a connected UDP socket (recv
// keeps saying WSAEWOULDBLOCK), so under Wine a closed UDP port reads as silent; the closed-port
// case is checked on real Windows only, where recv fails with WSAECONNRESET.
//
// Ignored under the Linux deno unless the Wine runner's PORTSET_EXPECT_WINDOWS says otherwise.
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { WindowsUdpProber } from "../../collectors/windows/udp_probe.ts";
import { PortableTcpProber } from "../../remote/portable_tcp_prober.ts";
import { probeTcpPorts } from "../../remote/tcp_probe.ts";

/** True under Wine: its ntdll exports wine_get_version. */
function underWine(): boolean {
  const ntdll = Deno.dlopen("ntdll.dll", {
    wine_get_version: { parameters: [], result: "pointer", optional: true },
  });
  try {
    return ntdll.symbols.wine_get_version !== null;
  } finally {
    ntdll.close();
  }
}

const ignore = Deno.build.os !== "windows" && Deno.env.get("PORTSET_EXPECT_WINDOWS") !== "1";

async function udpServer(answer: boolean): Promise<dgram.Socket> {
  const socket = dgram.createSocket("udp4");
  socket.on("message", (_message, remote) => {
    if (answer) socket.send(new TextEncoder().encode("pong"), remote.port, remote.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  return socket;
}

Deno.test({
  name: "WindowsUdpProber: an answer, silence and a closed port on loopback",
  ignore,
  async fn() {
    const echo = await udpServer(true);
    const silent = await udpServer(false);
    const closedSocket = await udpServer(false);
    const closed = closedSocket.address().port;
    await new Promise<void>((resolve) => closedSocket.close(() => resolve()));
    const prober = new WindowsUdpProber();
    const request = (port: number, waitMs = 2000) => ({
      address: "127.0.0.1",
      port,
      sourcePort: null,
      payloads: [new Uint8Array(0)],
      waitMs,
    });
    try {
      const answered = await prober.probe(request(echo.address().port));
      assert.equal(answered.kind, "reply");
      assert.equal(
        answered.kind === "reply" && new TextDecoder().decode(answered.bytes),
        "pong",
      );
      assert.deepEqual(await prober.probe(request(silent.address().port, 300)), {
        kind: "silent",
      });
      assert.deepEqual(
        await prober.probe(request(closed, 500)),
        underWine() ? { kind: "silent" } : { kind: "refused", icmp: null },
      );
    } finally {
      await new Promise<void>((resolve) => echo.close(() => resolve()));
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  },
});

Deno.test({
  name: "the portable TCP prober under Windows: a listener and a closed port on loopback",
  ignore,
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedListener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closed = closedListener.addr.port;
    closedListener.close();
    try {
      const findings = await probeTcpPorts(new PortableTcpProber(), {
        address: "127.0.0.1",
        ports: [listener.addr.port, closed],
        sourcePort: null,
        timeoutMs: 1000,
        tries: 1,
        greetingWaitMs: 0,
        concurrency: 2,
      });
      assert.deepEqual(findings.map((finding) => finding.state), ["LISTENING", "NOT LISTENING"]);
    } finally {
      listener.close();
    }
  },
});
