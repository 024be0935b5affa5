/**
 * The Linux collector against real sockets: each socket the test opens must appear exactly once,
 * with the right protocol, addresses, ports, state, owner and user, as `ss` sees it too. Only the
 * test's own sockets are compared: other processes' come and go between two reads of the table.
 */

import assert from "node:assert/strict";
import { LinuxCollector } from "../collectors/linux/mod.ts";
import { NetlinkParseError } from "../collectors/linux/netlink.ts";
import { type Endpoint, endpointKey, isListening, type Snapshot } from "../model/endpoint.ts";
import { pollUntil } from "./support/poll.ts";
import {
  exists,
  isRoot,
  startDenoListener,
  startPythonHolder,
  SYSTEM_PYTHON,
} from "./support/processes.ts";
import { TestSockets } from "./support/sockets.ts";
import { ssListeningKeys, type SsSocket, ssSocketsByInode } from "./support/ss.ts";

const collector = await LinuxCollector.open();
const hasPython = exists(SYSTEM_PYTHON);

function collect(): Snapshot {
  return collector.collect();
}

/** The endpoints with this protocol and local address and port (and peer port, when given). */
function find(
  snapshot: Snapshot,
  protocol: string,
  localAddress: string,
  localPort: number,
  remotePort?: number,
): Endpoint[] {
  return snapshot.endpoints.filter((endpoint) =>
    endpoint.protocol === protocol && endpoint.localAddress === localAddress &&
    endpoint.localPort === localPort &&
    (remotePort === undefined || endpoint.remotePort === remotePort)
  );
}

function only(endpoints: Endpoint[], what: string): Endpoint {
  assert.equal(
    endpoints.length,
    1,
    `${what}: expected exactly one endpoint, got ${JSON.stringify(endpoints)}`,
  );
  return endpoints[0];
}

const me = { pid: Deno.pid, user: isRoot() ? "root" : undefined };

function assertMine(endpoint: Endpoint, what: string): void {
  assert.equal(endpoint.pid, Deno.pid, `${what}: pid`);
  assert.equal(endpoint.process, "deno", `${what}: process`);
  assert.equal(endpoint.path, Deno.execPath(), `${what}: path`);
  if (me.user) assert.equal(endpoint.user, me.user, `${what}: user`);
  assert.equal(endpoint.owners, undefined, `${what}: a single owner has no owners list`);
  assert.ok(endpoint.inode! > 0, `${what}: inode`);
}

Deno.test("TCP listeners on 127.0.0.1 and ::1 are seen once, LISTENING, owned by this process", () => {
  using sockets = new TestSockets();
  const v4 = sockets.tcpListen("127.0.0.1");
  const v6 = sockets.tcpListen("::1");
  const snapshot = collect();

  const tcp = only(find(snapshot, "tcp", "127.0.0.1", v4.port), "tcp listener");
  assert.deepEqual(
    [tcp.localAddress, tcp.remoteAddress, tcp.remotePort, tcp.state],
    ["127.0.0.1", null, null, "LISTENING"],
  );
  assert.equal(endpointKey(tcp), `tcp/127.0.0.1/${v4.port}`);
  assertMine(tcp, "tcp listener");

  const tcp6 = only(find(snapshot, "tcp6", "::1", v6.port), "tcp6 listener");
  assert.deepEqual([tcp6.localAddress, tcp6.state], ["::1", "LISTENING"]);
  assert.equal(endpointKey(tcp6), `tcp6/::1/${v6.port}`);
  assertMine(tcp6, "tcp6 listener");
});

Deno.test("a dual-stack listener's accepted IPv4 connection reads ::ffff:127.0.0.1", () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("::", 0, { v6only: false });
  const client = sockets.tcpConnect("127.0.0.1", listener.port);
  sockets.accept(listener.fd);
  const snapshot = collect();

  const wildcard = only(
    find(snapshot, "tcp6", "::", listener.port).filter((e) => e.state === "LISTENING"),
    "listener",
  );
  assert.equal(wildcard.localAddress, "::");
  const outbound = only(
    find(snapshot, "tcp", "127.0.0.1", client.port, listener.port),
    "IPv4 client side",
  );
  assert.deepEqual(
    [outbound.localAddress, outbound.remoteAddress, outbound.state],
    ["127.0.0.1", "127.0.0.1", "ESTABLISHED"],
  );
  const accepted = only(
    find(snapshot, "tcp6", "::ffff:127.0.0.1", listener.port, client.port),
    "accepted side",
  );
  assert.deepEqual(
    [accepted.localAddress, accepted.remoteAddress, accepted.remotePort, accepted.state],
    ["::ffff:127.0.0.1", "::ffff:127.0.0.1", client.port, "ESTABLISHED"],
  );
  assertMine(outbound, "client");
  assertMine(accepted, "accepted");
});

