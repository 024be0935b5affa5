/** outputs/json.ts: the hand-written endpoint JSON must say exactly what the model says. */

import assert from "node:assert/strict";
import type { Endpoint, Snapshot } from "../model/endpoint.ts";
import { endpointJson, formatJson, jsonChunks } from "../outputs/json.ts";

const listener: Endpoint = {
  protocol: "tcp6",
  localAddress: "fe80::1%eth0",
  localPort: 22,
  remoteAddress: null,
  remotePort: null,
  state: "LISTENING",
  pid: 612,
  process: 'odd "name"\\\n',
  path: "/usr/sbin/sshd",
  user: "root",
  inode: 18311,
  socketUid: 0,
  receiveQueue: 0,
  sendQueue: 128,
  interface: "eth0",
  v6only: true,
  created: null,
};

const shared: Endpoint = {
  ...listener,
  protocol: "udp",
  localAddress: "0.0.0.0",
  state: null,
  owners: [
    { pid: 1, process: "systemd", path: "/usr/lib/systemd/systemd", user: "root" },
    { pid: 612, process: "ünïcode", path: null, user: null },
  ],
  interface: null,
  created: "2026-11-22T00:00:00.000Z",
};

/** A scope's interface name may hold any byte but `/`, `:` and white space. */
const oddScope: Endpoint = {
  ...listener,
  localAddress: 'fe80::1%we"ird\\',
  remoteAddress: 'fe80::2%we"ird\\',
  remotePort: 40000,
  state: "ESTABLISHED",
  interface: 'we"ird\\',
};

/** A socket of a container's namespace, whose name needs escaping. */
const inContainer: Endpoint = {
  ...listener,
  netns: {
    inode: 4026532281,
    name: 'we"ird\\',
    container: { runtime: "docker", id: "4f2a9c1b7d3e".padEnd(64, "0") },
    current: false,
  },
};

Deno.test("endpointJson says what JSON.stringify of the model says, plus the key", () => {
  for (const endpoint of [listener, shared, oddScope, inContainer]) {
    const parsed = JSON.parse(endpointJson(endpoint));
    assert.deepEqual(parsed, {
      netns: null,
      ...endpoint,
      key: `${endpoint.protocol}/${endpoint.localAddress}/22`,
    });
    assert.deepEqual(
      Object.keys(parsed).sort(),
      [...new Set([...Object.keys(endpoint), "netns", "key"])].sort(),
      "no field more or less than the model",
    );
  }
});

Deno.test("jsonChunks cuts a large dump into chunks that join into one JSON document", () => {
  const snapshot: Snapshot = {
    host: "h",
    time: "2026-11-22T00:00:00.000Z",
    endpoints: Array.from({ length: 3000 }, (_, i) => ({ ...listener, localPort: i })),
    processes: new Map([[612, {
      pid: 612,
      process: "sshd",
      path: null,
      user: "root",
      uid: 0,
      ppid: 1,
      started: null,
      services: [],
      modules: null,
    }]]),
    warnings: ["a warning"],
    source: "netlink",
  };
  const chunks = [...jsonChunks(snapshot)];
  assert.ok(
    chunks.length > 3,
    `a 3000-endpoint dump comes in several chunks, got ${chunks.length}`,
  );
  const parsed = JSON.parse(formatJson(snapshot));
  assert.equal(parsed.endpoints.length, 3000);
  assert.equal(parsed.endpoints[2999].localPort, 2999);
  assert.deepEqual(parsed.warnings, ["a warning"]);
  assert.equal(parsed.processes[0].process, "sshd");
  assert.equal(formatJson({ ...snapshot, endpoints: [], processes: new Map() }).length > 0, true);
  assert.deepEqual(
    JSON.parse(formatJson({ ...snapshot, endpoints: [], processes: new Map() })).endpoints,
    [],
  );
});

Deno.test("a whole snapshot's JSON equals JSON.stringify of each endpoint, the per-pid cache included", () => {
  // Many endpoints share pids (the writer writes owner fields once per pid); some have none,
  // some several owners.
  const endpoints: Endpoint[] = Array.from({ length: 300 }, (_, i) => ({
    ...listener,
    localPort: 1000 + i,
    pid: i % 7 === 0 ? null : 100 + (i % 5),
    process: i % 7 === 0 ? null : `proc${i % 5}`,
    user: i % 7 === 0 ? `user${i}` : "root",
    ...(i % 11 === 0 ? { owners: shared.owners } : {}),
  }));
  const parsed = JSON.parse(formatJson({
    host: "h",
    time: "t",
    endpoints,
    processes: new Map(),
    warnings: [],
    source: "netlink",
  }));
  assert.deepEqual(
    parsed.endpoints,
    endpoints.map((e) =>
      JSON.parse(
        JSON.stringify({
          netns: null,
          ...e,
          key: `${e.protocol}/${e.localAddress}/${e.localPort}`,
        }),
      )
    ),
  );
});
