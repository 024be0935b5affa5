import assert from "node:assert/strict";
import { countInto, HeavyHitters, topKeys } from "../report/heavy_hitters.ts";

Deno.test("under capacity every key is counted exactly", () => {
  const counter = new HeavyHitters(100, () => null);
  for (const key of ["a", "b", "a", "c", "a", "b"]) counter.add(key);
  assert.deepEqual(counter.top().map((e) => [e.key, e.count, e.overcount]), [
    ["a", 3, 0],
    ["b", 2, 0],
    ["c", 1, 0],
  ]);
});

Deno.test("a stream of a million distinct keys stays within capacity and keeps the heavy ones, with honest bounds", () => {
  const capacity = 1000;
  const counter = new HeavyHitters(capacity, () => null);
  const truth = new Map<string, number>();
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 1_000_000; i++) {
    // 10 heavy keys take 20% of the stream; the rest is a long tail of one-offs.
    const key = random() < 0.2 ? `heavy-${i % 10}` : `tail-${i}`;
    truth.set(key, (truth.get(key) ?? 0) + 1);
    counter.add(key);
    assert.ok(counter.size <= capacity);
  }
  const top = counter.top(10);
  assert.deepEqual(
    top.map((e) => e.key).sort(),
    Array.from({ length: 10 }, (_, i) => `heavy-${i}`).sort(),
  );
  for (const entry of counter.top()) {
    const real = truth.get(entry.key)!;
    assert.ok(entry.count >= real, `${entry.key}: ${entry.count} is an upper bound of ${real}`);
    assert.ok(entry.count - entry.overcount <= real, `${entry.key}: lower bound`);
  }
});

Deno.test("countInto keeps at most its limit of names; topKeys ranks them", () => {
  const counts = new Map<string, number>();
  for (const key of ["x", "y", "z", "y", "z", "z"]) countInto(counts, key, 2);
  assert.deepEqual([...counts], [["x", 1], ["y", 2]]);
  assert.deepEqual(topKeys(counts, 1), ["y"]);
});
