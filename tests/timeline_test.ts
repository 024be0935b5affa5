import assert from "node:assert/strict";
import { MAX_BUCKETS, TimelineBuilder } from "../report/timeline.ts";

const describe = (key: string) => {
  const [protocol, port] = key.split(" ");
  return { protocol: protocol as "TCP" | "UDP", port: Number(port), service: null };
};

Deno.test("changes land in one-minute buckets from the first time seen", () => {
  const timeline = new TimelineBuilder();
  timeline.count(1000, "listen");
  timeline.count(1059, "connect");
  timeline.count(1060, "close");
  const built = timeline.build(10, describe);
  assert.equal(built.bucketSeconds, 60);
  assert.equal(built.buckets.length, 2);
  assert.equal(built.buckets[0].listen + built.buckets[0].connect, 2);
  assert.equal(built.buckets[1].close, 1);
});

Deno.test("a month of changes coarsens the buckets, never past the limit, and loses no count", () => {
  const timeline = new TimelineBuilder();
  const month = 31 * 86400;
  let counted = 0;
  for (let t = 0; t <= month; t += 97) {
    timeline.count(t, "connect");
    counted++;
  }
  const built = timeline.build(10, describe);
  assert.ok(built.buckets.length <= MAX_BUCKETS);
  assert.ok(built.bucketSeconds * built.buckets.length > month);
  assert.equal(built.buckets.reduce((sum, b) => sum + b.connect, 0), counted);
});

Deno.test("a lane's coverage is the share of each bucket its port was open, through coarsening", () => {
  const timeline = new TimelineBuilder();
  timeline.count(0, "listen");
  timeline.cover("TCP 22", 30, 150); // half of bucket 0, all of 1, half of 2
  timeline.cover("UDP 53", 0, 60);
  let built = timeline.build(10, describe);
  assert.deepEqual(built.lanes.find((l) => l.port === 22)!.coverage, [0.5, 1, 0.5]);
  assert.deepEqual(built.lanes.find((l) => l.port === 53)!.coverage, [1, 0, 0]);
  timeline.count(MAX_BUCKETS * 60 + 1, "close"); // forces 120-second buckets
  built = timeline.build(1, describe);
  assert.equal(built.bucketSeconds, 120);
  assert.equal(built.lanes.length, 1, "only the lane open longest");
  assert.deepEqual(built.lanes[0].coverage.slice(0, 2), [0.75, 0.25]);
});
