/** rules/changes.ts: events from two looks at a rule's entities. */

import assert from "node:assert/strict";
import { compareEntities, type RememberedEntity } from "../rules/changes.ts";
import { ATTRIBUTE_NAMES, type AttributeName } from "../rules/rule.ts";

const context = { rule: "rule.xml", time: "2026-11-22T00:00:00.000Z", host: "h" };

function entity(
  key: string,
  pid: number | null,
  monitored: readonly AttributeName[] = ATTRIBUTE_NAMES,
) {
  return {
    key,
    attributes: {
      Created: null,
      Listeners: null,
      Path: "/bin/x",
      Process: "x",
      ProcessId: pid,
      User: "root",
    },
    monitored,
    onChange: false,
  };
}

Deno.test("Created, Updated and Deleted, in key order, with old and new values", () => {
  const before: RememberedEntity[] = [
    entity("tcp/a/1", 10),
    entity("tcp/b/2", 20),
    entity("tcp/c/3", 30),
  ];
  const events = compareEntities(before, [
    entity("tcp/b/2", 21),
    entity("tcp/c/3", 30),
    entity("tcp/d/4", 40),
  ], context);
  assert.deepEqual(events.map((e) => [e.change, e.key]), [
    ["Deleted", "tcp/a/1"],
    ["Updated", "tcp/b/2"],
    ["Created", "tcp/d/4"],
  ]);
  assert.deepEqual(events[1].previous?.attributes, { ProcessId: 20 }, "the old value of each");
  assert.equal(events[1].attributes.ProcessId, 21, "beside the new one");
  assert.equal(events[0].attributes.ProcessId, 10, "Deleted carries the attributes as last seen");
  assert.deepEqual({ ...events[2], attributes: undefined }, {
    change: "Created",
    key: "tcp/d/4",
    namespace: null,
    protocol: "tcp",
    localAddress: "d",
    localPort: 4,
    entityType: "PortSet",
    ...context,
    pid: 40,
    process: "x",
    path: "/bin/x",
    user: "root",
    attributes: undefined,
  });
  assert.equal(events[1].previous?.pid, 20, "the owner as it was");
});

Deno.test("only monitored attributes count, and only they are reported", () => {
  const events = compareEntities(
    [entity("tcp/a/1", 10)],
    [entity("tcp/a/1", 11, ["User"])],
    context,
  );
  assert.deepEqual(events, []);
  const created = compareEntities([], [entity("tcp/a/1", 11, ["User", "Listeners"])], context);
  assert.deepEqual(created[0].attributes, { Listeners: null, User: "root" });
});
