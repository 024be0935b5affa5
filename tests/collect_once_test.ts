/**
 * LinuxCollector.collectOnce, the one-shot snapshot whose sock_diag dump runs on Deno's blocking
 * pool while the /proc fd scan runs here (sock_diag_background.ts): it must list what collect()
 * lists, however the dump's replies fit its buffers.
 */

import assert from "node:assert/strict";
import { loadLibc } from "../collectors/linux/ffi.ts";
import { LinuxCollector } from "../collectors/linux/mod.ts";
import { SockDiag } from "../collectors/linux/sock_diag.ts";
import {
  BackgroundDump,
  expectedCounts,
  READ_HERE_MAX,
} from "../collectors/linux/sock_diag_background.ts";
import type { Endpoint } from "../model/endpoint.ts";
import { TestSockets } from "./support/sockets.ts";

/** The endpoints of the sockets this process holds, as comparable text, by inode. */
function mine(endpoints: readonly Endpoint[], inodes: Set<number>): string[] {
  return endpoints.filter((endpoint) => endpoint.inode !== null && inodes.has(endpoint.inode))
    .map((endpoint) => JSON.stringify(endpoint)).sort();
}

Deno.test("collectOnce lists the test's sockets exactly as collect() does, owners included", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.1");
  sockets.tcpListen("::1");
  sockets.tcpConnect("127.0.0.1", listener.port);
  sockets.accept(listener.fd);
  sockets.udp("127.0.0.1");
  sockets.udp("::1");
  const collector = await LinuxCollector.open();
  try {
    const once = await collector.collectOnce();
    const again = collector.collect();
    const inodes = new Set(
      again.endpoints.filter((endpoint) => endpoint.pid === Deno.pid).map((e) => e.inode!),
    );
    assert.equal(inodes.size, 6, "the test's six sockets");
    assert.deepEqual(mine(once.endpoints, inodes), mine(again.endpoints, inodes));
    assert.equal(once.source, "netlink");
    assert.deepEqual(once.warnings, []);
  } finally {
    collector.close();
  }
});

/** Receives counted: on the pool (recvmmsg) and on this thread (recv). */
interface Receives {
  pool: number;
  here: number;
}

/** libc whose receives are counted into `receives`. */
function countingReceives(receives: Receives): ReturnType<typeof loadLibc> {
  const libc = loadLibc();
  return {
    ...libc,
    recvmmsg_async: (...args: Parameters<typeof libc.recvmmsg_async>) => {
      receives.pool++;
      return libc.recvmmsg_async(...args);
    },
    recv: (...args: Parameters<typeof libc.recv>) => {
      receives.here++;
      return libc.recv(...args);
    },
  } as typeof libc;
}

/**
 * Runs a background dump expecting `expected` sockets of each dump, and checks that it lists
 * every one of `ports`' listeners and as many sockets of each protocol as a dump made on this
 * thread; returns how many receives were made on the pool and on this thread.
 */
async function dumpInBackground(ports: Set<number>, expected: number): Promise<Receives> {
  const receives = { pool: 0, here: 0 };
  const libc = countingReceives(receives);
  const background = BackgroundDump.start(libc, [expected, expected, expected]);
  const listed = new Set<number>();
  const protocols = new Map<number, number>();
  try {
    await background.receive();
    await background.forEachSocket(String, (protocol, socket) => {
      protocols.set(protocol, (protocols.get(protocol) ?? 0) + 1);
      if (socket.localAddress === "127.0.0.1") listed.add(socket.localPort);
    });
  } finally {
    background.close();
  }
  for (const port of ports) assert.ok(listed.has(port), `listener on ${port}`);
  const diag = new SockDiag(libc);
  try {
    // As many sockets of each protocol as a dump on this thread, give or take the host's own
    // comings and goings.
    const here = new Map<number, number>();
    for (const { protocol, sockets } of diag.dumpAll(String)) {
      here.set(protocol, (here.get(protocol) ?? 0) + sockets.length);
    }
    for (const [protocol, count] of here) {
      assert.ok(Math.abs((protocols.get(protocol) ?? 0) - count) < 50, `protocol ${protocol}`);
    }
  } finally {
    diag.close();
  }
  return receives;
}

Deno.test("a background dump whose replies outgrow its buffers reads the rest itself", async () => {
  using sockets = new TestSockets();
  // An expected count just above the read-here limit allots each dump three slots, each of which
  // holds one kernel message; the first message holds some 4 KiB of replies (about 30 sockets),
  // so 600 listeners' replies take more messages than that.
  const ports = new Set<number>();
  for (let i = 0; i < 600; i++) ports.add(sockets.tcpListen("127.0.0.1").port);
  const receives = await dumpInBackground(ports, READ_HERE_MAX + 1);
  assert.equal(receives.pool, 3, "each dump's replies gathered on the pool first");
  assert.ok(receives.here > 0, "the rest read on this thread");
});

Deno.test("a dump expected to list few sockets is read on this thread, however many it lists", async () => {
  using sockets = new TestSockets();
  // More than the first kernel message holds (some 30), so that reading them takes several
  // receives here, the kernel making the later messages in them.
  const ports = new Set<number>();
  for (let i = 0; i < 200; i++) ports.add(sockets.tcpListen("127.0.0.1").port);
  const receives = await dumpInBackground(ports, READ_HERE_MAX);
  assert.equal(receives.pool, 0, "no receive on the pool");
  assert.ok(
    receives.here > 3,
    `several receives here, one at least for each dump: ${receives.here}`,
  );
});

Deno.test("expectedCounts reads TCP's sockets and TIME_WAITs and UDP's of each family", () => {
  const root = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(
      `${root}/sockstat`,
      "sockets: used 16175\nTCP: inuse 8058 orphan 0 tw 629 alloc 11260 mem 346\n" +
        "UDP: inuse 3268 mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n",
    );
    Deno.writeTextFileSync(
      `${root}/sockstat6`,
      "TCP6: inuse 3201\nUDP6: inuse 1600\nUDPLITE6: inuse 0\nRAW6: inuse 0\n",
    );
    assert.deepEqual(expectedCounts(root), [11260 + 629, 3268, 1600]);
    Deno.removeSync(`${root}/sockstat6`);
    assert.equal(expectedCounts(root), null);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
