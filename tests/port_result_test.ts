/** remote/port_result.ts: `-q`'s exit code for one port and for several. */

import assert from "node:assert/strict";
import { type PortState, quietExitCode } from "../remote/port_result.ts";

const results = (...states: PortState[]) =>
  states.map((state, i) => ({
    protocol: "tcp" as const,
    port: i + 1,
    service: null,
    state,
    reason: null,
    query: null,
    detail: [],
  }));

Deno.test("quietExitCode: PortQry's 0/1/2, and the least certain port wins", () => {
  assert.equal(quietExitCode(results("LISTENING")), 0);
  assert.equal(quietExitCode(results("NOT LISTENING")), 1);
  assert.equal(quietExitCode(results("FILTERED")), 2);
  assert.equal(quietExitCode(results("LISTENING or FILTERED")), 2);
  assert.equal(quietExitCode(results("LISTENING", "LISTENING")), 0);
  assert.equal(quietExitCode(results("LISTENING", "NOT LISTENING")), 1);
  assert.equal(quietExitCode(results("NOT LISTENING", "LISTENING or FILTERED", "LISTENING")), 2);
});