Deno.test("UDP bound and UDP connected, IPv4 and IPv6", () => {
  using sockets = new TestSockets();
  const bound = sockets.udp("127.0.0.1");
  const bound6 = sockets.udp("::1");
  const connected = sockets.udp("127.0.0.1", 0, { address: "127.0.0.1", port: bound.port });
  const snapshot = collect();

  const udp = only(find(snapshot, "udp", "127.0.0.1", bound.port), "bound udp");
  assert.deepEqual([udp.localAddress, udp.remoteAddress, udp.remotePort, udp.state], [
    "127.0.0.1",
    null,
    null,
    null,
  ]);
  assert.ok(isListening(udp), "a bound, unconnected UDP socket is a listening port");
  assertMine(udp, "bound udp");

  const udp6 = only(find(snapshot, "udp6", "::1", bound6.port), "bound udp6");
  assert.equal(udp6.localAddress, "::1");
  assertMine(udp6, "bound udp6");

  const peer = only(find(snapshot, "udp", "127.0.0.1", connected.port), "connected udp");
  assert.deepEqual([peer.remoteAddress, peer.remotePort, peer.state], [
    "127.0.0.1",
    bound.port,
    null,
  ]);
  assert.ok(!isListening(peer), "a connected UDP socket is not a listening port");
  assertMine(peer, "connected udp");
});

Deno.test("an established IPv6 pair shows both ends, each the other's mirror", () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("::1");
  const client = sockets.tcpConnect("::1", listener.port);
  sockets.accept(listener.fd);
  const snapshot = collect();
  const clientSide = only(find(snapshot, "tcp6", "::1", client.port, listener.port), "client side");
  const serverSide = only(find(snapshot, "tcp6", "::1", listener.port, client.port), "server side");
  for (const end of [clientSide, serverSide]) {
    assert.equal(end.state, "ESTABLISHED");
    assert.equal(end.remoteAddress, "::1");
    assertMine(end, "pair");
  }
});

Deno.test("an SO_REUSEPORT group of three is three sockets under one key", () => {
  using sockets = new TestSockets();
  const first = sockets.tcpListen("127.0.0.2", 0, { reusePort: true });
  sockets.tcpListen("127.0.0.2", first.port, { reusePort: true });
  sockets.tcpListen("127.0.0.2", first.port, { reusePort: true });
  const group = find(collect(), "tcp", "127.0.0.2", first.port);
  assert.equal(group.length, 3, JSON.stringify(group));
  assert.equal(new Set(group.map((endpoint) => endpoint.inode)).size, 3, "three distinct sockets");
  assert.deepEqual(new Set(group.map(endpointKey)), new Set([`tcp/127.0.0.2/${first.port}`]));
  for (const endpoint of group) assertMine(endpoint, "reuseport member");
});

Deno.test("closing states: CLOSE_WAIT and FIN_WAIT2, then TIME_WAIT with no owner", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.1");
  const client = sockets.tcpConnect("127.0.0.1", listener.port);
  const accepted = sockets.accept(listener.fd);
  sockets.close(client.fd); // active close: the client side goes FIN_WAIT2, the server CLOSE_WAIT

  const halfClosed = await pollUntil(() => {
    const snapshot = collect();
    const server = find(snapshot, "tcp", "127.0.0.1", listener.port, client.port)[0];
    const clientSide = find(snapshot, "tcp", "127.0.0.1", client.port, listener.port)[0];
    return server?.state === "CLOSE_WAIT" && clientSide?.state === "FIN_WAIT2"
      ? { server, clientSide }
      : undefined;
  });
  assert.ok(halfClosed, "CLOSE_WAIT / FIN_WAIT2 never appeared");
  assertMine(halfClosed.server, "CLOSE_WAIT side");
  assert.equal(halfClosed.clientSide.pid, null, "an orphaned FIN_WAIT2 socket has no owner");

  sockets.close(accepted);
  const timeWait = await pollUntil(() =>
    find(collect(), "tcp", "127.0.0.1", client.port, listener.port).find((e) =>
      e.state === "TIME_WAIT"
    )
  );
  assert.ok(timeWait, "TIME_WAIT never appeared");
  assert.deepEqual([timeWait.pid, timeWait.process, timeWait.user, timeWait.inode], [
    null,
    null,
    null,
    null,
  ]);
});

Deno.test("a child process's listener is owned by the child", async () => {
  await using child = await startDenoListener("127.0.0.1");
  const endpoint = only(find(collect(), "tcp", "127.0.0.1", child.ready.port), "child listener");
  assert.equal(endpoint.pid, child.pid);
  assert.equal(endpoint.process, "deno");
  assert.equal(endpoint.path, Deno.execPath());
  if (isRoot()) assert.equal(endpoint.user, "root");
  assert.equal(endpoint.state, "LISTENING");
});

