/** rules/baseline.ts: a baseline round-trips, and a damaged one is refused with a reason. */

import assert from "node:assert/strict";
import {
  BaselineError,
  formatBaseline,
  makeBaseline,
  parseBaseline,
  readBaseline,
} from "../rules/baseline.ts";
import { ATTRIBUTE_NAMES } from "../rules/rule.ts";

const rule = { path: "rule.xml", digest: "sha256:abc", sets: [] };
const selected = [{
  key: "tcp/127.0.0.1/80",
  attributes: { Created: null, Listeners: 2, Path: "/x", Process: "x", ProcessId: 7, User: "root" },
  monitored: ATTRIBUTE_NAMES,
  onChange: false,
}];
const facts = { portset: "0.1.0", host: "h", time: "2026-11-22T00:00:00.000Z", elapsedMs: 12.6 };

Deno.test("makeBaseline and parseBaseline round-trip", () => {
  const baseline = makeBaseline(rule, selected, facts);
  assert.equal(baseline.entityCount, 1);
  assert.equal(baseline.elapsedMs, 13);
  assert.deepEqual(baseline.rule, { path: "rule.xml", digest: "sha256:abc" });
  assert.deepEqual(parseBaseline(JSON.stringify(baseline), "b.json"), baseline);
});

Deno.test("readBaseline reads what formatBaseline wrote; an unreadable file is a BaselineError", () => {
  const directory = Deno.makeTempDirSync();
  try {
    const path = `${directory}/b.json`;
    const baseline = makeBaseline(rule, selected, facts);
    Deno.writeTextFileSync(path, formatBaseline(baseline));
    assert.deepEqual(readBaseline(path), baseline);
    assert.throws(() => readBaseline(`${directory}/none.json`), BaselineError);
    assert.throws(() => readBaseline(directory), BaselineError);
  } finally {
    Deno.removeSync(directory, { recursive: true });
  }
});

Deno.test("parseBaseline refuses damaged baselines, saying what is wrong", () => {
  const good = makeBaseline(rule, selected, facts);
  const damaged = (change: (b: Record<string, unknown>) => void) => {
    const copy = structuredClone(good) as unknown as Record<string, unknown>;
    change(copy);
    return JSON.stringify(copy);
  };
  const cases: [string, RegExp][] = [
    [`{"format": "portset-baseline/1", "entities": [`, /not valid JSON/],
    [`[]`, /format is undefined/],
    [`null`, /not a JSON object/],
    [damaged((b) => b.format = "portset-baseline/9"), /format is "portset-baseline\/9"/],
    [damaged((b) => delete b.rule), /no rule digest/],
    [damaged((b) => b.entityCount = 5), /entityCount 5 but 1 entities/],
    [damaged((b) => (b.entities as Record<string, unknown>[])[0].key = 3), /entity 1 has no key/],
    [
      damaged((
        b,
      ) => ((b.entities as Record<string, Record<string, unknown>>[])[0].attributes.ProcessId =
        "7")
      ),
      /attribute ProcessId is "7"/,
    ],
    [
      damaged((b) => ((b.entities as Record<string, unknown>[])[0].monitored = ["Owner"])),
      /monitored attributes/,
    ],
    [
      damaged((b) => {
        b.entities = [...(b.entities as unknown[]), ...(b.entities as unknown[])];
        b.entityCount = 2;
      }),
      /appears twice/,
    ],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => parseBaseline(text, "b.json"), (error: unknown) => {
      assert.ok(error instanceof BaselineError);
      assert.match(error.message, /^b\.json: /);
      assert.match(error.message, pattern);
      return true;
    }, text);
  }
});
