/**
 * collectors/linux/proc_net.ts: the /proc/net text tables, decoded into the same records as
 * sock_diag's. The text below is laid out as the kernel prints it (net/ipv4/tcp_ipv4.c,
 * net/ipv6/tcp_ipv6.c, net/ipv4/udp.c, net/ipv6/datagram.c, net/ipv6/addrconf.c), and a live test
 * compares the real tables with what `ss` reads over netlink, for the test's own sockets.
 */

import assert from "node:assert/strict";
import type { Transport } from "../model/endpoint.ts";
import {
  AF_INET,
  AF_INET6,
  type DiagSocket,
  TCP_CLOSE,
  TCP_ESTABLISHED,
  TCP_LISTEN,
} from "../collectors/linux/netlink.ts";
import { parseIfInet6, parseProcNetTable, readProcNet } from "../collectors/linux/proc_net.ts";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The hex /proc/net prints for an address: each 32-bit word of the address as it lies in memory,
 * read as a host-order number and printed `%08X`.
 */
function procHex(bytes: readonly number[]): string {
  let text = "";
  for (let word = 0; word < bytes.length; word += 4) {
    const group = bytes.slice(word, word + 4);
    const ordered = LITTLE_ENDIAN ? group.reverse() : group;
    text += ordered.map((byte) => byte.toString(16).padStart(2, "0").toUpperCase()).join("");
  }
  return text;
}

function v6(words: readonly number[]): number[] {
  return words.flatMap((word) => [word >> 8, word & 0xff]);
}

function port(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, "0");
}

const TCP_HEADER =
  "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
const TCP6_HEADER = "  sl  local_address                         remote_address" +
  "                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
const UDP_HEADER = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt" +
  "   uid  timeout inode ref pointer drops";

/** The fields of a /proc/net line, in the order it prints them. */
type LineFields = [
  slot: number,
  local: string,
  remote: string,
  state: number,
  queues: [number, number],
  uid: number,
  inode: number,
];

/**
 * One /proc/net line: TCP as tcp4_seq_show / tcp6_seq_show print it, UDP as udp4_format_sock /
 * __ip6_dgram_sock_seq_show do (a wider slot column and a shorter tail).
 */
function procNetLine(
  kind: Transport,
  ...[slot, local, remote, state, queues, uid, inode]: LineFields
): string {
  const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, "0");
  const tail = kind === "tcp" ? "1 ffff8e2c4a3b1200 100 0 0 10 0" : "2 ffff8e2c4a3b1200 0";
  return `${String(slot).padStart(kind === "tcp" ? 4 : 5)}: ${local} ${remote} ${
    state.toString(16).toUpperCase().padStart(2, "0")
  } ${hex8(queues[0])}:${hex8(queues[1])} 00:00000000 00000000 ${String(uid).padStart(5)} ` +
    `       0 ${inode} ${tail}`;
}

const tcpLine = (...fields: LineFields) => procNetLine("tcp", ...fields);
const udpLine = (...fields: LineFields) => procNetLine("udp", ...fields);

Deno.test({
  name: "parseProcNetTable reads 0100007F:1F90 as 127.0.0.1:8080 on a little-endian host",
  ignore: !LITTLE_ENDIAN,
  fn() {
    const text = [
      TCP_HEADER,
      "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000003 00:00000000 00000000  1000        0 " +
      "12345 1 0000000000000000 100 0 0 10 0",
      "   1: 0100007F:1F90 0101A8C0:C350 01 00000010:00000020 02:000A1234 00000000  1000        0 " +
      "12346 2 0000000000000000 20 4 30 10 -1",
      "",
    ].join("\n");
    assert.deepEqual(parseProcNetTable(text, AF_INET), [
      {
        family: AF_INET,
        state: TCP_LISTEN,
        localAddress: "127.0.0.1",
        localPort: 8080,
        remoteAddress: "0.0.0.0",
        remotePort: 0,
        interfaceIndex: 0,
        receiveQueue: 3,
        sendQueue: null,
        uid: 1000,
        inode: 12345,
        cookie: null,
        v6only: null,
        protocol: null,
      },
      {
        family: AF_INET,
        state: TCP_ESTABLISHED,
        localAddress: "127.0.0.1",
        localPort: 8080,
        remoteAddress: "192.168.1.1",
        remotePort: 50000,
        interfaceIndex: 0,
        receiveQueue: 0x20,
        sendQueue: 0x10,
        uid: 1000,
        inode: 12346,
        cookie: null,
        v6only: null,
        protocol: null,
      },
    ]);
  },
});

