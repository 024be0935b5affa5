import assert from "node:assert/strict";
import type { Transport } from "../model/endpoint.ts";
import { MAX_BUCKETS, TimelineBuilder } from "../report/timeline.ts";

const describe = (key: string) => {
  const [protocol, port] = key.split(" ");
  return { transport: protocol.toLowerCase() as Transport, port: Number(port), service: null };
};

Deno.test("a short window has one-second buckets from the window's start", () => {
  const timeline = new TimelineBuilder();
  timeline.begin(1000);
  timeline.count(1003, "listen");
  timeline.count(1003, "connect");
  timeline.count(1010, "close");
  const built = timeline.build(10, 1012, describe);
  assert.equal(built.start, "1970-01-01T00:16:40");
  assert.equal(built.bucketSeconds, 1);
  assert.equal(built.buckets.length, 12);
  assert.equal(built.buckets[3].listen + built.buckets[3].connect, 2);
  assert.equal(built.buckets[10].close, 1);
});

Deno.test("a month of changes coarsens to a round width, never past the limit, and loses no count", () => {
  const timeline = new TimelineBuilder();
  const month = 31 * 86400;
  let counted = 0;
  for (let t = 0; t <= month; t += 97) {
    timeline.count(t, "connect");
    counted++;
  }
  const built = timeline.build(10, month, describe);
  assert.ok(built.buckets.length <= MAX_BUCKETS);
  assert.equal(built.bucketSeconds, 3 * 3600, "three hours: the first round width that fits");
  assert.ok(built.bucketSeconds * built.buckets.length >= month);
  assert.equal(built.buckets.reduce((sum, b) => sum + b.connect, 0), counted);
});

Deno.test("a lane's coverage is the share of each bucket its port was open, through coarsening", () => {
  const timeline = new TimelineBuilder();
  timeline.begin(0);
  timeline.cover("TCP 22", 30, 150);
  timeline.cover("UDP 53", 0, 60);
  timeline.count(479 * 60, "close"); // 1-second buckets cannot hold 8 hours: 60-second ones can
  const built = timeline.build(10, 479 * 60 + 1, describe);
  assert.equal(built.bucketSeconds, 60);
  assert.deepEqual(built.lanes.find((l) => l.port === 22)!.coverage.slice(0, 4), [0.5, 1, 0.5, 0]);
  assert.deepEqual(built.lanes.find((l) => l.port === 53)!.coverage.slice(0, 2), [1, 0]);
  assert.equal(built.lanes.length, 2);
  assert.equal(timeline.build(1, null, describe).lanes.length, 1, "only the lane open longest");
});

Deno.test("a port open to the end of a window that ends mid-bucket shows fully open there", () => {
  const timeline = new TimelineBuilder();
  timeline.begin(0);
  timeline.count(600, "listen");
  timeline.cover("TCP 80", 600, 630);
  const built = timeline.build(5, 630, describe);
  assert.equal(built.bucketSeconds, 5);
  assert.equal(built.buckets.length, 126);
  assert.deepEqual(built.lanes[0].coverage.slice(-7), [0, 1, 1, 1, 1, 1, 1]);
});
