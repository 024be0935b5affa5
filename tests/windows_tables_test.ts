/**
 * collectors/windows/tables.ts on buffers laid out exactly like the iphlpapi structs (x64): sizes,
 * padding, ports in network byte order, IPv6 scope ids, FILETIME bind times.
 */

import assert from "node:assert/strict";
import { parseTable, TABLE_LAYOUTS, TableParseError } from "../collectors/windows/tables.ts";
import { parseAddress } from "./support/sockets.ts";

/** A table: the DWORD count, then rows at `header`, each written by `write` at its offset. */
function table(
  header: number,
  rowSize: number,
  rows: ((view: DataView, bytes: Uint8Array, at: number) => void)[],
): Uint8Array {
  const bytes = new Uint8Array(header + rowSize * rows.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, rows.length, true);
  rows.forEach((write, i) => write(view, bytes, header + i * rowSize));
  return bytes;
}

/** A port as Windows stores it: network byte order in the low 16 bits of a DWORD. */
function setPort(view: DataView, offset: number, port: number): void {
  view.setUint32(offset, 0, true);
  view.setUint8(offset, port >> 8);
  view.setUint8(offset + 1, port & 0xff);
}

function setAddress(bytes: Uint8Array, offset: number, text: string): void {
  bytes.set(parseAddress(text).bytes, offset);
}

/** 2026-11-22T10:00:00Z as a FILETIME. */
const BOUND = new Date("2026-11-22T10:00:00.000Z");
const BOUND_FILETIME = BigInt(BOUND.getTime()) * 10000n + 116444736000000000n;

Deno.test("row sizes and header padding of every layout", () => {
  assert.deepEqual(TABLE_LAYOUTS, {
    "tcp-module": { header: 8, row: 160 },
    "tcp6-module": { header: 8, row: 192 },
    "udp-module": { header: 8, row: 160 },
    "udp6-module": { header: 8, row: 176 },
    "tcp-pid": { header: 4, row: 24 },
    "tcp6-pid": { header: 4, row: 56 },
    "udp-pid": { header: 4, row: 12 },
    "udp6-pid": { header: 4, row: 28 },
  });
});

Deno.test("MIB_TCPTABLE_OWNER_MODULE: a listener and a connection", () => {
  const bytes = table(8, 160, [
    (view, b, at) => {
      view.setUint32(at, 2, true); // MIB_TCP_STATE_LISTEN
      setAddress(b, at + 4, "0.0.0.0");
      setPort(view, at + 8, 3389);
      setAddress(b, at + 12, "0.0.0.0");
      setPort(view, at + 16, 0);
      view.setUint32(at + 20, 1096, true);
      view.setBigUint64(at + 24, BOUND_FILETIME, true);
      b.fill(0xee, at + 32, at + 160); // module info: opaque
    },
    (view, b, at) => {
      view.setUint32(at, 5, true); // ESTAB
      setAddress(b, at + 4, "172.16.16.150");
      setPort(view, at + 8, 3389);
      setAddress(b, at + 12, "172.16.16.100");
      setPort(view, at + 16, 1486);
      view.setUint32(at + 20, 1096, true);
    },
  ]);
  assert.deepEqual(parseTable(bytes, "tcp-module"), [
    {
      protocol: "tcp",
      localAddress: "0.0.0.0",
      localPort: 3389,
      remoteAddress: null,
      remotePort: null,
      state: "LISTENING",
      pid: 1096,
      created: BOUND,
      offset: 8,
    },
    {
      protocol: "tcp",
      localAddress: "172.16.16.150",
      localPort: 3389,
      remoteAddress: "172.16.16.100",
      remotePort: 1486,
      state: "ESTABLISHED",
      pid: 1096,
      created: null,
      offset: 168,
    },
  ]);
});

Deno.test("MIB_TCP6TABLE_OWNER_MODULE: addresses, scope ids of link-local addresses, ports, state", () => {
  const bytes = table(8, 192, [(view, b, at) => {
    setAddress(b, at, "fe80::1");
    view.setUint32(at + 16, 12, true);
    setPort(view, at + 20, 445);
    setAddress(b, at + 24, "fe80::2");
    view.setUint32(at + 40, 12, true);
    setPort(view, at + 44, 50000);
    view.setUint32(at + 48, 8, true); // CLOSE_WAIT
    view.setUint32(at + 52, 4, true);
    view.setBigUint64(at + 56, BOUND_FILETIME, true);
  }, (view, b, at) => {
    setAddress(b, at, "2001:db8::5");
    view.setUint32(at + 16, 7, true); // a scope on a global address is not written
    setPort(view, at + 20, 443);
    view.setUint32(at + 48, 2, true);
  }]);
  const [linkLocal, global] = parseTable(bytes, "tcp6-module");
  assert.deepEqual(
    [
      linkLocal.localAddress,
      linkLocal.localPort,
      linkLocal.remoteAddress,
      linkLocal.remotePort,
      linkLocal.state,
      linkLocal.pid,
    ],
    ["fe80::1%12", 445, "fe80::2%12", 50000, "CLOSE_WAIT", 4],
  );
  assert.deepEqual(linkLocal.created, BOUND);
  assert.deepEqual([global.localAddress, global.state, global.remoteAddress], [
    "2001:db8::5",
    "LISTENING",
    null,
  ]);
});

