/**
 * Holds ports and loopback addresses the way a busy host's own services do, so that CI proves
 * the test suite does not depend on them: a dual-stack web server on `[::]:80`, a resolver on
 * `0.0.0.0:53`/UDP, listeners on 127.0.0.0/8 addresses the tests once picked as "spare", and, on
 * random 127.0.0.2–254 addresses, the well-known ports of the protocols portset queries.
 *
 * Like a busy host, it also keeps opening and closing sockets: every 100 ms a listener, a
 * connection to it and a UDP socket, closed again 50 ms later, on each of those former test
 * addresses in turn; so tests meet other processes' sockets coming and going on the addresses
 * they use, and between two reads of the whole socket table.
 *
 * `deno run --allow-net scripts/hold_ports.ts` prints what it holds, then one line `ready`, and
 * keeps everything open until it is killed (`.ci/run` starts it before the tests and stops it
 * after). A port it cannot take is reported and skipped, not fatal: when the host already holds
 * it (EADDRINUSE), the point is made anyway; without root, ports below 1024 are refused (EACCES).
 *
 * @module
 */

import dgram from "node:dgram";
import net from "node:net";
import type { Transport } from "../model/endpoint.ts";

/** One socket to hold. */
interface Hold {
  protocol: Transport;
  address: string;
  /** 0: a port the kernel picks. */
  port: number;
}

/** Addresses in 127.0.0.0/8 that tests used to take for their own (a listener on each). */
const FORMER_TEST_ADDRESSES = [
  2,
  20,
  29,
  31,
  41,
  42,
  50,
  51,
  52,
  53,
  54,
  55,
  56,
  57,
  58,
  59,
  61,
  62,
  63,
  64,
  65,
  66,
  67,
  70,
  71,
  72,
  77,
  78,
  79,
  80,
  81,
  82,
  83,
  84,
  85,
  86,
  87,
  88,
  89,
  200,
];

/** Well-known ports of the queried protocols, each held on a few random loopback addresses. */
const WELL_KNOWN: Hold[] = [
  { protocol: "tcp", address: "", port: 21 },
  { protocol: "tcp", address: "", port: 25 },
  { protocol: "udp", address: "", port: 123 },
  { protocol: "udp", address: "", port: 137 },
  { protocol: "udp", address: "", port: 161 },
  { protocol: "tcp", address: "", port: 389 },
  { protocol: "udp", address: "", port: 389 },
  { protocol: "udp", address: "", port: 1434 },
];

/** Fixed ports tests once listened on, taken on every address. */
const FORMER_TEST_PORTS: Hold[] = [
  { protocol: "tcp", address: "0.0.0.0", port: 8080 },
  { protocol: "tcp", address: "0.0.0.0", port: 8087 },
];

/** How many random addresses hold each well-known port. */
const RANDOM_ADDRESSES_PER_PORT = 4;

function randomLoopback(): string {
  return `127.0.0.${2 + Math.floor(Math.random() * 253)}`;
}

/** Everything to hold, in the order it is opened. */
function plan(): Hold[] {
  const holds: Hold[] = [
    { protocol: "tcp", address: "::", port: 80 },
    { protocol: "udp", address: "0.0.0.0", port: 53 },
  ];
  for (const host of FORMER_TEST_ADDRESSES) {
    holds.push({ protocol: "tcp", address: `127.0.0.${host}`, port: 0 });
    holds.push({ protocol: "udp", address: `127.0.0.${host}`, port: 0 });
  }
  holds.push(...FORMER_TEST_PORTS);
  for (const { protocol, port } of WELL_KNOWN) {
    const addresses = new Set<string>();
    while (addresses.size < RANDOM_ADDRESSES_PER_PORT) addresses.add(randomLoopback());
    for (const address of addresses) holds.push({ protocol, address, port });
  }
  return holds;
}

/** Opens one socket; resolves to the port it holds. Accepted connections are closed at once. */
function open(hold: Hold): Promise<number> {
  if (hold.protocol === "tcp") {
    return new Promise((resolve, reject) => {
      const server = net.createServer((connection) => connection.destroy());
      server.once("error", reject);
      // ipv6Only false: `[::]:80` takes IPv4's port 80 too, as a default web server does.
      server.listen({ host: hold.address, port: hold.port, ipv6Only: false }, () => {
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(hold.address.includes(":") ? "udp6" : "udp4");
    socket.on("message", () => {});
    socket.once("error", reject);
    socket.bind(hold.port, hold.address, () => resolve(socket.address().port));
  });
}

const where = (hold: Hold, port: number | string) =>
  `${hold.protocol} ${hold.address.includes(":") ? `[${hold.address}]` : hold.address}:${port}`;

let churned = 0;

/**
 * Opens a listener, a connection to it and a UDP socket on the next former test address, and
 * closes them 50 ms later.
 */
function churn(): void {
  const address = `127.0.0.${FORMER_TEST_ADDRESSES[churned++ % FORMER_TEST_ADDRESSES.length]}`;
  const server = net.createServer((connection) => connection.on("error", () => {}));
  const udp = dgram.createSocket("udp4");
  server.on("error", () => {});
  udp.on("error", () => {});
  server.listen({ host: address, port: 0 }, () => {
    const { port } = server.address() as net.AddressInfo;
    const client = net.connect({ host: address, port, localAddress: address });
    client.on("error", () => {});
    setTimeout(() => {
      client.destroy();
      server.close();
    }, 50);
  });
  udp.bind(0, address, () => setTimeout(() => udp.close(), 50));
}

let held = 0;
for (const hold of plan()) {
  try {
    const port = await open(hold);
    held++;
    console.log(`holding ${where(hold, port)}`);
  } catch (error) {
    // Taken already (by the host or by an earlier random pick) or not ours to take.
    const code = (error as { code?: string }).code ?? (error as Error).message;
    console.log(`not holding ${where(hold, hold.port || "*")}: ${code}`);
  }
}
console.log(`ready: ${held} sockets held`);
setInterval(churn, 100);
