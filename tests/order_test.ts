/**
 * model/order.ts: addresses by their bytes, keys by protocol, address and port number, and the
 * packed-key sort giving exactly the comparator's order.
 */

import assert from "node:assert/strict";
import { parseIpAddress } from "../model/address.ts";
import type { Endpoint, Protocol } from "../model/endpoint.ts";
import { compareAddresses, compareEndpoints, compareKeys, sortEndpoints } from "../model/order.ts";
import { makeEndpoint } from "./support/endpoints.ts";

function endpoint(
  protocol: Protocol,
  localAddress: string,
  localPort: number,
  remote?: [string, number],
): Endpoint {
  return makeEndpoint({
    protocol,
    localAddress,
    localPort,
    remoteAddress: remote?.[0] ?? null,
    remotePort: remote?.[1] ?? null,
  });
}

Deno.test("compareAddresses orders IPv4 before IPv6, each by its bytes, not by its text", () => {
  const sorted = [
    "::ffff:127.0.0.1",
    "127.14.207.100",
    "fe80::1%eth1",
    "*",
    "127.14.207.2",
    "2001:db8::1",
    "::1",
    "72.0.0.1",
    "fe80::1%eth0",
    "10.0.0.1",
    "::",
    "0.0.0.0",
    "::2:0:0",
    "ff02::fb",
  ].sort(compareAddresses);
  assert.deepEqual(sorted, [
    "0.0.0.0",
    "10.0.0.1",
    "72.0.0.1",
    "127.14.207.2",
    "127.14.207.100",
    "::",
    "::1",
    "::2:0:0",
    "::ffff:127.0.0.1",
    "2001:db8::1",
    "fe80::1%eth0",
    "fe80::1%eth1",
    "ff02::fb",
    "*",
  ]);
  assert.equal(compareAddresses("127.0.0.1", "127.0.0.1"), 0);
  assert.equal(compareAddresses("::1", "0:0:0:0:0:0:0:1"), 0, "two spellings of one address");
});

Deno.test("compareAddresses agrees with the addresses' bytes on random addresses", () => {
  let seed = 5;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const address = () => {
    if (random(2)) return `${random(256)}.${random(256)}.${random(3)}.${random(256)}`;
    const words = Array.from({ length: 8 }, () => (random(3) ? random(3) : random(65536)));
    const text = words.map((word) => word.toString(16)).join(":");
    // Some with the longest run of zeros written `::`, as inet_ntop writes it.
    return random(2) ? text.replace(/(^|:)0(:0)+(:|$)/, "::") : text;
  };
  // The bytes as a reference: family first (IPv4 ranks before IPv6), then each byte.
  const bytes = (text: string) => {
    const parsed = parseIpAddress(text)!;
    return [parsed.family, ...parsed.bytes];
  };
  for (let i = 0; i < 5000; i++) {
    const a = address(), b = address();
    const [x, y] = [bytes(a), bytes(b)];
    const expected = x.findIndex((value, j) => value !== y[j]);
    const sign = expected < 0 ? 0 : Math.sign(x[expected] - y[expected]);
    assert.equal(Math.sign(compareAddresses(a, b)), sign, `${a} vs ${b}`);
  }
});

Deno.test("compareKeys orders PortSet keys by protocol, address bytes, then port number", () => {
  const sorted = [
    "udp/0.0.0.0/53",
    "tcp/0.0.0.0/110",
    "tcp6/::1/80",
    "tcp/127.0.0.100/22",
    "tcp/0.0.0.0/21",
    "tcp/127.0.0.2/22",
    "udp6/::/5353",
    "tcp/72.0.0.1/8080",
    "not a key",
  ].sort(compareKeys);
  assert.deepEqual(sorted, [
    "tcp/0.0.0.0/21",
    "tcp/0.0.0.0/110",
    "tcp/72.0.0.1/8080",
    "tcp/127.0.0.2/22",
    "tcp/127.0.0.100/22",
    "tcp6/::1/80",
    "udp/0.0.0.0/53",
    "udp6/::/5353",
    "not a key",
  ]);
});