Deno.test({
  name: "parseProcNetTable reads the tcp6 words of ::1 and ::ffff:127.0.0.1 on little endian",
  ignore: !LITTLE_ENDIAN,
  fn() {
    const text = [
      TCP6_HEADER,
      "   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A " +
      "00000000:00000000 00:00000000 00000000     0        0 2345 1 0000000000000000 100 0 0 10 0",
      "   1: 0000000000000000FFFF00000100007F:0050 0000000000000000FFFF00000200000A:D431 01 " +
      "00000000:00000000 00:00000000 00000000    33        0 2346 1 0000000000000000 100 0 0 10 0",
    ].join("\n");
    const sockets = parseProcNetTable(text, AF_INET6);
    assert.deepEqual(
      sockets.map((s) => [s.localAddress, s.localPort, s.remoteAddress, s.remotePort]),
      [
        ["::1", 22, "::", 0],
        ["::ffff:127.0.0.1", 80, "::ffff:10.0.0.2", 54321],
      ],
    );
    assert.deepEqual(sockets.map((s) => [s.family, s.uid, s.inode]), [[AF_INET6, 0, 2345], [
      AF_INET6,
      33,
      2346,
    ]]);
  },
});

Deno.test("parseProcNetTable decodes tcp, tcp6, udp and udp6 in host word order", () => {
  const tcp = [
    TCP_HEADER,
    tcpLine(
      0,
      `${procHex([0, 0, 0, 0])}:${port(22)}`,
      `${procHex([0, 0, 0, 0])}:0000`,
      0x0a,
      [
        0,
        5,
      ],
      0,
      100,
    ),
    tcpLine(
      1,
      `${procHex([10, 20, 30, 40])}:${port(443)}`,
      `${procHex([203, 0, 113, 9])}:${port(61000)}`,
      0x01,
      [0x100, 0x7],
      33,
      101,
    ),
    tcpLine(
      2,
      `${procHex([10, 20, 30, 40])}:${port(443)}`,
      `${procHex([203, 0, 113, 10])}:${port(61001)}`,
      0x06, // TIME_WAIT: the kernel prints inode 0 and uid 0
      [0, 0],
      0,
      0,
    ),
  ].join("\n");
  const tcp6 = [
    TCP6_HEADER,
    tcpLine(
      0,
      `${procHex(v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x10]))}:${port(8443)}`,
      `${procHex(v6([0x2001, 0xdb8, 0, 0, 0, 0, 0xabcd, 0x1]))}:${port(40000)}`,
      0x01,
      [1, 2],
      1000,
      200,
    ),
  ].join("\n");
  const udp = [
    UDP_HEADER,
    udpLine(
      12,
      `${procHex([0, 0, 0, 0])}:${port(68)}`,
      `${procHex([0, 0, 0, 0])}:0000`,
      0x07,
      [
        0,
        0x300,
      ],
      0,
      300,
    ),
    udpLine(
      40,
      `${procHex([127, 0, 0, 53])}:${port(53)}`,
      `${procHex([127, 0, 0, 1])}:${port(5353)}`,
      0x01,
      [0x40, 0],
      101,
      301,
    ),
  ].join("\n");
  const udp6 = [
    UDP_HEADER,
    udpLine(
      7,
      `${procHex(v6([0, 0, 0, 0, 0, 0, 0, 0]))}:${port(546)}`,
      `${procHex(v6([0, 0, 0, 0, 0, 0, 0, 0]))}:0000`,
      0x07,
      [
        0,
        0,
      ],
      0,
      400,
    ),
  ].join("\n");

  const pick = (s: DiagSocket) => [
    s.localAddress,
    s.localPort,
    s.remoteAddress,
    s.remotePort,
    s.state,
    s.sendQueue,
    s.receiveQueue,
    s.uid,
    s.inode,
  ];
  assert.deepEqual(parseProcNetTable(tcp, AF_INET).map(pick), [
    ["0.0.0.0", 22, "0.0.0.0", 0, TCP_LISTEN, null, 5, 0, 100],
    ["10.20.30.40", 443, "203.0.113.9", 61000, TCP_ESTABLISHED, 0x100, 7, 33, 101],
    ["10.20.30.40", 443, "203.0.113.10", 61001, 6, 0, 0, 0, 0],
  ]);
  assert.deepEqual(parseProcNetTable(tcp6, AF_INET6).map(pick), [
    ["2001:db8::10", 8443, "2001:db8::abcd:1", 40000, TCP_ESTABLISHED, 1, 2, 1000, 200],
  ]);
  // UDP sockets are never LISTEN: their send queue is always known.
  assert.deepEqual(parseProcNetTable(udp, AF_INET).map(pick), [
    ["0.0.0.0", 68, "0.0.0.0", 0, TCP_CLOSE, 0, 0x300, 0, 300],
    ["127.0.0.53", 53, "127.0.0.1", 5353, TCP_ESTABLISHED, 0x40, 0, 101, 301],
  ]);
  assert.deepEqual(parseProcNetTable(udp6, AF_INET6).map(pick), [
    ["::", 546, "::", 0, TCP_CLOSE, 0, 0, 0, 400],
  ]);
  for (const socket of parseProcNetTable(tcp6, AF_INET6)) {
    assert.equal(socket.family, AF_INET6);
    assert.equal(socket.cookie, null);
    assert.equal(socket.v6only, null);
    assert.equal(socket.interfaceIndex, 0);
  }
});

