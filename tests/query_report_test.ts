/**
 * outputs/query_report.ts: PortQry's layout, checked line by line against the published
 * transcripts in ../shared/spec/samples/portqry-transcripts.md (the target and resolution lines,
 * a greeting under `Data returned from port:`, a UDP query staged from `LISTENING or FILTERED`
 * to its last line, SNMP's community, the LDAP and SQL Server frames). The JSON object:
 * tests/query_json_test.ts.
 */

import assert from "node:assert/strict";
import { formatQueryReport, queryReportChunks } from "../outputs/query_report.ts";
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

Deno.test("formatQueryReport: the target and its resolution, as PortQry prints them", () => {
  assert.equal(
    formatQueryReport({
      ...REPORT,
      results: [result({ protocol: "tcp", port: 1433, service: "ms-sql-s" })],
    }),
    [
      "Querying target system called:",
      "",
      "myserver",
      "",
      "Attempting to resolve name to IP address...",
      "",
      "Name resolved to 169.254.24.86",
      "",
      "querying...",
      "",
      "TCP port 1433 (ms-sql-s service): LISTENING",
      "",
    ].join("\n"),
  );
  const byAddress = { ...REPORT, host: "169.254.0.2", given: "address" as const };
  assert.match(
    formatQueryReport({ ...byAddress, name: "RPCServer.contoso.com", reverseLookup: true }),
    /^Querying target system called:\n\n169\.254\.0\.2\n\nAttempting to resolve IP address to a name\.\.\.\n\nIP address resolved to RPCServer\.contoso\.com\n\nquerying\.\.\.\n/,
  );
  assert.match(
    formatQueryReport({ ...byAddress, reverseLookup: true }),
    /No name found for this IP address/,
  );
  assert.doesNotMatch(formatQueryReport(byAddress), /resolve/, "-nr: no lookup lines");
  assert.match(
    formatQueryReport({ ...REPORT, host: "localhost", otherAddresses: ["127.0.0.1"] }),
    /\nOther addresses for localhost \(not queried\): 127\.0\.0\.1\n/,
  );
});

Deno.test("formatQueryReport: a greeting, whole, under 'Data returned from port:'", () => {
  const text = formatQueryReport({
    ...REPORT,
    results: [
      result({
        protocol: "tcp",
        port: 21,
        service: "ftp",
        query: "greeting",
        detail: ["220-Welcome", "220 \x1b[31mready"],
      }),
      result({ protocol: "tcp", port: 22, service: "ssh", state: "NOT LISTENING" }),
    ],
  });
  assert.ok(
    text.endsWith(
      [
        "querying...",
        "",
        "TCP port 21 (ftp service): LISTENING",
        "",
        "Data returned from port:",
        "220-Welcome",
        "220 ?[31mready",
        "",
        "TCP port 22 (ssh service): NOT LISTENING",
        "",
      ].join("\n"),
    ),
    text,
  );
});

