/**
 * rules/parser.ts: what a rule file means, and the one-line errors for what it cannot mean.
 */

import assert from "node:assert/strict";
import { loadXmlParser, parseRule, readRule, RuleError } from "../rules/parser.ts";

await loadXmlParser();
import { ATTRIBUTE_NAMES } from "../rules/rule.ts";

const LINUX = { platformCaseSensitive: true };
const WINDOWS = { platformCaseSensitive: false };

function rejects(text: string, pattern: RegExp, path = "rule.xml"): void {
  assert.throws(() => parseRule(text, path, LINUX), (error: unknown) => {
    assert.ok(error instanceof RuleError, String(error));
    assert.ok(!error.message.includes("\n"), `one line: ${error.message}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("a single PortSet: includes, excludes, defaults", () => {
  const [set] = parseRule(
    `<PortSet>\n  <include key="*"/>\n  <exclude key="tcp*/*/80"/>\n</PortSet>`,
    "rule.xml",
    LINUX,
  );
  assert.equal(set.onChange, false, "onChange defaults to false");
  assert.deepEqual(set.include.map((c) => c.tests.map((t) => [t.feature, t.glob.pattern])), [[[
    "key",
    "*",
  ]]]);
  assert.deepEqual(set.exclude.map((c) => c.tests.map((t) => t.glob.pattern)), [["tcp*/*/80"]]);
  assert.deepEqual(set.attributes, ATTRIBUTE_NAMES, "no <attributes>: STANDARD");
  assert.deepEqual([set.line, set.column], [1, 1]);
  assert.deepEqual([set.exclude[0].line, set.exclude[0].column], [3, 3]);
});

Deno.test("several entity sets under any single root; onChange; several tests in one element", () => {
  const sets = parseRule(
    `<?xml version="1.0"?>
<anything name="web">
  <PortSet onChange="true">
    <include process="nginx" user="www-data"/>
    <attributes><ProcessId/><User/></attributes>
  </PortSet>
  <PortSet>
    <include path="*\\system32\\inetsrv\\inetinfo.exe"/>
    <attributes><STANDARD/></attributes>
  </PortSet>
</anything>`,
    "rule.xml",
    LINUX,
  );
  assert.equal(sets.length, 2);
  assert.equal(sets[0].onChange, true);
  assert.deepEqual(sets[0].include[0].tests.map((t) => t.feature), ["process", "user"]);
  assert.deepEqual(sets[0].attributes, ["ProcessId", "User"]);
  assert.deepEqual(sets[1].attributes, ATTRIBUTE_NAMES);
  assert.equal(sets[1].include[0].tests[0].glob.pattern, "*\\system32\\inetsrv\\inetinfo.exe");
});

Deno.test("an empty <attributes/> monitors nothing", () => {
  const [set] = parseRule(`<PortSet><attributes/></PortSet>`, "r", LINUX);
  assert.deepEqual(set.attributes, []);
  assert.deepEqual(set.include, [], "no include: every entity");
});

Deno.test("casesensitive: platform is sensitive on Linux, insensitive on Windows; true and false", () => {
  const text = `<PortSet>
    <include process="SvcHost.exe"/>
    <include process="SvcHost.exe" casesensitive="false"/>
    <include process="SvcHost.exe" casesensitive="true"/>
    <include process="SvcHost.exe" casesensitive="platform"/>
  </PortSet>`;
  const sensitivity = (options: typeof LINUX) =>
    parseRule(text, "r", options)[0].include.map((c) => c.tests[0].glob.matches("svchost.exe"));
  assert.deepEqual(sensitivity(LINUX), [false, true, false, false]);
  assert.deepEqual(sensitivity(WINDOWS), [true, true, false, true]);
});

Deno.test("malformed XML: file, line and column", () => {
  rejects(`<PortSet>\n  <include key="*">\n</PortSet>`, /^rule\.xml:3:10: unexpected close tag$/);
  rejects(`<PortSet>\n  <include key="*/>\n</PortSet>`, /^rule\.xml:\d+:\d+: /);
  rejects(`<PortSet><include key='*'/></PortSet><PortSet/>`, /^rule\.xml:1:\d+: .*root/i);
  rejects(`not xml at all`, /^rule\.xml:1:\d+: /);
});

Deno.test("unknown elements, feature tests and attribute names are named with their position", () => {
  rejects(
    `<PortSet>\n  <includ key="*"/>\n</PortSet>`,
    /^rule\.xml:2:3: unknown element <includ> in <PortSet>/,
  );
  rejects(
    `<PortSet>\n  <include port="80"/>\n</PortSet>`,
    /^rule\.xml:2:3: unknown feature test 'port' on <include>/,
  );
  rejects(`<PortSet>\n  <include toString="x"/>\n</PortSet>`, /unknown feature test 'toString'/);
  // A line break right after the name: the position is still that of the "<".
  rejects(
    `<PortSet>\n  <include\n    port="80"/>\n</PortSet>`,
    /^rule\.xml:2:3: unknown feature test 'port'/,
  );
  rejects(
    `<PortSet><attributes><Owner/></attributes></PortSet>`,
    /^rule\.xml:1:22: unknown attribute <Owner> in <attributes>/,
  );
  rejects(`<PortSet><include/></PortSet>`, /<include> has no feature test/);
  rejects(`<PortSet><include key="*" casesensitive="yes"/></PortSet>`, /casesensitive must be/);
  rejects(`<PortSet onChange="yes"/>`, /onChange must be "true" or "false"/);
  rejects(`<PortSet interval="5"/>`, /unknown attribute 'interval' on <PortSet>/);
  rejects(`<PortSet><attributes/><attributes/></PortSet>`, /<attributes> is given twice/);
  rejects(`<PortSet><include key="*"><key/></include></PortSet>`, /<key> cannot stand inside/);
  rejects(`<PortSet>tcp/*</PortSet>`, /unexpected text 'tcp\/\*'/);
  rejects(`<rules><group><PortSet/></group></rules>`, /^rule\.xml:1:8: unknown element <group>/);
});

Deno.test("other entity sets are unsupported, by name", () => {
  rejects(
    `<FileSet><include key="*"/></FileSet>`,
    /^rule\.xml:1:1: the entity set <FileSet> is not supported: portset monitors <PortSet>$/,
  );
  rejects(
    `<rules>\n  <PortSet/>\n  <ServiceSet/>\n</rules>`,
    /^rule\.xml:3:3: the entity set <ServiceSet> is not supported/,
  );
  rejects(`<rules><FooSet/></rules>`, /the entity set <FooSet> is not supported/);
  rejects(`<rules></rules>`, /^rule\.xml: no <PortSet> in the rule file$/);
});

Deno.test("empty, missing and unreadable files", async () => {
  rejects(``, /^rule\.xml: the rule file is empty$/);
  rejects(`  \n `, /^rule\.xml: the rule file is empty$/);
  const directory = Deno.makeTempDirSync();
  try {
    await assert.rejects(
      () => readRule(`${directory}/missing.xml`, LINUX),
      /missing\.xml: cannot read the rule file: no such file$/,
    );
    await assert.rejects(
      () => readRule(directory, LINUX),
      /cannot read the rule file: it is a directory$/,
    );
    Deno.writeFileSync(`${directory}/latin1.xml`, new Uint8Array([0x3c, 0x50, 0xe9, 0x3e]));
    await assert.rejects(() => readRule(`${directory}/latin1.xml`, LINUX), /not UTF-8/);
    Deno.writeTextFileSync(`${directory}/ok.xml`, `<PortSet/>`);
    const rule = await readRule(`${directory}/ok.xml`, LINUX);
    assert.match(rule.digest, /^sha256:[0-9a-f]{64}$/);
    Deno.writeTextFileSync(`${directory}/ok.xml`, `<PortSet />`);
    assert.notEqual(
      (await readRule(`${directory}/ok.xml`, LINUX)).digest,
      rule.digest,
      "the digest follows the bytes",
    );
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});
