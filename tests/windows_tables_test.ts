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
  rows: RowWriter[],
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

type RowWriter = (view: DataView, bytes: Uint8Array, at: number) => void;

/** What a test row holds; unset fields stay zero. */
interface RowSpec {
  local: string;
  localPort: number;
  pid: number;
  localScope?: number;
  remote?: string;
  remoteScope?: number;
  remotePort?: number;
  state?: number;
  /** A FILETIME createTimestamp: for the OWNER_MODULE layouts only. */
  created?: bigint;
}

/**
 * MIB_TCPROW_OWNER_MODULE / _OWNER_PID: DWORD state 0, localAddr 4, localPort 8, remoteAddr 12,
 * remotePort 16, owningPid 20; createTimestamp 24.
 */
function tcpRow(spec: RowSpec): RowWriter {
  return (view, bytes, at) => {
    view.setUint32(at, spec.state ?? 0, true);
    setAddress(bytes, at + 4, spec.local);
    setPort(view, at + 8, spec.localPort);
    setAddress(bytes, at + 12, spec.remote ?? "0.0.0.0");
    setPort(view, at + 16, spec.remotePort ?? 0);
    view.setUint32(at + 20, spec.pid, true);
    if (spec.created !== undefined) view.setBigUint64(at + 24, spec.created, true);
  };
}

/**
 * MIB_TCP6ROW_OWNER_MODULE / _OWNER_PID: localAddr[16] 0, localScopeId 16, localPort 20,
 * remoteAddr[16] 24, remoteScopeId 40, remotePort 44, state 48, owningPid 52; createTimestamp 56.
 */
function tcp6Row(spec: RowSpec): RowWriter {
  return (view, bytes, at) => {
    setAddress(bytes, at, spec.local);
    view.setUint32(at + 16, spec.localScope ?? 0, true);
    setPort(view, at + 20, spec.localPort);
    setAddress(bytes, at + 24, spec.remote ?? "::");
    view.setUint32(at + 40, spec.remoteScope ?? 0, true);
    setPort(view, at + 44, spec.remotePort ?? 0);
    view.setUint32(at + 48, spec.state ?? 0, true);
    view.setUint32(at + 52, spec.pid, true);
    if (spec.created !== undefined) view.setBigUint64(at + 56, spec.created, true);
  };
}

/** MIB_UDPROW_OWNER_MODULE / _OWNER_PID: localAddr 0, localPort 4, owningPid 8; createTimestamp 16. */
function udpRow(spec: RowSpec): RowWriter {
  return (view, bytes, at) => {
    setAddress(bytes, at, spec.local);
    setPort(view, at + 4, spec.localPort);
    view.setUint32(at + 8, spec.pid, true);
    if (spec.created !== undefined) view.setBigUint64(at + 16, spec.created, true);
  };
}

/**
 * MIB_UDP6ROW_OWNER_MODULE / _OWNER_PID: localAddr[16] 0, localScopeId 16, localPort 20,
 * owningPid 24; createTimestamp 32.
 */
function udp6Row(spec: RowSpec): RowWriter {
  return (view, bytes, at) => {
    setAddress(bytes, at, spec.local);
    view.setUint32(at + 16, spec.localScope ?? 0, true);
    setPort(view, at + 20, spec.localPort);
    view.setUint32(at + 24, spec.pid, true);
    if (spec.created !== undefined) view.setBigUint64(at + 32, spec.created, true);
  };
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
  const listener = tcpRow({
    state: 2, // MIB_TCP_STATE_LISTEN
    local: "0.0.0.0",
    localPort: 3389,
    pid: 1096,
    created: BOUND_FILETIME,
  });
  const bytes = table(8, 160, [
    (view, b, at) => {
      listener(view, b, at);
      b.fill(0xee, at + 32, at + 160); // module info: opaque
    },
    tcpRow({
      state: 5, // ESTAB
      local: "172.16.16.150",
      localPort: 3389,
      remote: "172.16.16.100",
      remotePort: 1486,
      pid: 1096,
    }),
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
  const bytes = table(8, 192, [
    tcp6Row({
      local: "fe80::1",
      localScope: 12,
      localPort: 445,
      remote: "fe80::2",
      remoteScope: 12,
      remotePort: 50000,
      state: 8, // CLOSE_WAIT
      pid: 4,
      created: BOUND_FILETIME,
    }),
    // A scope on a global address is not written.
    tcp6Row({ local: "2001:db8::5", localScope: 7, localPort: 443, state: 2, pid: 0 }),
  ]);
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
  const netbios = udpRow({
    local: "169.254.149.9",
    localPort: 137,
    pid: 4,
    created: BOUND_FILETIME,
  });
  const v4 = table(8, 160, [(view, b, at) => {
    netbios(view, b, at);
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
  const v6 = table(8, 176, [
    udp6Row({ local: "::", localPort: 5353, pid: 2212, created: BOUND_FILETIME }),
  ]);
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
  const tcp = table(4, 24, [
    tcpRow({
      state: 11, // TIME_WAIT
      local: "127.0.0.1",
      localPort: 8080,
      remote: "127.0.0.1",
      remotePort: 0xfe01,
      pid: 0,
    }),
  ]);
  assert.deepEqual(
    parseTable(tcp, "tcp-pid").map((
      r,
    ) => [r.state, r.localPort, r.remotePort, r.pid, r.created, r.offset]),
    [
      ["TIME_WAIT", 8080, 0xfe01, 0, null, 4],
    ],
  );
  const tcp6 = table(4, 56, [
    tcp6Row({
      local: "::1",
      localPort: 22,
      remote: "::ffff:a00:1", // written as glibc and Windows print it: ::ffff:10.0.0.1
      remotePort: 60000,
      state: 5,
      pid: 777,
    }),
  ]);
  assert.deepEqual(
    parseTable(tcp6, "tcp6-pid").map((r) => [r.localAddress, r.remoteAddress, r.remotePort, r.pid]),
    [
      ["::1", "::ffff:10.0.0.1", 60000, 777],
    ],
  );
  const udp = table(4, 12, [
    udpRow({ local: "0.0.0.0", localPort: 53, pid: 88 }),
    udpRow({ local: "10.1.2.3", localPort: 123, pid: 89 }),
  ]);
  assert.deepEqual(
    parseTable(udp, "udp-pid").map((r) => [r.localAddress, r.localPort, r.pid, r.offset]),
    [
      ["0.0.0.0", 53, 88, 4],
      ["10.1.2.3", 123, 89, 16],
    ],
  );
  const udp6 = table(4, 28, [
    udp6Row({ local: "ff02::fb", localScope: 3, localPort: 5353, pid: 90 }),
  ]);
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
