/** outputs/query_json.ts: `-n --json`'s head and results, one result per line. */

import assert from "node:assert/strict";
import { formatQueryJson, QUERY_FORMAT } from "../outputs/query_json.ts";
import type { PortResult } from "../remote/port_result.ts";
import type { QueryReport } from "../remote/query.ts";

const result = (fields: Partial<PortResult> & Pick<PortResult, "protocol" | "port">) => ({
  service: null,
  state: "LISTENING" as const,
  reason: null,
  query: null,
  detail: [],
  ...fields,
});

const REPORT: QueryReport = {
  host: "myserver",
  address: "169.254.24.86",
  given: "name",
  name: null,
  reverseLookup: false,
  otherAddresses: [],
  community: "public",
  results: [],
};

const FACTS = { host: "here", time: "2026-11-22T00:00:00.000Z" };

Deno.test("formatQueryJson: this machine as host, the queried one as target, every result", () => {
  const text = formatQueryJson({
    ...REPORT,
    host: "localhost",
    address: "::1",
    otherAddresses: ["127.0.0.1"],
    results: [
      result({ protocol: "tcp", port: 80, service: "http" }),
      result({ protocol: "udp", port: 53, service: "domain", query: "DNS", detail: ["a", "b"] }),
      result({ protocol: "tcp", port: 7, state: "FILTERED", reason: "why" }),
    ],
  }, FACTS);
  const json = JSON.parse(text);
  assert.deepEqual(Object.keys(json), [
    "format",
    "portset",
    "host",
    "time",
    "target",
    "address",
    "otherAddresses",
    "name",
    "results",
  ]);
  assert.equal(json.format, QUERY_FORMAT);
  assert.equal(json.host, "here");
  assert.equal(json.target, "localhost");
  assert.deepEqual(json.otherAddresses, ["127.0.0.1"]);
  assert.deepEqual(json.results[0], {
    protocol: "tcp6",
    port: 80,
    service: "http",
    state: "LISTENING",
    reason: null,
    query: null,
    detail: null,
  });
  assert.equal(json.results[1].protocol, "udp6", "the family of the address probed");
  assert.equal(json.results[1].detail, "a\nb");
  assert.equal(json.results[2].reason, "why");
  assert.equal(text.split("\n").length, 2 + 3 + 2, "one result per line");
});

Deno.test("formatQueryJson: an IPv4 target's protocols are tcp and udp; no results is []", () => {
  const json = JSON.parse(
    formatQueryJson({ ...REPORT, results: [result({ protocol: "udp", port: 53 })] }, FACTS),
  );
  assert.equal(json.results[0].protocol, "udp");
  assert.deepEqual(JSON.parse(formatQueryJson(REPORT, FACTS)).results, []);
});