Deno.test({
  name: "a socket shared after fork lists both owners, the older (the binder) first",
  ignore: !hasPython,
  async fn() {
    await using holder = await startPythonHolder("fork-listen", "127.0.0.1");
    const [parent, child] = holder.ready.pids!;
    const endpoint = only(
      find(collect(), "tcp", "127.0.0.1", holder.ready.port),
      "shared listener",
    );
    assert.equal(endpoint.pid, parent, "pid is the process that bound the socket");
    assert.deepEqual(endpoint.owners?.map((owner) => owner.pid), [parent, child]);
    assert.ok(endpoint.owners!.every((owner) => owner.path === Deno.realPathSync(SYSTEM_PYTHON)));
  },
});

Deno.test({
  name: "a listener of user nobody is owned by nobody",
  ignore: !isRoot() || !hasPython,
  async fn() {
    await using holder = await startPythonHolder("listen", "127.0.0.1", "65534");
    const endpoint = only(
      find(collect(), "tcp", "127.0.0.1", holder.ready.port),
      "nobody's listener",
    );
    assert.equal(endpoint.pid, holder.pid, "setpriv execs python in place: same pid");
    assert.equal(endpoint.user, "nobody");
    assert.equal(endpoint.socketUid, 65534);
    assert.equal(collect().processes.get(holder.pid)?.user, "nobody");
  },
});

/** Listening keys as portset sees them, one per socket. */
function portsetListeningKeys(snapshot: Snapshot): string[] {
  return snapshot.endpoints.filter(isListening).map(endpointKey).sort();
}

Deno.test("the test's listening sockets are those ss -Htuln reports, one key per socket", async () => {
  using sockets = new TestSockets();
  const mine = [
    `tcp/127.0.0.1/${sockets.tcpListen("127.0.0.1").port}`,
    `tcp6/::1/${sockets.tcpListen("::1").port}`,
    `tcp6/::/${sockets.tcpListen("::", 0, { v6only: false }).port}`,
    `tcp6/::/${sockets.tcpListen("::", 0, { v6only: true }).port}`,
    `udp/127.0.0.29/${sockets.udp("127.0.0.29").port}`,
    `udp6/::1/${sockets.udp("::1").port}`,
  ];
  const reuse = sockets.tcpListen("127.0.0.20", 0, { reusePort: true });
  sockets.tcpListen("127.0.0.20", reuse.port, { reusePort: true });
  mine.push(`tcp/127.0.0.20/${reuse.port}`, `tcp/127.0.0.20/${reuse.port}`);
  mine.sort();

  // The test's own sockets only: the rest of the table is other processes', which open and close
  // theirs while portset and ss read it. No one else can hold these keys while the test does.
  const own = (keys: string[]) => keys.filter((key) => mine.includes(key));
  assert.deepEqual(own(await ssListeningKeys()), mine, "ss");
  assert.deepEqual(own(portsetListeningKeys(collect())), mine, "portset");
});

Deno.test("the /proc/net fallback finds the same endpoints as netlink", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("::", 0, { v6only: false });
  const client = sockets.tcpConnect("127.0.0.1", listener.port);
  sockets.accept(listener.fd);
  const udp = sockets.udp("127.0.0.1");
  const udp6 = sockets.udp("::1", 0, { address: "::1", port: 9 });

  const fallback = await LinuxCollector.open({ procNetOnly: true });
  // The test's own endpoints (other processes' come and go between two reads): the listener,
  // both ends of the connection, the two UDP sockets. What the text tables cannot tell (a
  // listener's backlog, the bound device, IPV6_V6ONLY) is left out.
  const ports = [listener.port, client.port, udp.port, udp6.port];
  const comparable = (snapshot: Snapshot) =>
    JSON.stringify(
      snapshot.endpoints.filter((e) => ports.includes(e.localPort) && e.pid === Deno.pid)
        .map(({ sendQueue: _, interface: __, v6only: ___, ...rest }) => rest),
    );
  let last: [string, string] | undefined;
  // /proc/net's text is read in pieces: another process's socket that closes meanwhile can make
  // it skip or repeat a line, so a disagreement is read again.
  const agreed = await pollUntil(() => {
    last = [comparable(collect()), comparable(fallback.collect())];
    return last[0] === last[1] ? true : undefined;
  });
  fallback.close();
  assert.ok(agreed, `netlink and /proc/net disagree:\n${last?.[0]}\n${last?.[1]}`);
  assert.equal(JSON.parse(last![1]).length, 5, `the test's five endpoints: ${last![1]}`);
});

