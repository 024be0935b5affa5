/**
 * remote/tcp_probe.ts: the retry logic as a unit (an injected connection attempt), then real
 * connections to loopback: a listener, a closed port, IPv6, a greeting read, a listener whose
 * accept queue is full (the kernel then drops SYNs: a real FILTERED), and a source port in use.
 */

import assert from "node:assert/strict";
import net from "node:net";
import { ProbeError } from "../collectors/probe.ts";
import {
  connectOnce,
  type ConnectOutcome,
  probeTcp,
  type TcpProbeOptions,
} from "../remote/tcp_probe.ts";
import { TestSockets } from "./support/sockets.ts";
import { spareLoopback } from "./support/udp_servers.ts";

const OPTIONS: TcpProbeOptions = {
  address: "127.0.0.1",
  port: 1,
  sourcePort: null,
  timeoutMs: 300,
  tries: 3,
  greetingWaitMs: 500,
};

/** An attempt that answers from a script, counting the calls (a unit test of the retries). */
function scripted(...outcomes: ConnectOutcome[]) {
  const calls: number[] = [];
  return {
    calls,
    attempt: () => {
      calls.push(calls.length + 1);
      return Promise.resolve(outcomes[Math.min(calls.length - 1, outcomes.length - 1)]);
    },
  };
}

Deno.test("probeTcp (unit): only silence is retried, and 3 silent tries are FILTERED", async () => {
  const timeout: ConnectOutcome = { kind: "timeout" };
  const silent = scripted(timeout);
  assert.deepEqual(await probeTcp({ ...OPTIONS, attempt: silent.attempt }), {
    state: "FILTERED",
    detail: [],
    attempts: 3,
  });
  const late = scripted(timeout, timeout, { kind: "connected", greeting: null });
  assert.equal((await probeTcp({ ...OPTIONS, attempt: late.attempt })).state, "LISTENING");
  assert.equal(late.calls.length, 3);
  const refused = scripted({ kind: "refused" });
  assert.deepEqual(await probeTcp({ ...OPTIONS, attempt: refused.attempt }), {
    state: "NOT LISTENING",
    detail: [],
    attempts: 1,
  });
  const unreachable = scripted({ kind: "unreachable", reason: "host unreachable" });
  assert.deepEqual(await probeTcp({ ...OPTIONS, attempt: unreachable.attempt }), {
    state: "FILTERED",
    detail: ["host unreachable"],
    attempts: 1,
  });
  const once = scripted(timeout);
  await probeTcp({ ...OPTIONS, tries: 1, attempt: once.attempt });
  assert.equal(once.calls.length, 1);
});

Deno.test("probeTcp: listener LISTENING, closed port NOT LISTENING, IPv4 and IPv6", async () => {
  using sockets = new TestSockets();
  for (const address of ["127.0.0.1", "::1"]) {
    const listener = sockets.tcpListen(address);
    const closed = sockets.tcpListen(address);
    sockets.close(closed.fd);
    assert.equal((await probeTcp({ ...OPTIONS, address, port: listener.port })).state, "LISTENING");
    assert.equal(
      (await probeTcp({ ...OPTIONS, address, port: closed.port })).state,
      "NOT LISTENING",
    );
  }
});

Deno.test("probeTcp: the greeting of an SMTP server on port 25", async () => {
  const address = spareLoopback();
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.write("220 mail.test ESMTP ready\r\n");
  });
  await new Promise<void>((resolve) => server.listen(25, address, resolve));
  try {
    assert.deepEqual(await probeTcp({ ...OPTIONS, address, port: 25 }), {
      state: "LISTENING",
      detail: ["SMTP greeting: 220 mail.test ESMTP ready"],
      attempts: 1,
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});

Deno.test("probeTcp: a listener whose accept queue is full drops SYNs: FILTERED", async () => {
  using sockets = new TestSockets();
  // Backlog 0: the queue holds one connection. Clients that are never accepted fill it; after
  // that the kernel drops each new SYN, so a connection attempt hears nothing at all.
  const listener = sockets.tcpListen("127.0.0.1", 0, { backlog: 0 });
  const clients: net.Socket[] = [];
  try {
    for (let filled = false; !filled && clients.length < 16;) {
      const client = net.connect({ host: "127.0.0.1", port: listener.port });
      client.on("error", () => {});
      clients.push(client);
      filled = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(true), 500);
        client.once("connect", () => {
          clearTimeout(timer);
          resolve(false);
        });
      });
    }
    const started = Date.now();
    const result = await probeTcp({ ...OPTIONS, port: listener.port, timeoutMs: 200, tries: 3 });
    assert.deepEqual(result, { state: "FILTERED", detail: [], attempts: 3 });
    assert.ok(Date.now() - started >= 3 * 200, "three tries, each waiting its timeout");
  } finally {
    for (const client of clients) client.destroy();
  }
});

Deno.test("connectOnce: a source port held by a listener is one clear ProbeError", async () => {
  using sockets = new TestSockets();
  const target = sockets.tcpListen("127.0.0.1");
  const holder = sockets.tcpListen("0.0.0.0");
  await assert.rejects(
    connectOnce({
      address: "127.0.0.1",
      port: target.port,
      sourcePort: holder.port,
      timeoutMs: 1000,
      greetingWaitMs: null,
    }),
    (error: unknown) => {
      assert.ok(error instanceof ProbeError, String(error));
      assert.match(error.message, new RegExp(`source port ${holder.port}`));
      assert.ok(!error.message.includes("\n"));
      return true;
    },
  );
});