const IF_INET6 = [
  "00000000000000000000000000000001 01 80 10 80       lo",
  "fe8000000000000000fc00fffe000001 04 40 20 80     eth0",
  "fd000000000000000000000000000002 04 40 00 82     eth0",
  "fe800000000000001234567890abcdef 05 40 20 80    wlan0",
  "",
].join("\n");

Deno.test("parseIfInet6 maps link-local addresses, and only those, to their interface", () => {
  assert.deepEqual(
    [...parseIfInet6(IF_INET6)],
    [["fe80::fc:ff:fe00:1", "eth0"], ["fe80::1234:5678:90ab:cdef", "wlan0"]],
  );
  assert.equal(parseIfInet6("").size, 0);
  assert.equal(parseIfInet6("fe80 04 40 20 80 eth0\ngarbage\n").size, 0);
});

Deno.test("parseProcNetTable scopes a link-local local address from if_inet6", () => {
  const scopes = parseIfInet6(IF_INET6);
  const eth0 = v6([0xfe80, 0, 0, 0, 0xfc, 0xff, 0xfe00, 1]);
  const peer = v6([0xfe80, 0, 0, 0, 0, 0, 0, 0x99]);
  const global = v6([0xfd00, 0, 0, 0, 0, 0, 0, 2]);
  const unknownLinkLocal = v6([0xfe80, 0, 0, 0, 0, 0, 0, 0x77]);
  const zero = v6([0, 0, 0, 0, 0, 0, 0, 0]);
  const text = [
    TCP6_HEADER,
    tcpLine(0, `${procHex(eth0)}:${port(22)}`, `${procHex(zero)}:0000`, 0x0a, [0, 0], 0, 1),
    tcpLine(
      1,
      `${procHex(eth0)}:${port(22)}`,
      `${procHex(peer)}:${port(50000)}`,
      0x01,
      [0, 0],
      0,
      2,
    ),
    tcpLine(
      2,
      `${procHex(global)}:${port(22)}`,
      `${procHex(peer)}:${port(50001)}`,
      0x01,
      [0, 0],
      0,
      3,
    ),
    tcpLine(
      3,
      `${procHex(unknownLinkLocal)}:${port(22)}`,
      `${procHex(zero)}:0000`,
      0x0a,
      [0, 0],
      0,
      4,
    ),
  ].join("\n");
  assert.deepEqual(
    parseProcNetTable(text, AF_INET6, scopes).map((s) => [s.localAddress, s.remoteAddress]),
    [
      ["fe80::fc:ff:fe00:1%eth0", "::"],
      ["fe80::fc:ff:fe00:1%eth0", "fe80::99%eth0"],
      // A global local address says nothing about the interface of a link-local peer.
      ["fd00::2", "fe80::99"],
      // An address no interface holds (any more) gets no scope.
      ["fe80::77", "::"],
    ],
  );
  // Without the map, nothing is scoped.
  assert.equal(parseProcNetTable(text, AF_INET6)[0].localAddress, "fe80::fc:ff:fe00:1");
});

