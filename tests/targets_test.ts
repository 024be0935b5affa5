/** remote/targets.ts: `-r` ranges, `-o` lists, and the probe order for `-p both`. */

import assert from "node:assert/strict";
import { parsePortList, parsePortRange, PortSpecError } from "../remote/targets.ts";

Deno.test("parsePortRange: both ends included; bad ranges are one-line PortSpecErrors", () => {
  assert.deepEqual(parsePortRange("20:23"), [20, 21, 22, 23]);
  assert.deepEqual(parsePortRange("80:80"), [80]);
  assert.equal(parsePortRange("1:65535").length, 65535);
  for (const bad of ["0:10", "1:65536", "10:5", "1-5", "a:b", ":5", "5:"]) {
    assert.throws(() => parsePortRange(bad), PortSpecError, bad);
  }
  assert.throws(() => parsePortRange("10:5"), /starts after it ends/);
});

Deno.test("parsePortList: the order given, each port once", () => {
  assert.deepEqual(parsePortList("443,80,25,80"), [443, 80, 25]);
  for (const bad of ["80,", ",80", "80,,81", "0", "65536", "http"]) {
    assert.throws(() => parsePortList(bad), PortSpecError, bad);
  }
});
