/** collectors/linux/netns_sock_diag.ts: a namespace's own socket counts decide whether to dump it. */

import assert from "node:assert/strict";
import { countsHeld, heldTables } from "../collectors/linux/netns_sock_diag.ts";
import { DUMPS } from "../collectors/linux/sock_diag.ts";

const EMPTY4 = `sockets: used 0
TCP: inuse 0 orphan 0 tw 0 alloc 412 mem 119
UDP: inuse 0 mem 0
UDPLITE: inuse 0
RAW: inuse 0
FRAG: inuse 0 memory 0
`;
const EMPTY6 = `TCP6: inuse 0
UDP6: inuse 0
UDPLITE6: inuse 0
RAW6: inuse 0
FRAG6: inuse 0 memory 0
`;

Deno.test("a namespace with no TCP or UDP socket of its own is empty, whatever the host allocates", () => {
  assert.equal(countsHeld(EMPTY4, EMPTY6), false, "alloc is host-wide and does not count");
  for (
    const [four, six] of [
      [EMPTY4.replace("TCP: inuse 0", "TCP: inuse 1"), EMPTY6],
      [EMPTY4.replace("tw 0", "tw 3"), EMPTY6],
      [EMPTY4.replace("UDP: inuse 0", "UDP: inuse 2"), EMPTY6],
      [EMPTY4, EMPTY6.replace("TCP6: inuse 0", "TCP6: inuse 1")],
      [EMPTY4, EMPTY6.replace("UDP6: inuse 0", "UDP6: inuse 1")],
      [EMPTY4, ""], // counts that cannot be read: dumped to be sure
    ]
  ) {
    assert.equal(countsHeld(four, six), true, `${four}\n${six}`);
  }
});

Deno.test("only the tables that hold a socket are dumped: TCP alone is one dump, not three", () => {
  const tables = (four: string, six: string) => [...heldTables(four, six)].sort();
  assert.deepEqual(tables(EMPTY4.replace("TCP: inuse 0", "TCP: inuse 1"), EMPTY6), ["tcp4"]);
  assert.deepEqual(
    tables(EMPTY4.replace("tw 0", "tw 2"), EMPTY6),
    ["tcp4", "tcp6"],
    "TIME_WAIT is counted for both families together",
  );
  assert.deepEqual(tables(EMPTY4, EMPTY6.replace("UDP6: inuse 0", "UDP6: inuse 4")), ["udp6"]);
  assert.deepEqual(tables(EMPTY4, ""), ["tcp6", "udp6"], "unread counts are some");
  const dumped = DUMPS.filter((dump) => dump.covers.some((table) => table === "tcp4"));
  assert.equal(dumped.length, 1, "TCP's one dump covers it");
});
