/** PortSet entities from real sockets: one per key, listeners counted, connected UDP left out. */

import assert from "node:assert/strict";
import { LinuxCollector } from "../collectors/linux/mod.ts";
import { compareKeys } from "../model/order.ts";
import { compareEntityIds, portSetEntities } from "../rules/entities.ts";
import { isRoot } from "./support/processes.ts";
import { TestSockets } from "./support/sockets.ts";

Deno.test("listening ports become entities with the six attributes", async () => {
  using sockets = new TestSockets();
  const single = sockets.tcpListen("127.0.0.200");
  const group = sockets.tcpListen("127.0.0.20", 0, { reusePort: true });
  sockets.tcpListen("127.0.0.20", group.port, { reusePort: true });
  sockets.tcpListen("127.0.0.20", group.port, { reusePort: true });
  const bound = sockets.udp("::1");
  const connected = sockets.udp("127.0.0.29", 0, { address: "127.0.0.29", port: bound.port });
  const established = sockets.tcpConnect("127.0.0.200", single.port);

  const collector = await LinuxCollector.open();
  const all = portSetEntities(collector.collect().endpoints);
  collector.close();
  // This namespace's: other namespaces (other tests', containers') may listen on any key.
  const entities = all.filter((entity) => entity.namespace === null);
  assert.deepEqual(all.slice(0, entities.length), entities, "this namespace's entities first");
  assert.deepEqual(all, [...all].sort(compareEntityIds), "then each other namespace's");
  const byKey = new Map(entities.map((entity) => [entity.key, entity.attributes]));

  const user = isRoot() ? "root" : byKey.get(`tcp/127.0.0.200/${single.port}`)?.User;
  assert.deepEqual(byKey.get(`tcp/127.0.0.200/${single.port}`), {
    Created: null,
    Listeners: null,
    Path: Deno.execPath(),
    Process: "deno",
    ProcessId: Deno.pid,
    User: user,
  });
  assert.equal(byKey.get(`tcp/127.0.0.20/${group.port}`)?.Listeners, 3);
  assert.equal(byKey.get(`udp6/::1/${bound.port}`)?.ProcessId, Deno.pid);
  assert.equal(
    byKey.has(`udp/127.0.0.29/${connected.port}`),
    false,
    "connected UDP is no listening port",
  );
  assert.equal(
    byKey.has(`tcp/127.0.0.200/${established.port}`),
    false,
    "a connection is no listening port",
  );
  assert.equal(new Set(entities.map((e) => e.key)).size, entities.length, "one entity per key");
  assert.deepEqual(
    entities.map((e) => e.key),
    [...entities.map((e) => e.key)].sort(compareKeys),
    "in natural order: protocol, address by its bytes, port by number",
  );
});
