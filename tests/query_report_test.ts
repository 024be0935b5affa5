/** outputs/query_report.ts: the text report's lines and the JSON object's fields. */

import assert from "node:assert/strict";
import { formatQueryJson, formatQueryReport } from "../outputs/query_report.ts";
import type { QueryReport } from "../remote/query.ts";

const REPORT: QueryReport = {
  host: "server.test",
  address: "192.0.2.10",
  given: "name",
  name: null,
  reverseLookup: false,
  results: [
    { protocol: "tcp", port: 80, service: "http", state: "LISTENING", detail: [] },
    {
      protocol: "udp",
      port: 53,
      service: "domain",
      state: "LISTENING",
      detail: ["DNS server answered: NOERROR", ". -> a.test."],
    },
    { protocol: "tcp", port: 4000, service: null, state: "FILTERED", detail: [] },
    {
      protocol: "tcp",
      port: 25,
      service: "smtp",
      state: "LISTENING",
      detail: ["SMTP greeting: 220 \x1b[31mhi"],
    },
  ],
};

Deno.test("formatQueryReport: target, resolution, one line per port, details indented", () => {
  assert.equal(
    formatQueryReport(REPORT),
    [
      "Querying target system called: server.test",
      "",
      "Attempting to resolve name to IP address...",
      "Name resolved to 192.0.2.10",
      "",
      "querying...",
      "",
      "TCP port 80 (http service): LISTENING",
      "UDP port 53 (domain service): LISTENING",
      "  DNS server answered: NOERROR",
      "  . -> a.test.",
      "TCP port 4000 (unknown service): FILTERED",
      "TCP port 25 (smtp service): LISTENING",
      "  SMTP greeting: 220 ?[31mhi",
      "",
    ].join("\n"),
  );
});

Deno.test("formatQueryReport: an address given, with and without its name", () => {
  const byAddress = { ...REPORT, host: "192.0.2.10", given: "address" as const, results: [] };
  assert.match(
    formatQueryReport({ ...byAddress, name: "server.test", reverseLookup: true }),
    /Attempting to resolve IP address to name\.\.\.\nIP address resolved to server\.test\n/,
  );
  assert.match(
    formatQueryReport({ ...byAddress, reverseLookup: true }),
    /No name found for this IP address/,
  );
  assert.doesNotMatch(formatQueryReport(byAddress), /resolve/, "-nr: no lookup lines");
});

Deno.test("formatQueryJson: host, address, name and camelCase results, one per line", () => {
  const text = formatQueryJson(REPORT);
  const json = JSON.parse(text);
  assert.deepEqual(Object.keys(json), ["portset", "host", "address", "name", "results"]);
  assert.deepEqual(json.results[0], {
    protocol: "tcp",
    port: 80,
    service: "http",
    state: "LISTENING",
    detail: null,
  });
  assert.equal(json.results[1].detail, "DNS server answered: NOERROR\n. -> a.test.");
  assert.equal(json.results[3].detail, "SMTP greeting: 220 \x1b[31mhi", "JSON keeps text exactly");
  assert.equal(text.split("\n").length, 2 + REPORT.results.length + 2);
});
