/** model/order.ts: the packed-key sort must give exactly the comparator's order. */

import assert from "node:assert/strict";
import type { Endpoint, Protocol } from "../model/endpoint.ts";
import { compareEndpoints, sortEndpoints } from "../model/order.ts";
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

Deno.test("sortEndpoints orders by protocol, port, address, then peer", () => {
  const sorted = sortEndpoints([
    endpoint("udp6", "::1", 53),
    endpoint("tcp", "127.0.0.2", 80),
    endpoint("tcp", "127.0.0.1", 80, ["127.0.0.1", 40000]),
    endpoint("tcp", "127.0.0.1", 80),
    endpoint("tcp", "127.0.0.1", 80, ["127.0.0.1", 39999]),
    endpoint("tcp6", "::", 22),
    endpoint("tcp", "0.0.0.0", 65535),
    endpoint("tcp", "0.0.0.0", 0),
  ]);
  assert.deepEqual(
    sorted.map((e) => `${e.protocol} ${e.localAddress}:${e.localPort} ${e.remotePort}`),
    [
      "tcp 0.0.0.0:0 null",
      "tcp 127.0.0.1:80 null",
      "tcp 127.0.0.1:80 39999",
      "tcp 127.0.0.1:80 40000",
      "tcp 127.0.0.2:80 null",
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
        `127.0.0.${random(4)}`,
        random(3) === 0 ? 80 : random(65536),
        random(2) ? [`10.0.0.${random(3)}`, random(5)] : undefined,
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
        `127.0.${random(2)}.${random(3)}`,
        random(1 + round * 3),
        random(3) ? [`10.0.0.${random(3)}`, random(4)] : undefined,
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
