/**
 * The local report's tables, whose widths and statistics are gathered in one pass over the
 * endpoints, against formatTable over each table's own rows and counts made by filtering.
 */

import assert from "node:assert/strict";
import type { Endpoint, NetworkNamespace } from "../model/endpoint.ts";
import { formatLocalReport } from "../outputs/local_report.ts";
import { formatTable } from "../text/table.ts";
import { makeEndpoint, makeSnapshot } from "./support/endpoints.ts";

const current: NetworkNamespace = { inode: 4026531840, current: true, name: null, container: null };
const web: NetworkNamespace = {
  inode: 4026532999,
  current: false,
  name: "web-ns",
  container: null,
};

/**
 * Processes whose widest cells differ from one another's and from the whole table's: a long IPv6
 * peer held by 300 only, a long state by 400 only, a socket shared by 300 and 500, a TCP state
 * outside the usual list, an unowned row (widest port of all), and rows of another namespace.
 */
const endpoints: Endpoint[] = [
  makeEndpoint({ pid: 300, process: "a", localPort: 80, netns: current }),
  makeEndpoint({
    protocol: "tcp6",
    localAddress: "2001:db8::1",
    localPort: 443,
    remoteAddress: "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff",
    remotePort: 65000,
    state: "ESTABLISHED",
    pid: 300,
    process: "a",
    netns: current,
  }),
  makeEndpoint({ pid: 400, process: "bb", localPort: 8, state: "CLOSE_WAIT", netns: current }),
  makeEndpoint({
    protocol: "udp",
    localPort: 5353,
    state: null,
    pid: 300,
    process: "a",
    owners: [
      { pid: 300, process: "a", path: null, user: "root" },
      { pid: 500, process: "shared-one", path: null, user: "root" },
    ],
    netns: current,
  }),
  makeEndpoint({
    localPort: 65535,
    state: "BOUND" as Endpoint["state"],
    pid: null,
    process: null,
    netns: current,
  }),
  makeEndpoint({ localPort: 9000, pid: 400, process: "bb", netns: web }),
  makeEndpoint({
    protocol: "udp6",
    localAddress: "::",
    localPort: 1,
    state: null,
    pid: 600,
    process: "c",
    netns: web,
  }),
];

const report = formatLocalReport(makeSnapshot(endpoints));
const lines = report.split("\n");

/** Each endpoint's cells as the report shows them. */
function cells(endpoint: Endpoint): string[] {
  const title = { tcp: "TCP", tcp6: "TCP6", udp: "UDP", udp6: "UDP6" }[endpoint.protocol];
  const peer = endpoint.remoteAddress === null
    ? endpoint.protocol === "tcp" ? "0.0.0.0:0" : endpoint.protocol === "tcp6" ? "[::]:0" : "*:*"
    : endpoint.remoteAddress.includes(":")
    ? `[${endpoint.remoteAddress}]:${endpoint.remotePort}`
    : `${endpoint.remoteAddress}:${endpoint.remotePort}`;
  const namespace = endpoint.netns?.current === false ? endpoint.netns.name ?? "" : "";
  return [
    `${title} ${endpoint.localPort}`,
    endpoint.localAddress,
    endpoint.state ?? "",
    peer,
    namespace,
  ];
}

const HEADER = ["Port", "Local IP", "State", "Remote IP:Port", "Namespace"];

/** The first table after line `from`: its header and `rows` rows. */
function tableAfter(from: number, rows: number): string[] {
  const start = lines.findIndex((line, index) => index > from && line.includes(" Local IP "));
  assert.ok(start >= 0);
  return lines.slice(start, start + 1 + rows);
}

Deno.test("the port table and the mappings pad to their own rows' widest cells", () => {
  const port = tableAfter(lines.indexOf(" TCP/UDP Port Usage"), endpoints.length);
  assert.deepEqual(port, formatTable([HEADER, ...endpoints.map(cells)]));
  const owned = endpoints.filter((endpoint) => endpoint.pid !== null);
  const mappingRows = [
    ["PID:Process", ...HEADER],
    ...owned.map((endpoint) => [`${endpoint.pid}:${endpoint.process}`, ...cells(endpoint)]),
  ];
  const mappings = tableAfter(lines.indexOf(" TCP/UDP Port to Process Mappings"), owned.length);
  assert.deepEqual(mappings, formatTable(mappingRows));
});

Deno.test("each process's table pads to that process's rows alone, a shared socket in each holder's", () => {
  for (const pid of [300, 400, 500, 600]) {
    const held = endpoints.filter((endpoint) =>
      endpoint.owners ? endpoint.owners.some((owner) => owner.pid === pid) : endpoint.pid === pid
    );
    const block = lines.findIndex((line) => line.startsWith(` Process ID: ${pid} `));
    assert.ok(block >= 0, `a block for ${pid}`);
    assert.deepEqual(tableAfter(block, held.length), formatTable([HEADER, ...held.map(cells)]));
  }
});

Deno.test("each process's statistics count its own rows; the whole table's count every row", () => {
  const statistics = (from: number) => {
    const start = lines.findIndex((line, index) =>
      index > from && line === " TCP mappings: " + line.slice(15)
    );
    return lines.slice(start, lines.indexOf("", start + 3) + 1);
  };
  const expect = (held: Endpoint[]) => {
    const tcp = held.filter((endpoint) => endpoint.protocol.startsWith("tcp"));
    const states = ["LISTENING", "ESTABLISHED", "CLOSE_WAIT"].filter((state) =>
      tcp.some((endpoint) => endpoint.state === state)
    );
    return [
      ` TCP mappings: ${tcp.length}`,
      ` UDP mappings: ${held.length - tcp.length}`,
      "",
      ...formatTable(
        states.map((state) => {
          const count = tcp.filter((endpoint) => endpoint.state === state).length;
          return [
            ` TCP ports in a ${state} state:`,
            `${count} = ${(100 * count / tcp.length).toFixed(2)}%`,
          ];
        }),
        "",
      ),
      "",
    ];
  };
  // BOUND is not a state of the list: counted as TCP, given no line.
  assert.deepEqual(statistics(lines.indexOf(" Port Statistics")), expect(endpoints));
  for (const pid of [300, 400, 500]) {
    const held = endpoints.filter((endpoint) =>
      endpoint.owners ? endpoint.owners.some((owner) => owner.pid === pid) : endpoint.pid === pid
    );
    const block = lines.findIndex((line) => line.startsWith(` Process ID: ${pid} `));
    assert.deepEqual(statistics(block), expect(held));
  }
});