Deno.test("MIB_UDPTABLE_OWNER_MODULE and MIB_UDP6TABLE_OWNER_MODULE", () => {
  const v4 = table(8, 160, [(view, b, at) => {
    setAddress(b, at, "169.254.149.9");
    setPort(view, at + 4, 137);
    view.setUint32(at + 8, 4, true);
    view.setBigUint64(at + 16, BOUND_FILETIME, true);
    view.setInt32(at + 24, 1, true); // SpecificPortBind
  }]);
  assert.deepEqual(parseTable(v4, "udp-module"), [{
    protocol: "udp",
    localAddress: "169.254.149.9",
    localPort: 137,
    remoteAddress: null,
    remotePort: null,
    state: null,
    pid: 4,
    created: BOUND,
    offset: 8,
  }]);
  const v6 = table(8, 176, [(view, b, at) => {
    setAddress(b, at, "::");
    setPort(view, at + 20, 5353);
    view.setUint32(at + 24, 2212, true);
    view.setBigUint64(at + 32, BOUND_FILETIME, true);
  }]);
  const [row] = parseTable(v6, "udp6-module");
  assert.deepEqual([row.protocol, row.localAddress, row.localPort, row.pid, row.created], [
    "udp6",
    "::",
    5353,
    2212,
    BOUND,
  ]);
});

Deno.test("the OWNER_PID layouts: no timestamps, DWORD-aligned rows after a 4-byte count", () => {
  const tcp = table(4, 24, [(view, b, at) => {
    view.setUint32(at, 11, true); // TIME_WAIT
    setAddress(b, at + 4, "127.0.0.1");
    setPort(view, at + 8, 8080);
    setAddress(b, at + 12, "127.0.0.1");
    setPort(view, at + 16, 0xfe01);
    view.setUint32(at + 20, 0, true);
  }]);
  assert.deepEqual(
    parseTable(tcp, "tcp-pid").map((
      r,
    ) => [r.state, r.localPort, r.remotePort, r.pid, r.created, r.offset]),
    [
      ["TIME_WAIT", 8080, 0xfe01, 0, null, 4],
    ],
  );
  const tcp6 = table(4, 56, [(view, b, at) => {
    setAddress(b, at, "::1");
    setPort(view, at + 20, 22);
    setAddress(b, at + 24, "::ffff:a00:1"); // written as glibc and Windows print it: ::ffff:10.0.0.1
    setPort(view, at + 44, 60000);
    view.setUint32(at + 48, 5, true);
    view.setUint32(at + 52, 777, true);
  }]);
  assert.deepEqual(
    parseTable(tcp6, "tcp6-pid").map((r) => [r.localAddress, r.remoteAddress, r.remotePort, r.pid]),
    [
      ["::1", "::ffff:10.0.0.1", 60000, 777],
    ],
  );
  const udp = table(4, 12, [(view, b, at) => {
    setAddress(b, at, "0.0.0.0");
    setPort(view, at + 4, 53);
    view.setUint32(at + 8, 88, true);
  }, (view, b, at) => {
    setAddress(b, at, "10.1.2.3");
    setPort(view, at + 4, 123);
    view.setUint32(at + 8, 89, true);
  }]);
  assert.deepEqual(
    parseTable(udp, "udp-pid").map((r) => [r.localAddress, r.localPort, r.pid, r.offset]),
    [
      ["0.0.0.0", 53, 88, 4],
      ["10.1.2.3", 123, 89, 16],
    ],
  );
  const udp6 = table(4, 28, [(view, b, at) => {
    setAddress(b, at, "ff02::fb");
    view.setUint32(at + 16, 3, true);
    setPort(view, at + 20, 5353);
    view.setUint32(at + 24, 90, true);
  }]);
  assert.deepEqual(parseTable(udp6, "udp6-pid").map((r) => [r.localAddress, r.localPort, r.pid]), [
    ["ff02::fb%3", 5353, 90],
  ]);
});

Deno.test("a table shorter than its count says is refused; an empty one is no rows", () => {
  const bytes = table(8, 160, [() => {}, () => {}]);
  assert.throws(() => parseTable(bytes, "tcp-module", bytes.length - 1), TableParseError);
  assert.throws(() => parseTable(new Uint8Array(3), "udp-pid"), /needs 4 bytes/);
  assert.deepEqual(parseTable(new Uint8Array(8), "tcp6-module"), []);
  // The filled length counts, not the buffer's: Windows may leave slack at the end.
  const slack = new Uint8Array(100);
  assert.deepEqual(parseTable(slack, "udp-pid", 4), []);
});