Deno.test("formatQueryReport: a UDP query staged as PortQry stages it", () => {
  const text = formatQueryReport({
    ...REPORT,
    community: "secure123",
    results: [
      result({
        protocol: "udp",
        port: 389,
        query: "LDAP",
        detail: ["namingContexts: DC=domain,DC=example,DC=com", "supportedLDAPVersion: 3"],
      }),
      result({ protocol: "udp", port: 161, service: "snmp", query: "SNMP", detail: ["x"] }),
      result({
        protocol: "udp",
        port: 53,
        service: "domain",
        state: "LISTENING or FILTERED",
        query: "DNS",
      }),
      result({
        protocol: "udp",
        port: 1434,
        service: "ms-sql-m",
        query: "SQL Server",
        detail: ["ServerName SQL-Server1", "tcp 1433"],
      }),
    ],
  });
  const expected = [
    "UDP port 389 (unknown service): LISTENING or FILTERED",
    "",
    "Sending LDAP query to UDP port 389...",
    "",
    "LDAP query response:",
    "",
    "namingContexts: DC=domain,DC=example,DC=com",
    "supportedLDAPVersion: 3",
    "",
    "======== End of LDAP query response ========",
    "",
    "UDP port 389 is LISTENING",
    "",
    "UDP port 161 (snmp service): LISTENING or FILTERED",
    "",
    "community name for query:",
    "",
    "secure123",
    "",
    "Sending SNMP query to UDP port 161...",
    "",
    "x",
    "",
    "UDP port 161 is LISTENING",
    "",
    "UDP port 53 (domain service): LISTENING or FILTERED",
    "",
    "Sending DNS query to UDP port 53...",
    "",
    "UDP port 53 is LISTENING or FILTERED",
    "",
    "UDP port 1434 (ms-sql-m service): LISTENING or FILTERED",
    "",
    "Sending SQL Server query to UDP port 1434...",
    "",
    "Server's response:",
    "",
    "ServerName SQL-Server1",
    "tcp 1433",
    "",
    "==== End of SQL Server query response ====",
    "",
    "UDP port 1434 is LISTENING",
    "",
  ].join("\n");
  assert.ok(text.endsWith(`querying...\n\n${expected}`), text);
});

Deno.test("formatQueryReport: a reason goes under its port; a forged line break does not", () => {
  const text = formatQueryReport({
    ...REPORT,
    name: "evil\nTCP port 1 (x service): LISTENING",
    given: "address",
    reverseLookup: true,
    results: [
      result({
        protocol: "tcp",
        port: 41001,
        state: "FILTERED",
        reason: "ICMP protocol unreachable (type 3, code 2) from 127.0.0.1",
      }),
    ],
  });
  assert.match(
    text,
    /\nTCP port 41001 \(unknown service\): FILTERED\n {2}ICMP protocol unreachable \(type 3, code 2\) from 127\.0\.0\.1\n$/,
  );
  assert.match(text, /IP address resolved to evil\?TCP port 1 \(x service\): LISTENING\n/);
});

Deno.test("queryReportChunks: a long range comes in chunks that join to the whole report", () => {
  const results = Array.from(
    { length: 10_000 },
    (_, i) => result({ protocol: "tcp", port: i + 1, state: "NOT LISTENING" }),
  );
  const chunks = [...queryReportChunks({ ...REPORT, results })];
  assert.ok(chunks.length > 1);
  assert.equal(chunks.join(""), formatQueryReport({ ...REPORT, results }));
  assert.equal(chunks.join("").split("\n").length, 10 + 10_000 + 1);
});

Deno.test("formatQueryReport: the endpoint map in PortQry's frame", () => {
  const text = formatQueryReport({
    ...REPORT,
    results: [
      result({
        protocol: "tcp",
        port: 135,
        service: "epmap",
        query: "RPC endpoint mapper",
        detail: [
          "UUID: d95afe70-a6d5-4259-822e-2c84da1ddb0d",
          "ncacn_ip_tcp:169.254.0.2[49664]",
          "",
          "Total endpoints found: 1",
        ],
      }),
      result({
        protocol: "udp",
        port: 135,
        service: "epmap",
        state: "LISTENING or FILTERED",
        query: "RPC endpoint mapper",
      }),
    ],
  });
  const expected = [
    "TCP port 135 (epmap service): LISTENING",
    "",
    "Querying Endpoint Mapper Database...",
    "Server's response:",
    "",
    "UUID: d95afe70-a6d5-4259-822e-2c84da1ddb0d",
    "ncacn_ip_tcp:169.254.0.2[49664]",
    "",
    "Total endpoints found: 1",
    "",
    "==== End of RPC Endpoint Mapper query response ====",
    "",
    "UDP port 135 (epmap service): LISTENING or FILTERED",
    "",
    "Querying Endpoint Mapper Database...",
    "",
    "UDP port 135 is LISTENING or FILTERED",
    "",
  ].join("\n");
  assert.ok(text.endsWith(`querying...\n\n${expected}`), text);
});
