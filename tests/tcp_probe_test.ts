/**
 * TCP probes: the rounds of remote/tcp_probe.ts as a unit (a scripted prober), then both real
 * probers (Linux's epoll one and the portable one Windows and macOS use) on 127.0.0.1 and ::1: a
 * listener, a closed port, a greeting, a listener whose accept queue is full (the kernel then
 * drops SYNs: a real FILTERED), a source port in use, and a probe whose source port is its
 * target port, which connects to itself (in a network namespace of its own, where the fixed port
 * is free). Then, in network namespaces too, a port range while the kernel is made to pick the
 * target port as the source port, and firewall rules that answer with each kind of ICMP error.
 */

import assert from "node:assert/strict";
import net from "node:net";
import { LinuxTcpProber } from "../collectors/linux/tcp_probe.ts";
import {
  ProbeError,
  RESET,
  SELF,
  type TcpConnectBatch,
  type TcpConnectOutcome,
  type TcpProber,
  TIMEOUT,
} from "../collectors/probe.ts";
import { PortableTcpProber } from "../remote/portable_tcp_prober.ts";
import { SELF_CONNECT_REASON } from "../remote/failure_text.ts";
import { probeTcpPorts, type TcpProbeOptions } from "../remote/tcp_probe.ts";
import {
  inNewNamespace,
  jsonResults,
  Namespace,
  namespaceUnavailable,
  probeIn,
} from "./support/netns.ts";
import { runCli } from "./support/processes.ts";
import { TestSockets } from "./support/sockets.ts";

const OPTIONS: TcpProbeOptions = {
  address: "127.0.0.1",
  ports: [1],
  sourcePort: null,
  timeoutMs: 300,
  tries: 3,
  greetingWaitMs: 500,
  concurrency: 8,
};

/** A prober answering each port from a script of outcomes, one per round, counting the rounds. */
function scripted(script: Record<number, TcpConnectOutcome[]>) {
  const rounds: number[][] = [];
  const prober: TcpProber = {
    connectAll(batch: TcpConnectBatch) {
      rounds.push([...batch.ports]);
      return Promise.resolve(batch.ports.map((port) => {
        const outcomes = script[port];
        return outcomes[Math.min(rounds.length - 1, outcomes.length - 1)];
      }));
    },
    close() {},
  };
  return { prober, rounds };
}

Deno.test("probeTcpPorts (unit): only silent ports are tried again, and 3 silences are FILTERED", async () => {
  const unreachable: TcpConnectOutcome = {
    kind: "failed",
    failure: { code: "ENOPROTOOPT", text: "Protocol not available", icmp: null },
  };
  const { prober, rounds } = scripted({
    1: [TIMEOUT],
    2: [TIMEOUT, TIMEOUT, { kind: "connected", greeting: null }],
    3: [RESET],
    4: [unreachable],
    5: [SELF],
    6: [{ kind: "connected", greeting: new TextEncoder().encode("220-a\r\n220 b\r\n") }],
  });
  const findings = await probeTcpPorts(prober, { ...OPTIONS, ports: [1, 2, 3, 4, 5, 6] });
  assert.deepEqual(rounds, [[1, 2, 3, 4, 5, 6], [1, 2], [1, 2]]);
  const finding = (state: string, reason: string | null, detail: string[] = []) => ({
    state,
    reason,
    query: detail.length > 0 ? "greeting" : null,
    detail,
  });
  assert.deepEqual(findings, [
    finding("FILTERED", "no answer to 3 connection attempts"),
    finding("LISTENING", null),
    finding("NOT LISTENING", null),
    finding("FILTERED", "protocol unreachable (ENOPROTOOPT)"),
    finding("NOT LISTENING", SELF_CONNECT_REASON),
    finding("LISTENING", null, ["220-a", "220 b"]),
  ]);
});

const noNamespace = namespaceUnavailable();