Deno.test("sortEndpoints orders by protocol, port, address, then peer, addresses by bytes", () => {
  const sorted = sortEndpoints([
    endpoint("udp6", "::1", 53),
    endpoint("tcp", "127.0.0.2", 80),
    endpoint("tcp", "127.0.0.1", 80, ["127.0.0.1", 40000]),
    endpoint("tcp", "127.0.0.1", 80),
    endpoint("tcp", "127.0.0.1", 80, ["127.0.0.1", 39999]),
    endpoint("tcp", "127.0.0.1", 80, ["72.0.0.1", 50000]),
    endpoint("tcp", "127.0.0.10", 80),
    endpoint("tcp6", "::", 22),
    endpoint("tcp", "0.0.0.0", 65535),
    endpoint("tcp", "0.0.0.0", 0),
  ]);
  assert.deepEqual(
    sorted.map((e) => `${e.protocol} ${e.localAddress}:${e.localPort} ${e.remotePort}`),
    [
      "tcp 0.0.0.0:0 null",
      "tcp 127.0.0.1:80 null",
      "tcp 127.0.0.1:80 50000",
      "tcp 127.0.0.1:80 39999",
      "tcp 127.0.0.1:80 40000",
      "tcp 127.0.0.2:80 null",
      "tcp 127.0.0.10:80 null",
      "tcp 0.0.0.0:65535 null",
      "tcp6 :::22 null",
      "udp6 ::1:53 null",
    ],
  );
});

Deno.test("sortEndpoints agrees with a comparison sort on random endpoints", () => {
  const protocols: Protocol[] = ["tcp", "tcp6", "udp", "udp6"];
  let seed = 7;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let round = 0; round < 20; round++) {
    const endpoints = Array.from({ length: 500 }, () =>
      endpoint(
        protocols[random(4)],
        `127.0.0.${random(4) * 50}`,
        random(3) === 0 ? 80 : random(65536),
        random(2) ? [`10.0.0.${random(3) * 9}`, random(5)] : undefined,
      ));
    const expected = [...endpoints].sort(compareEndpoints);
    assert.deepEqual(sortEndpoints(endpoints), expected);
  }
});

Deno.test("sortEndpoints agrees with a comparison sort where many endpoints share a port", () => {
  const protocols: Protocol[] = ["tcp", "tcp6", "udp", "udp6"];
  let seed = 11;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let round = 0; round < 20; round++) {
    // Few ports: runs of every length, from pairs sorted in place to long ones sorted whole.
    const endpoints = Array.from({ length: 300 + round * 50 }, () =>
      endpoint(
        protocols[random(4)],
        random(4) ? `127.0.${random(2) * 10}.${random(3) * 50}` : `::${random(3) * 10}`,
        random(1 + round * 3),
        random(3) ? [`${random(2) ? 10 : 9}.0.0.${random(3)}`, random(4)] : undefined,
      ));
    const expected = [...endpoints].sort(compareEndpoints);
    assert.deepEqual(sortEndpoints(endpoints), expected);
  }
});

Deno.test("sortEndpoints keeps equal endpoints in the order they came", () => {
  const first = endpoint("udp", "0.0.0.0", 5353);
  const second = endpoint("udp", "0.0.0.0", 5353);
  const third = endpoint("udp", "0.0.0.0", 5353);
  const sorted = sortEndpoints([first, endpoint("tcp", "0.0.0.0", 9), second, third]);
  assert.ok(sorted[1] === first && sorted[2] === second && sorted[3] === third);
  assert.deepEqual(sortEndpoints([]), []);
});

Deno.test("sortEndpoints lists the current namespace's endpoints first, then each other's", () => {
  const current = { inode: 4026531840, name: null, container: null, current: true };
  const blue = { inode: 4026532300, name: "blue", container: null, current: false };
  const docker = {
    inode: 4026532200,
    name: null,
    container: { runtime: "docker", id: "4f2a9c1b7d3e".padEnd(64, "0") },
    current: false,
  };
  const namespaces = [blue, docker, current];
  let seed = 5;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  const endpoints = Array.from({ length: 400 }, () => ({
    ...endpoint(random(2) ? "tcp" : "udp", "127.0.0.1", random(50)),
    netns: namespaces[random(3)],
  }));
  const expected = [...endpoints].sort(compareEndpoints);
  // Grouped by namespace in order, as collectors add them (each stretch sorted where it lies);
  // grouped out of order; one namespace in two stretches; mixed: every way ends the same.
  const inOrder = [current, blue, docker].flatMap((ns) => endpoints.filter((e) => e.netns === ns));
  const outOfOrder = [docker, current, blue].flatMap((ns) =>
    endpoints.filter((e) => e.netns === ns)
  );
  const split = [...inOrder.slice(300), ...inOrder.slice(0, 300)];
  for (
    const [name, input] of [["in order", inOrder], ["out of order", outOfOrder], ["split", split]]
  ) {
    assert.deepEqual(
      sortEndpoints([...input as typeof endpoints]),
      [...input as typeof endpoints].sort(compareEndpoints),
      name as string,
    );
  }
  const sorted = sortEndpoints(endpoints);
  assert.deepEqual(sorted, expected);
  // blue before docker:4f2a9c1b7d3e: by label, after the current one.
  const order = [...new Set(sorted.map((e) => e.netns))];
  assert.deepEqual(order, [current, blue, docker]);
});
