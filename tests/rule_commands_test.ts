/**
 * `portset scan`, `baseline` and `check` end to end against real listeners on loopback: every
 * example of ../shared/spec/portset-rules.md, each decision, the bad inputs, and the
 * baseline → change → check cycle.
 *
 * Loopback stands in for the vendor's public addresses: 127.0.0.0/8 has every address needed.
 * Other processes may listen on any of them, so a test counts only the listeners it opened
 * itself, and the examples on fixed port 80 run in a network namespace of their own, where
 * nothing else listens.
 */

import assert from "node:assert/strict";
import {
  exists,
  isRoot,
  runCli,
  startDenoListener,
  startPythonHolder,
  SYSTEM_PYTHON,
} from "./support/processes.ts";
import { Namespace, namespaceUnavailable, runCliIn, serve } from "./support/netns.ts";
import { TestSockets } from "./support/sockets.ts";
import { assertValidLines } from "./support/schemas.ts";

/** A temporary directory with the given files, removed after `body`. */
async function withFiles(
  files: Record<string, string>,
  body: (path: (name: string) => string) => Promise<void>,
): Promise<void> {
  const directory = Deno.makeTempDirSync({ prefix: "portset-rules-" });
  try {
    for (const [name, text] of Object.entries(files)) {
      Deno.writeTextFileSync(`${directory}/${name}`, text);
    }
    await body((name) => `${directory}/${name}`);
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
}

interface ScanEntity {
  key: string;
  attributes: Record<string, string | number | null>;
}

/**
 * The keys `scan --json` selects for a rule among `mine`, the keys of the test's own listeners:
 * other processes' listeners, on whatever address, do not count.
 */
async function scanKeys(rule: string, mine: readonly string[]): Promise<string[]> {
  const entities = await scanEntities(rule);
  return entities.map((entity) => entity.key).filter((key) => mine.includes(key)).sort();
}

const noNamespace = namespaceUnavailable();

/**
 * Every key `scan --json` selects for a rule in a network namespace of its own, where
 * tests/fixtures/serve.ts holds the sockets `specs` name and nothing else listens; and the keys
 * serve.ts got (port 0 replaced by the kernel's pick).
 */
async function scanKeysInNamespace(
  specs: string[],
  rule: string,
): Promise<{ selected: string[]; served: string[] }> {
  await using namespace = await Namespace.create("rules");
  const { keys } = await serve(namespace, specs);
  const path = await namespace.writeFile("rule.xml", rule);
  const run = await runCliIn(namespace, ["scan", path, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  const entities: ScanEntity[] = JSON.parse(run.stdout).entities;
  return { selected: entities.map((entity) => entity.key).sort(), served: keys };
}

async function scanEntities(rule: string): Promise<ScanEntity[]> {
  let result: ScanEntity[] = [];
  await withFiles({ "rule.xml": rule }, async (path) => {
    const run = await runCli(["scan", path("rule.xml"), "--json"]);
    assert.equal(run.code, 0, run.stderr);
    result = JSON.parse(run.stdout).entities;
  });
  return result;
}

const portSet = (body: string, attributes = "") => `<PortSet${attributes}>\n${body}\n</PortSet>\n`;

Deno.test({
  name: "example: include * and exclude tcp*/*/80",
  ignore: noNamespace !== null, // port 80
  async fn() {
    const { selected, served } = await scanKeysInNamespace(
      ["tcp/127.0.0.2/80", "tcp6/::1/80", "tcp/127.0.0.2/0", "udp/127.0.0.2/80"],
      portSet(`  <include key="*"/>\n  <exclude key="tcp*/*/80"/>`),
    );
    // tcp6 port 80 is excluded too: tcp* covers it; udp port 80 and other tcp ports are not.
    assert.deepEqual(selected, [served[2], "udp/127.0.0.2/80"]);
  },
});

Deno.test({
  name: "example: */72.14.207.9?/80 matches .90 to .99 only (here on 127.0.0.9?)",
  ignore: noNamespace !== null,
  async fn() {
    const { selected } = await scanKeysInNamespace(
      [9, 90, 95, 99, 100, 190].map((host) => `tcp/127.0.0.${host}/80`),
      portSet(`  <include key="*/127.0.0.9?/80"/>`),
    );
    assert.deepEqual(selected, ["tcp/127.0.0.90/80", "tcp/127.0.0.95/80", "tcp/127.0.0.99/80"]);
  },
});

Deno.test({
  name: "example: */72.14.207.2*/80 matches .2, .20 to .29 and .200 to .255 (here on 127.0.0.2*)",
  ignore: noNamespace !== null,
  async fn() {
    const { selected } = await scanKeysInNamespace(
      [2, 3, 20, 29, 30, 200, 255, 12].map((host) => `tcp/127.0.0.${host}/80`),
      portSet(`  <include key="*/127.0.0.2*/80"/>`),
    );
    assert.deepEqual(selected, [
      "tcp/127.0.0.2/80",
      "tcp/127.0.0.20/80",
      "tcp/127.0.0.200/80",
      "tcp/127.0.0.255/80",
      "tcp/127.0.0.29/80",
    ]);
  },
});

Deno.test({
  name: "example: */80 matches port 80 on any address and protocol, not 8080",
  ignore: noNamespace !== null,
  async fn() {
    const { selected } = await scanKeysInNamespace(
      ["tcp/127.0.0.31/80", "tcp/127.0.0.31/8080", "udp6/::1/80", "tcp6/::1/0"],
      portSet(`  <include key="*/80"/>`),
    );
    assert.deepEqual(selected, ["tcp/127.0.0.31/80", "udp6/::1/80"]);
  },
});

Deno.test("examples: path, process and user tests; a connected UDP socket is no listening port", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.41");
  const bound = sockets.udp("127.0.0.41");
  const connected = sockets.udp("127.0.0.41", 0, { address: "127.0.0.41", port: bound.port });
  const prefix = "/127.0.0.41/";
  const mine = [
    `tcp${prefix}${listener.port}`,
    `udp${prefix}${bound.port}`,
    `udp${prefix}${connected.port}`,
  ];

  // path: a plain match, separators not normalised; the vendor's Windows example finds nothing.
  assert.deepEqual(
    await scanKeys(portSet(`  <include path="*\\system32\\inetsrv\\inetinfo.exe"/>`), mine),
    [],
  );
  const byPath = await scanKeys(
    portSet(`  <include path="*/${Deno.execPath().split("/").pop()}"/>`),
    mine,
  );
  assert.deepEqual(byPath, [`tcp${prefix}${listener.port}`, `udp${prefix}${bound.port}`]);

  // process, exactly and with a wildcard (the vendor's svchost.exe and outlook.*).
  assert.deepEqual(await scanKeys(portSet(`  <include process="deno"/>`), mine), byPath);
  assert.deepEqual(await scanKeys(portSet(`  <include process="de*"/>`), mine), byPath);
  assert.deepEqual(await scanKeys(portSet(`  <include process="svchost.exe"/>`), mine), []);

  // user.
  const user = isRoot() ? "root" : Deno.env.get("USER") ?? "";
  assert.deepEqual(await scanKeys(portSet(`  <include user="${user}"/>`), mine), byPath);

  assert.ok(!byPath.includes(`udp${prefix}${connected.port}`), "connected UDP left out");
});

Deno.test({
  name: 'example: user="root" leaves out nobody\'s listener',
  ignore: !isRoot() || !exists(SYSTEM_PYTHON),
  async fn() {
    await using nobody = await startPythonHolder("listen", "127.0.0.42", "65534");
    using sockets = new TestSockets();
    const rootListener = sockets.tcpListen("127.0.0.42");
    const mine = [`tcp/127.0.0.42/${rootListener.port}`, `tcp/127.0.0.42/${nobody.ready.port}`];
    const keys = await scanKeys(portSet(`  <include user="root"/>`), mine);
    assert.deepEqual(keys, [mine[0]]);
    const nobodys = await scanKeys(portSet(`  <include user="nobody"/>`), mine);
    assert.deepEqual(nobodys, [mine[1]]);
  },
});

Deno.test("decisions: tests in one element are ANDed, elements ORed, excludes win, no include is everything", async () => {
  await using child = await startDenoListener("127.0.0.50");
  using sockets = new TestSockets();
  const mine50 = sockets.tcpListen("127.0.0.50");
  const mine51 = sockets.tcpListen("127.0.0.51");
  const key = (address: string, port: number) => `tcp/${address}/${port}`;
  const mine = [
    key("127.0.0.50", child.ready.port),
    key("127.0.0.50", mine50.port),
    key("127.0.0.51", mine51.port),
  ];

  // AND: the listener on .50 owned by this process only, not the child's on .50 nor ours on .51.
  const and = await scanKeys(
    portSet(`  <include key="*/127.0.0.50/*" user="*" path="${Deno.execPath()}"/>`),
    mine,
  );
  assert.deepEqual(and.length, 2, "both .50 listeners run the same deno binary");
  const anded = await scanKeys(
    portSet(`  <include key="*/127.0.0.50/${mine50.port}" process="deno"/>`),
    mine,
  );
  assert.deepEqual(anded, [key("127.0.0.50", mine50.port)]);

  // OR across elements.
  const ored = await scanKeys(
    portSet(`  <include key="*/${mine51.port}"/>\n  <include key="*/${child.ready.port}"/>`),
    mine,
  );
  assert.deepEqual(
    ored,
    [key("127.0.0.50", child.ready.port), key("127.0.0.51", mine51.port)].sort(),
  );

  // Excludes win over includes.
  const excluded = await scanKeys(
    portSet(`  <include key="*/127.0.0.5?/*"/>\n  <exclude key="*/${mine50.port}"/>`),
    mine,
  );
  assert.ok(!excluded.includes(key("127.0.0.50", mine50.port)));
  assert.ok(excluded.includes(key("127.0.0.51", mine51.port)));

  // No include: everything not excluded.
  const everything = await scanKeys(portSet(`  <exclude key="*/${mine51.port}"/>`), mine);
  assert.deepEqual(
    everything,
    [key("127.0.0.50", child.ready.port), key("127.0.0.50", mine50.port)].sort(),
  );
});

Deno.test("decisions: casesensitive defaults to the platform (sensitive on Linux)", async () => {
  using sockets = new TestSockets();
  const listener = sockets.tcpListen("127.0.0.52");
  const mine = [`tcp/127.0.0.52/${listener.port}`];
  assert.deepEqual(await scanKeys(portSet(`  <include process="DENO"/>`), mine), []);
  assert.deepEqual(
    await scanKeys(portSet(`  <include process="DENO" casesensitive="platform"/>`), mine),
    [],
  );
  assert.deepEqual(
    await scanKeys(portSet(`  <include process="DENO" casesensitive="false"/>`), mine),
    mine,
  );
});

Deno.test("decisions: <attributes> picks what is reported; STANDARD and no <attributes> are all six", async () => {
  using sockets = new TestSockets();
  const group = sockets.tcpListen("127.0.0.53", 0, { reusePort: true });
  sockets.tcpListen("127.0.0.53", group.port, { reusePort: true });
  const find = (entities: ScanEntity[]) =>
    entities.find((e) => e.key === `tcp/127.0.0.53/${group.port}`)!;

  const some = find(
    await scanEntities(
      portSet(`  <include key="*/127.0.0.53/*"/>\n  <attributes><User/><Listeners/></attributes>`),
    ),
  );
  assert.deepEqual(Object.keys(some.attributes), ["Listeners", "User"]);
  assert.equal(some.attributes.Listeners, 2, "two sockets listen under the key");

  const all = ["Listeners", "Path", "Process", "ProcessId", "User", "Created"];
  const standard = find(
    await scanEntities(
      portSet(`  <include key="*/127.0.0.53/*"/>\n  <attributes><STANDARD/></attributes>`),
    ),
  );
  assert.deepEqual(Object.keys(standard.attributes), all);
  const implicit = find(await scanEntities(portSet(`  <include key="*/127.0.0.53/*"/>`)));
  assert.deepEqual(implicit.attributes, {
    Listeners: 2,
    Path: Deno.execPath(),
    Process: "deno",
    ProcessId: Deno.pid,
    User: standard.attributes.User,
    Created: null,
  });
});

Deno.test("decisions: several entity sets under one root; their selections add up", async () => {
  using sockets = new TestSockets();
  const a = sockets.tcpListen("127.0.0.54");
  const b = sockets.udp("127.0.0.54");
  const rule = `<rules>
  <PortSet><include key="tcp/127.0.0.54/*"/><attributes><ProcessId/></attributes></PortSet>
  <PortSet onChange="true"><include key="udp/127.0.0.54/*"/><attributes><User/></attributes></PortSet>
</rules>`;
  const entities = await scanEntities(rule);
  const byKey = new Map(entities.map((e) => [e.key, e.attributes]));
  assert.deepEqual(byKey.get(`tcp/127.0.0.54/${a.port}`), { ProcessId: Deno.pid });
  assert.deepEqual(Object.keys(byKey.get(`udp/127.0.0.54/${b.port}`)!), ["User"]);
});

Deno.test("bad input: one line on stderr naming file, line and column; exit code 2", async () => {
  await withFiles({
    "malformed.xml": `<PortSet>\n  <include key="*">\n</PortSet>\n`,
    "unknown.xml": `<PortSet>\n  <include port="80"/>\n</PortSet>\n`,
    "element.xml": `<PortSet>\n  <inclde key="*"/>\n</PortSet>\n`,
    "fileset.xml": `<FileSet>\n  <include key="*"/>\n</FileSet>\n`,
    "empty.xml": ``,
    "rule.xml": portSet(`  <include key="*"/>`),
    "corrupt.json": `{"format": "portset-baseline/1", "entities": [`,
    "foreign.json": `{"some": "other json"}`,
  }, async (path) => {
    const cases: [string[], RegExp][] = [
      [["scan", path("malformed.xml")], /malformed\.xml:3:10: unexpected close tag$/],
      [["scan", path("unknown.xml")], /unknown\.xml:2:3: unknown feature test 'port' on <include>/],
      [["scan", path("element.xml")], /element\.xml:2:3: unknown element <inclde> in <PortSet>/],
      [
        ["scan", path("fileset.xml")],
        /fileset\.xml:1:1: the entity set <FileSet> is not supported: portset monitors <PortSet>/,
      ],
      [["scan", path("empty.xml")], /empty\.xml: the rule file is empty$/],
      [["scan", path("missing.xml")], /missing\.xml: cannot read the rule file: no such file$/],
      [
        ["check", path("rule.xml"), "--baseline", path("none.json")],
        /none\.json: cannot read the baseline: no such file$/,
      ],
      [
        ["check", path("rule.xml"), "--baseline", path("corrupt.json")],
        /corrupt\.json: the baseline is not valid JSON/,
      ],
      [
        ["check", path("rule.xml"), "--baseline", path("foreign.json")],
        /foreign\.json: not a usable portset baseline: format/,
      ],
      [["check", path("rule.xml")], /portset check needs --baseline FILE/],
      [
        ["check", path("rule.xml"), "--baseline", "x", "--json", "--cef"],
        /--json and --cef cannot be used together/,
      ],
      [["baseline", path("rule.xml")], /portset baseline needs -o FILE/],
      [
        ["baseline", path("rule.xml"), "-o", path("no/such/dir.json")],
        /cannot write .*dir\.json: its directory does not exist/,
      ],
      [["scan"], /portset scan needs a RULE file/],
      [["scan", path("rule.xml"), path("rule.xml")], /takes one RULE file/],
      [["scan", path("rule.xml"), "--cef"], /unknown option '--cef'/],
    ];
    for (const [args, pattern] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(" ")}: exit code (stderr: ${run.stderr})`);
      const lines = run.stderr.trimEnd().split("\n");
      assert.equal(lines.length, 1, `${args.join(" ")}: one line, got ${run.stderr}`);
      assert.match(lines[0], /^portset: /);
      assert.match(lines[0], pattern);
      assert.equal(run.stdout, "");
    }
  });
});

Deno.test("baseline → change → check: Deleted, Created, Updated with ProcessId, then --update", async () => {
  using sockets = new TestSockets();
  const closing = sockets.tcpListen("127.0.0.70");
  const child = await startDenoListener("127.0.0.71");
  // Bound now, listening after the baseline: the rule can name its port, and so select the
  // test's own listeners only, whatever else listens on these addresses.
  const opened = sockets.tcpBind("127.0.0.72");
  const rule = portSet(
    [
      // TCP's alone: another process may hold a UDP socket of the same number there.
      `tcp/127.0.0.70/${closing.port}`,
      `tcp/127.0.0.71/${child.ready.port}`,
      `tcp/127.0.0.72/${opened.port}`,
    ].map((key) => `  <include key="${key}"/>`).join("\n"),
  );
  await withFiles({ "rule.xml": rule }, async (path) => {
    const made = await runCli(["baseline", path("rule.xml"), "-o", path("base.json")]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(
      made.stdout,
      /^portset: baseline of 2 entities from .*rule\.xml written to .*base\.json in \d+ ms\n$/,
    );
    const baseline = JSON.parse(Deno.readTextFileSync(path("base.json")));
    assert.equal(baseline.entityCount, 2);
    assert.match(baseline.rule.digest, /^sha256:/);
    assert.equal(baseline.host, Deno.hostname());
    assert.deepEqual([...Deno.readDirSync(path(""))].map((e) => e.name).sort(), [
      "base.json",
      "rule.xml",
    ], "no temp file left");

    const unchanged = await runCli(["check", path("rule.xml"), "--baseline", path("base.json")]);
    assert.equal(unchanged.code, 0, unchanged.stdout + unchanged.stderr);
    assert.equal(unchanged.stdout, "No changes.\n");

    // One listener closed, one opened, one re-opened on the same port by another process.
    sockets.close(closing.fd);
    sockets.listen(opened.fd);
    await child.close();
    sockets.tcpListen("127.0.0.71", child.ready.port);

    const check = await runCli([
      "check",
      path("rule.xml"),
      "--baseline",
      path("base.json"),
      "--json",
    ]);
    assert.equal(check.code, 1, check.stderr);
    const { events, warnings } = JSON.parse(check.stdout);
    assert.deepEqual(warnings, []);
    const byKey = new Map(events.map((e: { key: string }) => [e.key, e]));
    assert.equal(events.length, 3, JSON.stringify(events));

    const deleted = byKey.get(`tcp/127.0.0.70/${closing.port}`) as Record<string, unknown>;
    assert.equal(deleted.change, "Deleted");
    const created = byKey.get(`tcp/127.0.0.72/${opened.port}`) as Record<string, unknown>;
    assert.equal(created.change, "Created");
    assert.deepEqual((created.attributes as Record<string, unknown>).ProcessId, Deno.pid);
    const updated = byKey.get(`tcp/127.0.0.71/${child.ready.port}`) as Record<string, unknown>;
    assert.equal(updated.change, "Updated");
    assert.deepEqual(
      (updated.previous as { attributes: unknown }).attributes,
      { ProcessId: child.pid },
      "only ProcessId differs, and previous has its old value",
    );
    assert.equal((updated.previous as { pid: number }).pid, child.pid);
    assert.equal(updated.pid, Deno.pid);
    assert.equal((updated.attributes as Record<string, unknown>).ProcessId, Deno.pid);
    for (const event of events) {
      assert.equal(event.entityType, "PortSet");
      assert.equal(event.rule, path("rule.xml"));
      assert.equal(event.host, Deno.hostname());
      assert.ok(!Number.isNaN(Date.parse(event.time)));
    }

    const jsonl = await runCli([
      "check",
      path("rule.xml"),
      "--baseline",
      path("base.json"),
      "--jsonl",
    ]);
    assert.equal(jsonl.code, 1);
    assert.deepEqual(
      assertValidLines("events", jsonl.stdout)
        .filter((line) => (line as { event: string }).event === "change")
        .map((line) => (line as { change: string }).change).sort(),
      [
        "Created",
        "Deleted",
        "Updated",
      ],
    );
    const cef = await runCli(["check", path("rule.xml"), "--baseline", path("base.json"), "--cef"]);
    assert.equal(cef.code, 1);
    const cefLines = cef.stdout.trimEnd().split("\n");
    assert.equal(cefLines.length, 3);
    assert.ok(cefLines.every((line) => line.startsWith("CEF:0|portset|portset|")));
    assert.ok(
      cefLines.some((line) =>
        line.includes("|PortSet:Updated|") && line.includes("msg=ProcessId: ")
      ),
    );

    const update = await runCli([
      "check",
      path("rule.xml"),
      "--baseline",
      path("base.json"),
      "--update",
      "-y",
    ]);
    assert.equal(update.code, 1, "--update still reports what changed");
    assert.match(
      update.stderr,
      /^portset: baseline of 2 entities written to .*base\.json \(it had 2 entities\)\n$/,
    );
    const after = await runCli(["check", path("rule.xml"), "--baseline", path("base.json")]);
    assert.equal(after.code, 0, `after --update nothing has changed: ${after.stdout}`);
  });
});

Deno.test("check warns, in the output too, when the baseline comes from another rule; only monitored attributes count", async () => {
  await using child = await startDenoListener("127.0.0.80");
  using sockets = new TestSockets();
  // The test's own only: TCP, as another process may hold a UDP socket of that number there.
  const include = `  <include key="tcp/127.0.0.80/${child.ready.port}"/>`;
  await withFiles({
    "users.xml": portSet(`${include}\n  <attributes><User/></attributes>`),
    "pids.xml": portSet(`${include}\n  <attributes><ProcessId/></attributes>`),
  }, async (path) => {
    assert.equal((await runCli(["baseline", path("users.xml"), "-o", path("base.json")])).code, 0);
    await child.close();
    sockets.tcpListen("127.0.0.80", child.ready.port); // same key, same user, another pid

    const sameRule = await runCli(["check", path("users.xml"), "--baseline", path("base.json")]);
    assert.equal(
      sameRule.code,
      0,
      `a ProcessId change is not monitored by users.xml: ${sameRule.stdout}`,
    );

    const otherRule = await runCli([
      "check",
      path("pids.xml"),
      "--baseline",
      path("base.json"),
      "--json",
    ]);
    assert.match(
      otherRule.stderr,
      /^portset: warning: baseline .*base\.json was made from a different rule/,
    );
    const report = JSON.parse(otherRule.stdout);
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0], /different rule/);
    assert.equal(otherRule.code, 1, "pids.xml monitors ProcessId, which changed");
    assert.deepEqual(report.events[0].previous.attributes, { ProcessId: child.pid });
    assert.equal(report.events[0].attributes.ProcessId, Deno.pid);
  });
});