/** Both real probers, by name. */
const PROBERS: [string, () => TcpProber][] = [
  ["linux", () => new LinuxTcpProber()],
  ["portable", () => new PortableTcpProber()],
];

const batch = (address: string, ports: number[], extra: Partial<TcpConnectBatch> = {}) => ({
  address,
  ports,
  sourcePort: null,
  timeoutMs: 1000,
  concurrency: 8,
  ...extra,
});

for (const [name, make] of PROBERS) {
  Deno.test(`${name} prober: a listener connects, a closed port is reset, on 127.0.0.1 and ::1`, async () => {
    using sockets = new TestSockets();
    const prober = make();
    for (const address of ["127.0.0.1", "::1"]) {
      const listener = sockets.tcpListen(address);
      const closed = sockets.tcpClosed(address);
      const outcomes = await prober.connectAll(batch(address, [listener.port, closed]));
      assert.deepEqual(outcomes, [{ kind: "connected", greeting: null }, RESET], address);
    }
  });

  Deno.test(`${name} prober: a greeting over several lines is read whole`, async () => {
    const server = net.createServer((socket) => {
      socket.on("error", () => {});
      socket.write("220-mail.test ESMTP\r\n");
      setTimeout(() => socket.write("220 ready\r\n"), 50);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const text = new TextDecoder();
      const [outcome] = await make().connectAll(batch("127.0.0.1", [port], {
        greeting: () => ({
          waitMs: 2000,
          maxBytes: 4096,
          complete: (bytes) => text.decode(bytes).endsWith("220 ready\r\n"),
        }),
      }));
      assert.equal(outcome.kind, "connected");
      assert.equal(
        text.decode(outcome.kind === "connected" ? outcome.greeting! : undefined),
        "220-mail.test ESMTP\r\n220 ready\r\n",
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  Deno.test({
    name: `${name} prober: a source port that is its own target port connects to itself`,
    ignore: noNamespace !== null,
    async fn() {
      // A fixed port, in a namespace of the test's own: on the host, a port the test found free
      // may be another process's by the time the probe binds it.
      await using namespace = await Namespace.create("self-connect");
      for (const address of ["127.0.0.1", "::1"]) {
        const outcomes = await probeIn(namespace, [`tcp-${name}`, address, "40050", "40050"]);
        assert.deepEqual(outcomes, [SELF], address);
      }
    },
  });

  Deno.test(`${name} prober: a source port held by a listener is one clear ProbeError`, async () => {
    using sockets = new TestSockets();
    const target = sockets.tcpListen("127.0.0.1");
    const holder = sockets.tcpListen("0.0.0.0");
    await assert.rejects(
      make().connectAll(batch("127.0.0.1", [target.port], { sourcePort: holder.port })),
      (error: unknown) => {
        assert.ok(error instanceof ProbeError, String(error));
        assert.match(error.message, new RegExp(`source port ${holder.port}`));
        assert.ok(!error.message.includes("\n"));
        return true;
      },
    );
  });
}

Deno.test("linux prober: a listener whose accept queue is full drops SYNs: FILTERED after 3 tries", async () => {
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
    const findings = await probeTcpPorts(new LinuxTcpProber(), {
      ...OPTIONS,
      ports: [listener.port],
      timeoutMs: 200,
    });
    assert.deepEqual(findings, [{
      state: "FILTERED",
      reason: "no answer to 3 connection attempts",
      query: null,
      detail: [],
    }]);
    assert.ok(Date.now() - started >= 3 * 200, "three tries, each waiting its timeout");
  } finally {
    for (const client of clients) client.destroy();
  }
});

Deno.test({
  name: "portset -n: no false LISTENING when the kernel picks the target port as the source port",
  ignore: noNamespace !== null,
  async fn() {
    // Two ephemeral ports only, both inside the range probed: a connection to either of them
    // reaches itself whenever the kernel picks that one as the source port (before the fix,
    // a false LISTENING in about one run in six). Nothing listens but 40005. The 8,001-port
    // range is long enough to be shared with a second thread.
    const run = await inNewNamespace(`
      sysctl -qw net.ipv4.ip_local_port_range="40000 40001"
      python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",40005)); s.listen(); time.sleep(60)' >/dev/null &
      v4=$!
      python3 -c 'import socket,time; s=socket.socket(socket.AF_INET6); s.bind(("::1",40005)); s.listen(); time.sleep(60)' >/dev/null &
      v6=$!
      trap 'kill $v4 $v6' EXIT
      while [ "$(ss -Htln | grep -c ':40005 ')" -lt 2 ]; do sleep 0.05; done
      for i in $(seq 20); do
        $PORTSET -n 127.0.0.1 -r 39998:40005 -nr --json
        $PORTSET -n ::1 -r 39998:40005 -nr --json
        $PORTSET -n 127.0.0.1 -r 36000:44000 -nr --json
      done | tr -d '\\n' | sed 's/}{/}\\n{/g'
    `);
    assert.equal(run.code, 0, run.stderr);
    const runs = run.stdout.trim().split("\n");
    assert.equal(runs.length, 60, run.stdout);
    for (const output of runs) {
      const results = jsonResults({ ...run, stdout: output });
      const listening = results.filter((r) => r.state === "LISTENING").map((r) => r.port);
      assert.deepEqual(listening, [40005], output);
    }
  },
});

Deno.test({
  name: "portset -n: -sp equal to the port, nothing there: NOT LISTENING for TCP and UDP",
  ignore: noNamespace !== null,
  async fn() {
    const run = await inNewNamespace(`
      $PORTSET -n 127.0.0.1 -p both -e 40050 -sp 40050 -nr --json
      $PORTSET -n ::1 -p both -e 40050 -sp 40050 -nr --json
      $PORTSET -n 127.0.0.1 -p both -e 40050 -sp 40050 -nr -q || echo "exit $?"
    `);
    const [first, second, quiet] = run.stdout.split(/(?<=\]\}\n)/);
    for (const [output, family] of [[first, ""], [second, "6"]]) {
      const results = jsonResults({ ...run, stdout: output });
      assert.deepEqual(results.map((r) => [r.protocol, r.state]), [
        [`tcp${family}`, "NOT LISTENING"],
        [`udp${family}`, "NOT LISTENING"],
      ]);
      assert.match(results[0].reason ?? "", /connected to itself/);
      assert.match(results[1].reason ?? "", /its own socket/);
    }
    assert.equal(quiet.trim(), "exit 1", "-q: NOT LISTENING is exit code 1");
  },
});

const noFirewall = namespaceUnavailable("iptables", "ip6tables");

Deno.test({
  name: "portset -n: each REJECT kind is that port's answer, and a range goes on past it",
  ignore: noFirewall !== null,
  async fn() {
    const rejects: [number, string][] = [
      [41001, "--reject-with icmp-proto-unreachable"],
      [41002, "--reject-with icmp-host-unreachable"],
      [41003, "--reject-with icmp-net-unreachable"],
      [41004, "--reject-with icmp-admin-prohibited"],
      [41005, "--reject-with icmp-host-prohibited"],
      [41006, "--reject-with icmp-port-unreachable"],
      [41007, "--reject-with tcp-reset"],
    ];
    const rules = rejects.map(([port, how]) =>
      `iptables -I INPUT -i lo -p tcp --dport ${port} -j REJECT ${how}
       iptables -I INPUT -i lo -p udp --dport ${port} -j REJECT ${
        how === "--reject-with tcp-reset" ? "" : how
      }`
    ).join("\n");
    const run = await inNewNamespace(`
      ${rules}
      ip6tables -I INPUT -i lo -p tcp --dport 41008 -j REJECT --reject-with icmp6-adm-prohibited
      ip6tables -I INPUT -i lo -p udp --dport 41008 -j REJECT --reject-with icmp6-adm-prohibited
      $PORTSET -n 127.0.0.1 -p both -r 41000:41008 -nr --json
      $PORTSET -n ::1 -p both -e 41008 -nr --json
    `);
    assert.equal(run.code, 0, run.stderr);
    const [ipv4, ipv6] = run.stdout.split(/(?<=\]\}\n)/);
    const results = jsonResults({ ...run, stdout: ipv4 });
    assert.equal(results.length, 18, "every port of the range, both protocols");
    const answer = (protocol: string, port: number) =>
      results.find((r) => r.protocol === protocol && r.port === port)!;
    for (const protocol of ["tcp", "udp"]) {
      const expect = (port: number, state: string, reason: RegExp | null) => {
        const result = answer(protocol, port);
        assert.equal(result.state, state, `${protocol} ${port}`);
        if (reason) assert.match(result.reason ?? "", reason, `${protocol} ${port}`);
      };
      expect(41001, "FILTERED", /^ICMP protocol unreachable \(type 3, code 2\) from 127\.0\.0\.1$/);
      expect(41002, "FILTERED", /^ICMP host unreachable \(type 3, code 1\)/);
      expect(41003, "FILTERED", /^ICMP network unreachable \(type 3, code 0\)/);
      expect(41004, "FILTERED", /^ICMP communication administratively prohibited/);
      expect(41005, "FILTERED", /^ICMP host administratively prohibited/);
      expect(41000, "NOT LISTENING", null);
    }
    // A firewall's port unreachable for TCP is NOT LISTENING, said to come from ICMP, not a reset.
    assert.equal(answer("tcp", 41006).state, "NOT LISTENING");
    assert.match(answer("tcp", 41006).reason ?? "", /^ICMP port unreachable \(type 3, code 3\)/);
    assert.deepEqual([answer("tcp", 41007).state, answer("tcp", 41007).reason], [
      "NOT LISTENING",
      null,
    ]);
    const v6 = jsonResults({ ...run, stdout: ipv6 });
    assert.deepEqual(v6.map((r) => [r.protocol, r.state]), [["tcp6", "FILTERED"], [
      "udp6",
      "FILTERED",
    ]]);
    for (const result of v6) {
      assert.match(result.reason ?? "", /^ICMPv6 communication administratively prohibited/);
    }
  },
});

