/** rules/select.ts on entities made by hand: the decisions that real sockets cannot easily show. */

import assert from "node:assert/strict";
import type { PortSetEntity } from "../rules/entities.ts";
import { loadXmlParser, parseRule } from "../rules/parser.ts";

await loadXmlParser();
import type { Rule } from "../rules/rule.ts";
import { selectEntities } from "../rules/select.ts";

function rule(text: string, platformCaseSensitive = true): Rule {
  return {
    path: "rule.xml",
    digest: "sha256:x",
    sets: parseRule(text, "rule.xml", { platformCaseSensitive }),
  };
}

function entity(key: string, attributes: Partial<PortSetEntity["attributes"]> = {}): PortSetEntity {
  return {
    key,
    attributes: {
      Created: null,
      Listeners: null,
      Path: null,
      Process: null,
      ProcessId: null,
      User: null,
      ...attributes,
    },
  };
}

const keys = (text: string, entities: PortSetEntity[], sensitive = true) =>
  selectEntities(rule(text, sensitive), entities).map((e) => e.key);

Deno.test("a test against an attribute with no value does not match, in include or exclude", () => {
  const owned = entity("tcp/10.0.0.1/22", { Path: "/usr/sbin/sshd", User: "root" });
  const unowned = entity("tcp/10.0.0.1/23");
  assert.deepEqual(keys(`<PortSet><include path="*"/></PortSet>`, [owned, unowned]), [owned.key]);
  assert.deepEqual(keys(`<PortSet><exclude path="*"/></PortSet>`, [owned, unowned]), [unowned.key]);
  assert.deepEqual(keys(`<PortSet><include user="*" key="*"/></PortSet>`, [owned, unowned]), [
    owned.key,
  ]);
});

Deno.test("Windows: platform case rules are insensitive; backslash paths match as written", () => {
  const iis = entity("tcp/0.0.0.0/80", {
    Path: "C:\\Windows\\System32\\inetsrv\\inetinfo.exe",
    Process: "InetInfo.exe",
  });
  const text = `<PortSet><include path="*\\system32\\inetsrv\\inetinfo.exe"/></PortSet>`;
  assert.deepEqual(keys(text, [iis], false), [iis.key], "platform = insensitive on Windows");
  assert.deepEqual(keys(text, [iis], true), [], "sensitive elsewhere");
  assert.deepEqual(keys(`<PortSet><include process="inetinfo.EXE"/></PortSet>`, [iis], false), [
    iis.key,
  ]);
  assert.deepEqual(
    keys(`<PortSet><include path="*/system32/*"/></PortSet>`, [iis], false),
    [],
    "no separator normalisation",
  );
});

Deno.test("monitored attributes are the union over the sets that select an entity; onChange from any", () => {
  const text = `<r>
    <PortSet><include key="tcp/*"/><attributes><User/></attributes></PortSet>
    <PortSet onChange="true"><include key="*/22"/><attributes><ProcessId/></attributes></PortSet>
  </r>`;
  const selected = selectEntities(rule(text), [
    entity("tcp/0.0.0.0/22"),
    entity("tcp/0.0.0.0/80"),
    entity("udp/0.0.0.0/53"),
  ]);
  assert.deepEqual(selected.map((e) => [e.key, e.monitored, e.onChange]), [
    ["tcp/0.0.0.0/22", ["ProcessId", "User"], true],
    ["tcp/0.0.0.0/80", ["User"], false],
  ]);
});