Deno.test("when netlink fails mid-dump, the collector says so once and reads /proc/net", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.61");
  let closed = false;
  const failing = await LinuxCollector.open({
    dumper: {
      dumpAll() {
        throw new NetlinkParseError("truncated netlink header at byte 40 (3 of 16 bytes)");
      },
      close() {
        closed = true;
      },
    },
  });
  const first = failing.collect();
  assert.equal(first.source, "procfs");
  assert.deepEqual(first.warnings, [
    "netlink sock_diag is unavailable (truncated netlink header at byte 40 (3 of 16 bytes)); read /proc/net instead",
  ]);
  assert.ok(closed, "the failed dumper is closed");
  const endpoint = only(find(first, "tcp", "127.0.0.61", listener.port), "listener via /proc/net");
  assertMine(endpoint, "listener via /proc/net");
  assert.equal(failing.collect().warnings.length, 1, "each snapshot says it, once");
  failing.close();
});

Deno.test("IPv6 sockets say whether they also serve IPv4", () => {
  using sockets = new TestSockets();
  const dual = sockets.tcpListen("::", 0, { v6only: false });
  const only6 = sockets.tcpListen("::", 0, { v6only: true });
  const v4 = sockets.tcpListen("127.0.0.62");
  const snapshot = collect();
  assert.equal(only(find(snapshot, "tcp6", "::", dual.port), "dual").v6only, false);
  assert.equal(only(find(snapshot, "tcp6", "::", only6.port), "v6 only").v6only, true);
  assert.equal(only(find(snapshot, "tcp", "127.0.0.62", v4.port), "v4").v6only, null);
});

Deno.test("each of the test's sockets: key, peer, state and owners as ss -tuanpe reports them", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("::", 0, { v6only: false });
  const client = sockets.tcpConnect("127.0.0.1", listener.port);
  sockets.accept(listener.fd);
  const udp = sockets.udp("127.0.0.63", 0, { address: "127.0.0.63", port: 9 });
  await using child = await startDenoListener("127.0.0.63");
  await using shared = hasPython ? await startPythonHolder("fork-listen", "127.0.0.63") : null;

  const portsetView = (snapshot: Snapshot): Map<number, SsSocket> =>
    new Map(
      snapshot.endpoints.filter((e) => e.inode !== null).map((e) => [e.inode!, {
        key: endpointKey(e),
        peer: e.remoteAddress === null ? null : `${e.remoteAddress}:${e.remotePort}`,
        state: e.state,
        pids: (e.owners?.map((owner) => owner.pid) ?? (e.pid === null ? [] : [e.pid])).sort((
          a,
          b,
        ) => a - b),
      }]),
    );
  // The test's own sockets (other processes open and close theirs, and change their states,
  // while portset and ss read the table): those of its ports that this process, the child or
  // the forked pair hold. The accepted end has the listener's port; a TIME_WAIT has no inode.
  const ports = [listener.port, client.port, udp.port, child.ready.port];
  const pids = [Deno.pid, child.pid];
  if (shared) {
    ports.push(shared.ready.port);
    pids.push(...shared.ready.pids!);
  }
  const own = (view: Map<number, SsSocket>) =>
    JSON.stringify(
      [...view].filter(([, socket]) =>
        ports.includes(Number(socket.key.split("/").at(-1))) &&
        socket.pids.some((pid) => pids.includes(pid))
      ).sort(([a], [b]) => a - b),
    );
  const ss = own(await ssSocketsByInode());
  const portset = own(portsetView(collect()));
  assert.equal(portset, ss, "portset and ss see the test's sockets alike");
  const count = JSON.parse(portset).length;
  assert.equal(count, shared ? 6 : 5, `listener, both ends, UDP, child, shared: ${portset}`);
  if (shared) {
    const [parent, forked] = shared.ready.pids!;
    assert.ok(portset.includes(`"pids":${JSON.stringify([parent, forked].sort((a, b) => a - b))}`));
  }
});

Deno.test("reuseOwners: later snapshots still see new sockets, new processes and exits, with owners", async () => {
  const repeated = await LinuxCollector.open();
  try {
    repeated.collect({ reuseOwners: true });
    using sockets = new TestSockets();
    const mine = sockets.tcpListen("127.0.0.64");
    const second = repeated.collect({ reuseOwners: true });
    assertMine(only(find(second, "tcp", "127.0.0.64", mine.port), "new socket"), "new socket");

    const child = await startDenoListener("127.0.0.64");
    const third = repeated.collect({ reuseOwners: true });
    assert.equal(
      only(find(third, "tcp", "127.0.0.64", child.ready.port), "child's").pid,
      child.pid,
    );
    assertMine(only(find(third, "tcp", "127.0.0.64", mine.port), "reused"), "reused");

    await child.close();
    const fourth = repeated.collect({ reuseOwners: true });
    assert.deepEqual(
      find(fourth, "tcp", "127.0.0.64", child.ready.port),
      [],
      "the child's listener is gone",
    );
    assert.equal(fourth.processes.has(child.pid), false, "and so is the child");
  } finally {
    repeated.close();
  }
});