Deno.test("parseProcNetTable skips the header, blank lines and malformed lines", () => {
  const good = tcpLine(
    0,
    `${procHex([127, 0, 0, 1])}:${port(631)}`,
    `${procHex([0, 0, 0, 0])}:0000`,
    0x0a,
    [0, 0],
    0,
    42,
  );
  const text = [
    TCP_HEADER,
    "",
    "   1: 0100007F:0277 00000000:0000 0A", // cut short
    tcpLine(
      2,
      `${procHex(v6([0, 0, 0, 0, 0, 0, 0, 1]))}:0050`,
      `${procHex(v6([0, 0, 0, 0, 0, 0, 0, 0]))}:0000`,
      0x0a,
      [0, 0],
      0,
      43,
    ), // an IPv6 line in an IPv4 table
    tcpLine(
      3,
      `${procHex([127, 0, 0])}:0050`,
      `${procHex([0, 0, 0, 0])}:0000`,
      0x0a,
      [0, 0],
      0,
      44,
    ), // short address
    good,
    "   \t  ",
  ].join("\n");
  assert.deepEqual(
    parseProcNetTable(text, AF_INET).map((s) => [s.localAddress, s.localPort, s.inode]),
    [
      ["127.0.0.1", 631, 42],
    ],
  );
  // An IPv4 line in an IPv6 table is skipped too.
  assert.deepEqual(parseProcNetTable([TCP6_HEADER, good].join("\n"), AF_INET6), []);
  assert.deepEqual(parseProcNetTable("", AF_INET), []);
  assert.deepEqual(parseProcNetTable(TCP_HEADER, AF_INET), []);
  // The first line is always the header, whatever it holds.
  assert.deepEqual(parseProcNetTable(good, AF_INET), []);
});

Deno.test({
  name: "parseProcNetTable skips lines with non-hex fields or no port",
  fn() {
    const rest = " 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 " +
      "77 1 0000000000000000 100 0 0 10 0";
    for (const local of ["ZZZZZZZZ:QQQQ", "0100007F", "0100007F:"]) {
      const text = [TCP_HEADER, `   0: ${local}${rest}`].join("\n");
      assert.deepEqual(parseProcNetTable(text, AF_INET), [], local);
    }
  },
});

// ---------------------------------------------------------------------------------------------
// The real tables against `ss`, which reads the same sockets over netlink.

const SS_STATES: Record<string, number> = {
  "ESTAB": 1,
  "SYN-SENT": 2,
  "SYN-RECV": 3,
  "FIN-WAIT-1": 4,
  "FIN-WAIT-2": 5,
  "TIME-WAIT": 6,
  "UNCONN": 7,
  "CLOSE-WAIT": 8,
  "LAST-ACK": 9,
  "LISTEN": 10,
  "CLOSING": 11,
};

