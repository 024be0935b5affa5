// A first real test of the Windows API the Windows collector reads, run by deno.exe under Wine
// (`deno task test:windows`, see scripts/wine_env.ts). Wine's iphlpapi reports the Linux host's
// real sockets, so a listener this test opens must show up in GetExtendedTcpTable's answer.
//
// `deno task test` runs every file under tests/ with the Linux deno too; there the test is
// ignored, unless the Wine runner's PORTSET_EXPECT_WINDOWS says it should be on Windows, so that a
// runner that starts the wrong deno fails on the first assertion instead of passing silently.
import assert from "node:assert/strict";

const AF_INET = 2;
const TCP_TABLE_OWNER_PID_ALL = 5;
const NO_ERROR = 0;
const ERROR_INSUFFICIENT_BUFFER = 122;
const MIB_TCP_STATE_LISTEN = 2;
// MIB_TCPTABLE_OWNER_PID: a DWORD count, then MIB_TCPROW_OWNER_PID rows of six DWORDs (state,
// local address, local port, remote address, remote port, owning PID).
const ROW_SIZE = 24;

interface TcpRow {
  state: number;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  pid: number;
}

const onWindows = Deno.build.os === "windows";
const expectWindows = Deno.env.get("PORTSET_EXPECT_WINDOWS") === "1";

Deno.test({
  name: "GetExtendedTcpTable under Windows lists a listener this test opens",
  ignore: !onWindows && !expectWindows,
  fn() {
    assert.equal(Deno.build.os, "windows");
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const iphlpapi = Deno.dlopen("iphlpapi.dll", {
      GetExtendedTcpTable: {
        parameters: ["buffer", "buffer", "i32", "u32", "i32", "u32"],
        result: "u32",
      },
    });
    try {
      const port = listener.addr.port;
      const rows = tcpTable(iphlpapi.symbols.GetExtendedTcpTable);
      assert.ok(rows.length > 0, "the table has rows while this test listens");
      const mine = rows.find((row) => row.localPort === port && row.state === MIB_TCP_STATE_LISTEN);
      assert.ok(mine, `a LISTEN row for 127.0.0.1:${port}`);
      assert.equal(mine.localAddress, "127.0.0.1");
    } finally {
      iphlpapi.close();
      listener.close();
    }
  },
});

type GetExtendedTcpTable = (
  table: Uint8Array<ArrayBuffer> | null,
  size: Uint8Array<ArrayBuffer>,
  order: number,
  family: number,
  tableClass: number,
  reserved: number,
) => number;

// The documented two-call protocol: a zero size first gets ERROR_INSUFFICIENT_BUFFER and the size
// needed; the second call fills a buffer of that size. Sockets opened in between can grow the
// table again, so the pair is retried a few times.
function tcpTable(getExtendedTcpTable: GetExtendedTcpTable): TcpRow[] {
  const size = new Uint32Array(1);
  const sizeBytes = new Uint8Array(size.buffer);
  assert.equal(
    getExtendedTcpTable(new Uint8Array(4), sizeBytes, 0, AF_INET, TCP_TABLE_OWNER_PID_ALL, 0),
    ERROR_INSUFFICIENT_BUFFER,
  );
  for (let attempt = 0; attempt < 5; attempt++) {
    assert.ok(size[0] >= 4, `a table size of at least the count, got ${size[0]}`);
    const table = new Uint8Array(size[0]);
    const status = getExtendedTcpTable(table, sizeBytes, 0, AF_INET, TCP_TABLE_OWNER_PID_ALL, 0);
    if (status === ERROR_INSUFFICIENT_BUFFER) continue;
    assert.equal(status, NO_ERROR);
    return parseTable(new DataView(table.buffer));
  }
  assert.fail("the TCP table kept growing between the two calls");
}

function parseTable(view: DataView): TcpRow[] {
  const count = view.getUint32(0, true);
  assert.ok(4 + count * ROW_SIZE <= view.byteLength, `${count} rows fit the buffer`);
  const rows: TcpRow[] = [];
  for (let i = 0; i < count; i++) {
    const at = 4 + i * ROW_SIZE;
    rows.push({
      state: view.getUint32(at, true),
      localAddress: ipv4(view, at + 4),
      localPort: port(view.getUint32(at + 8, true)),
      remoteAddress: ipv4(view, at + 12),
      remotePort: port(view.getUint32(at + 16, true)),
      pid: view.getUint32(at + 20, true),
    });
  }
  return rows;
}

// Addresses are stored in network byte order, so their bytes read in memory order.
function ipv4(view: DataView, at: number): string {
  return [0, 1, 2, 3].map((i) => view.getUint8(at + i)).join(".");
}

// A port is in network byte order in the low 16 bits of its DWORD.
function port(value: number): number {
  return ((value & 0xff) << 8) | ((value >> 8) & 0xff);
}
