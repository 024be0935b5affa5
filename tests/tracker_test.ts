/** monitor/tracker.ts: every kind of change, on endpoints made by hand. */

import assert from "node:assert/strict";
import { SocketTracker } from "../monitor/tracker.ts";
import { makeEndpoint } from "./support/endpoints.ts";

const listener = makeEndpoint({ localPort: 80, inode: 1, pid: 10 });
const twin = makeEndpoint({ localPort: 80, inode: 2, pid: 10 }); // SO_REUSEPORT: same local end
const udp = makeEndpoint({ protocol: "udp", localPort: 53, state: null, inode: 3, pid: 11 });
const connection = makeEndpoint({
  localPort: 80,
  remoteAddress: "10.0.0.9",
  remotePort: 40000,
  state: "ESTABLISHED",
  inode: 4,
  pid: 10,
});

Deno.test("appearances: listen, bind, connect; nothing reported for the starting point", () => {
  const tracker = new SocketTracker();
  tracker.reset([listener]);
  const changes = tracker.update([listener, twin, udp, connection]);
  assert.deepEqual(changes.map((c) => [c.kind, c.endpoint.inode]), [
    ["listen", 2],
    ["bind", 3],
    ["connect", 4],
  ]);
  assert.deepEqual(tracker.update([listener, twin, udp, connection]), [], "no change, no event");
});

Deno.test("state changes, owner changes and closes", () => {
  const tracker = new SocketTracker();
  tracker.reset([listener, udp, connection]);
  const closing = { ...connection, state: "CLOSE_WAIT" as const };
  const adopted = { ...udp, pid: 12, process: "other" };
  const changes = tracker.update([closing, adopted]);
  assert.deepEqual(changes.map((c) => c.kind), ["state", "owner", "close"]);
  assert.equal(changes[0].previous?.state, "ESTABLISHED");
  assert.equal(changes[0].endpoint.state, "CLOSE_WAIT");
  assert.equal(changes[1].previous?.pid, 11);
  assert.equal(changes[2].endpoint.inode, 1, "the listener is gone");
});

Deno.test("a connection's identity is its two ends: the inode going (TIME_WAIT) is a state change", () => {
  const tracker = new SocketTracker();
  tracker.reset([connection]);
  const timeWait = {
    ...connection,
    state: "TIME_WAIT" as const,
    inode: null,
    pid: null,
    process: null,
  };
  assert.deepEqual(tracker.update([timeWait]).map((c) => c.kind), ["state"]);
});

Deno.test("a socket destroyed between looks, never seen, is reported as appearing and closing", () => {
  const tracker = new SocketTracker();
  tracker.reset([listener]);
  const brief = { ...listener, localPort: 81, state: "CLOSED" as const, inode: null, pid: null };
  const briefUdp = { ...udp, localPort: 54, inode: null, pid: null };
  // Two brief listeners on port 81 within one interval (the port reused) are two sockets.
  const changes = tracker.update([listener], [
    brief,
    briefUdp,
    { ...listener, state: "CLOSED" },
    brief,
  ]);
  assert.deepEqual(
    changes.map((c) => [c.kind, c.endpoint.localPort, c.endpoint.state, c.betweenLooks]),
    [
      ["listen", 81, "LISTENING", true],
      ["close", 81, "CLOSED", true],
      ["bind", 54, null, true],
      ["close", 54, null, true],
      ["listen", 81, "LISTENING", true],
      ["close", 81, "CLOSED", true],
    ],
    "the listener the snapshot still holds adds nothing",
  );
});

Deno.test("a namespace named mid-run: another's sockets close and open under its new name, the current one's do not", () => {
  const host = { inode: 4026531840, current: true, name: null, container: null };
  const other = { inode: 4026532100, current: false, name: null, container: null };
  const before = [
    makeEndpoint({ localPort: 22, netns: host }),
    makeEndpoint({ localPort: 80, netns: other }),
  ];
  const tracker = new SocketTracker();
  tracker.reset(before);
  // Both named (ip netns attach): the current namespace's name shows nowhere, the other's is its
  // label from now on.
  const after = [
    makeEndpoint({ localPort: 22, netns: { ...host, name: "host" } }),
    makeEndpoint({ localPort: 80, netns: { ...other, name: "web" } }),
  ];
  const changes = tracker.update(after);
  assert.deepEqual(
    changes.map((change) =>
      `${change.kind} ${change.endpoint.localPort} ${change.endpoint.netns?.name}`
    ),
    ["listen 80 web", "close 80 null"],
  );
});