Deno.test("portset -n: 50 listeners among 100 ports read right in every one of 60 fresh runs", async () => {
  // A fresh process compiles and collects garbage while it probes; once, that work overwrote
  // errno between a connect and its reading, and a listener read FILTERED ("errno 2").
  using sockets = new TestSockets();
  // Listeners that accept, so their queues never fill over the runs.
  const listeners = Array.from(
    { length: 50 },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const accepting = listeners.map(async (listener) => {
    try {
      for await (const connection of listener) connection.close();
    } catch {
      // closed at the end, or reset by the prober first
    }
  });
  const open = listeners.map((listener) => listener.addr.port).sort((a, b) => a - b);
  // Closed ports that stay closed over the 60 runs: no other process can take one and listen.
  const closed = Array.from({ length: 50 }, () => sockets.tcpClosed());
  const ports = [...open, ...closed].sort((a, b) => a - b);
  try {
    for (let run = 0; run < 60; run++) {
      const result = await runCli(["-n", "127.0.0.1", "-nr", "-o", ports.join(","), "--json"]);
      const results = jsonResults(result);
      const listening = results.filter((r) => r.state === "LISTENING").map((r) => r.port);
      assert.deepEqual(listening, open, `run ${run + 1}`);
      assert.ok(results.every((r) => r.state !== "FILTERED"), `run ${run + 1}: ${result.stdout}`);
    }
  } finally {
    for (const listener of listeners) listener.close();
    await Promise.all(accepting);
  }
});