function haveSs(): boolean {
  if (Deno.build.os !== "linux") return false;
  try {
    return new Deno.Command("ss", { args: ["-V"], stdout: "null", stderr: "null" }).outputSync()
      .success;
  } catch {
    return false;
  }
}

/** `[fe80::1]%eth0:22` / `127.0.0.1:22` / `*:22` as the address text portset uses. */
function ssEndpoint(text: string, family: number): [string, number] {
  const colon = text.lastIndexOf(":");
  let address = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  const scoped = /^\[(.*)\](%.*)?$/.exec(address);
  if (scoped) address = scoped[1] + (scoped[2] ?? "");
  if (address === "*") address = family === AF_INET6 ? "::" : "0.0.0.0";
  return [address, portText === "*" ? 0 : Number(portText)];
}

/** `ss -Hn` lines as sorted `state local remote` strings. */
function ssSockets(protocolFlag: string, family: number): string[] {
  const output = new Deno.Command("ss", {
    args: ["-Hna", protocolFlag, "-f", family === AF_INET6 ? "inet6" : "inet"],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  assert.ok(output.success, new TextDecoder().decode(output.stderr));
  const lines = new TextDecoder().decode(output.stdout).split("\n").filter((l) => l.trim());
  return lines.map((line) => {
    const [state, , , local, remote] = line.trim().split(/\s+/);
    const [la, lp] = ssEndpoint(local, family), [ra, rp] = ssEndpoint(remote, family);
    return `${SS_STATES[state] ?? state} ${la}/${lp} ${ra}/${rp}`;
  }).sort();
}

function procSockets(file: string, family: typeof AF_INET | typeof AF_INET6): string[] {
  let scopes = new Map<string, string>();
  try {
    scopes = parseIfInet6(Deno.readTextFileSync("/proc/net/if_inet6"));
  } catch {
    // no IPv6
  }
  return parseProcNetTable(Deno.readTextFileSync(`/proc/net/${file}`), family, scopes)
    // A pending connection request is SYN_RECV (3) in both.
    .map((s) => `${s.state} ${s.localAddress}/${s.localPort} ${s.remoteAddress}/${s.remotePort}`)
    .sort();
}

/**
 * The two views agree on the test's own sockets, those bound to `locals` (`address/port`): other
 * processes open and close theirs between the two reads. /proc/net's text is read in pieces, and a
 * socket closing meanwhile can make it skip or repeat a line, so a disagreement is read again.
 */
function assertSameAsSs(
  file: string,
  flag: string,
  family: typeof AF_INET | typeof AF_INET6,
  locals: string[],
) {
  const own = (entries: string[]) =>
    entries.filter((entry) => locals.includes(entry.split(" ")[1]));
  let proc: string[] = [], ss: string[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    proc = own(procSockets(file, family));
    ss = own(ssSockets(flag, family));
    if (JSON.stringify(proc) === JSON.stringify(ss)) break;
  }
  assert.deepEqual(proc, ss, `/proc/net/${file} vs ss ${flag}`);
  return proc;
}

function linkLocalAddress(): [string, string] | null {
  try {
    const scopes = parseIfInet6(Deno.readTextFileSync("/proc/net/if_inet6"));
    for (const [address, name] of scopes) {
      if (address.startsWith("fe80:")) return [address, name];
    }
  } catch {
    // no IPv6
  }
  return null;
}

function haveIpv6(): boolean {
  try {
    Deno.statSync("/proc/net/tcp6");
    Deno.listen({ hostname: "::1", port: 0 }).close();
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name:
    "parseProcNetTable of the real /proc/net/tcp6 lists the test's sockets as `ss -tan -f inet6` does",
  ignore: !haveSs() || !haveIpv6(),
  async fn() {
    const listeners: Deno.Listener[] = [];
    const connections: Deno.Conn[] = [];
    try {
      const loopback = Deno.listen({ hostname: "::1", port: 0 });
      listeners.push(loopback);
      const wildcard = Deno.listen({ hostname: "::", port: 0 });
      listeners.push(wildcard);
      const linkLocal = linkLocalAddress();
      let scoped: Deno.Listener | null = null;
      if (linkLocal) {
        try {
          scoped = Deno.listen({ hostname: `${linkLocal[0]}%${linkLocal[1]}`, port: 0 });
          listeners.push(scoped);
        } catch {
          scoped = null; // the address may still be tentative
        }
      }
      const loopbackPort = (loopback.addr as Deno.NetAddr).port;
      const client = await Deno.connect({ hostname: "::1", port: loopbackPort });
      connections.push(client, await loopback.accept());

      const clientPort = (client.localAddr as Deno.NetAddr).port;
      const wildcardPort = (wildcard.addr as Deno.NetAddr).port;
      const locals = [`::1/${loopbackPort}`, `::/${wildcardPort}`, `::1/${clientPort}`];
      if (scoped && linkLocal) {
        locals.push(`${linkLocal[0]}%${linkLocal[1]}/${(scoped.addr as Deno.NetAddr).port}`);
      }
      const sockets = assertSameAsSs("tcp6", "-t", AF_INET6, locals);
      assert.ok(sockets.includes(`10 ::1/${loopbackPort} ::/0`), "our ::1 listener is there");
      assert.ok(sockets.includes(`10 ::/${wildcardPort} ::/0`));
      assert.ok(sockets.includes(`1 ::1/${clientPort} ::1/${loopbackPort}`), "our connection");
      assert.ok(sockets.includes(`1 ::1/${loopbackPort} ::1/${clientPort}`), "its accepted end");
      if (scoped && linkLocal) {
        const entry = `10 ${linkLocal[0]}%${linkLocal[1]}/${
          (scoped.addr as Deno.NetAddr).port
        } ::/0`;
        assert.ok(sockets.includes(entry), `${entry} is listed with its scope`);
      }
    } finally {
      for (const connection of connections) connection.close();
      for (const listener of listeners) listener.close();
    }
  },
});

Deno.test({
  name:
    "parseProcNetTable of the real /proc/net/tcp lists the test's sockets as `ss -tan -f inet` does",
  ignore: !haveSs(),
  async fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    const client = await Deno.connect({ hostname: "127.0.0.1", port });
    const server = await listener.accept();
    try {
      const clientPort = (client.localAddr as Deno.NetAddr).port;
      const sockets = assertSameAsSs("tcp", "-t", AF_INET, [
        `127.0.0.1/${port}`,
        `127.0.0.1/${clientPort}`,
      ]);
      assert.ok(sockets.includes(`10 127.0.0.1/${port} 0.0.0.0/0`));
      assert.ok(sockets.includes(`1 127.0.0.1/${clientPort} 127.0.0.1/${port}`));
    } finally {
      server.close();
      client.close();
      listener.close();
    }
  },
});

Deno.test({
  name: "readProcNet returns tcp, tcp6, udp, udp6 dumps with our listener in the tcp one",
  ignore: Deno.build.os !== "linux",
  fn() {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const dumps = readProcNet();
      assert.deepEqual(dumps.map((d) => d.protocol), [6, 6, 17, 17]);
      const port = (listener.addr as Deno.NetAddr).port;
      const mine = dumps[0].sockets.filter((s) =>
        s.localPort === port && s.localAddress === "127.0.0.1" && s.state === TCP_LISTEN
      );
      assert.equal(mine.length, 1);
      assert.equal(mine[0].localAddress, "127.0.0.1");
      assert.equal(mine[0].uid, Deno.uid());
      assert.ok(mine[0].inode > 0);
      assert.ok(dumps[1].sockets.every((s) => s.family === AF_INET6));
      assert.ok(dumps[2].sockets.every((s) => s.family === AF_INET && s.state !== TCP_LISTEN));
    } finally {
      listener.close();
    }
  },
});
