import assert from "node:assert/strict";
import {
  defaultInterests,
  firstMatch,
  InterestsError,
  parseInterests,
} from "../report/interests.ts";

Deno.test("the defaults flag classic backdoor ports, tools and places", () => {
  const interests = defaultInterests();
  assert.equal(interests.source, "defaults");
  assert.ok(interests.ports.has("TCP 4444"));
  assert.ok(interests.ports.has("UDP 31337") && interests.ports.has("TCP 31337"));
  assert.ok(!interests.ports.has("UDP 4444"));
  assert.ok(firstMatch(interests.processes, "NC.EXE"), "names match in any case");
  assert.ok(!firstMatch(interests.processes, "ncurses-demo"));
  assert.ok(firstMatch(interests.suspiciousPaths, "/usr/sbin/sshd (deleted)"));
  const windows = interests.expectedDirectories.get("svchost.exe")!;
  assert.ok(firstMatch(windows, "C:\\WINDOWS\\system32"));
  assert.ok(!firstMatch(windows, "C:\\Users\\bob\\AppData\\Local\\Temp"));
});

Deno.test("an interests file adds to the defaults key by key, or replaces them", () => {
  const added = parseInterests(
    JSON.stringify({
      ports: ["udp/5353", 8443],
      processes: ["evil*"],
      expectedDirectories: { myd: ["/opt/myd/bin"] },
    }),
    "i.json",
  );
  assert.equal(added.source, "i.json");
  assert.ok(
    added.ports.has("UDP 5353") && added.ports.has("TCP 8443") && added.ports.has("TCP 4444"),
  );
  assert.ok(firstMatch(added.processes, "evil-twin") && firstMatch(added.processes, "socat"));
  assert.ok(added.expectedDirectories.has("myd") && added.expectedDirectories.has("sshd"));
  const only = parseInterests(JSON.stringify({ defaults: false, ports: [22] }), "only.json");
  assert.deepEqual([...only.ports], ["TCP 22", "UDP 22"]);
  assert.equal(only.processes.length, 0);
  assert.equal(only.expectedDirectories.size, 0);
});

Deno.test("a bad interests file is one clear error naming the file", () => {
  const cases: [string, RegExp][] = [
    ["{", /^i\.json: not valid JSON/],
    ["[]", /^i\.json: expected a JSON object/],
    ['{"port": [1]}', /^i\.json: unknown key 'port'; expected one of/],
    ['{"ports": [70000]}', /^i\.json: '70000' is not a port/],
    ['{"ports": ["sctp/9"]}', /^i\.json: 'sctp\/9' is not a port/],
    ['{"processes": "nc"}', /^i\.json: 'processes' must be an array of strings/],
    ['{"expectedDirectories": {"sshd": "/usr/sbin"}}', /^i\.json: 'expectedDirectories' must be/],
    ['{"defaults": "no"}', /^i\.json: 'defaults' must be true or false/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseInterests(text, "i.json"), (error: Error) => {
      assert.ok(error instanceof InterestsError);
      assert.match(error.message, message);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});
