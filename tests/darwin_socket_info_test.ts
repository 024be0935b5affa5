/** collectors/darwin/socket_info.ts on buffers laid out like macOS's struct socket_fdinfo (64-bit). */

import assert from "node:assert/strict";
import {
  parseFdList,
  parseSocketFdinfo,
  SOCKET_FDINFO_SIZE,
} from "../collectors/darwin/socket_info.ts";
import { parseAddress } from "./support/sockets.ts";

const PSI = 24, PROTO = PSI + 240;

interface Spec {
  family: 2 | 30;
  protocol: 6 | 17;
  kind: 1 | 2; // SOCKINFO_IN, SOCKINFO_TCP
  vflag: number;
  local: string;
  localPort: number;
  remote?: string;
  remotePort?: number;
  state?: number;
  uid?: number;
  rcv?: number;
  snd?: number;
}

/** A socket_fdinfo written field by field at the offsets sys/proc_info.h gives. */
function fdinfo(spec: Spec): Uint8Array {
  const bytes = new Uint8Array(SOCKET_FDINFO_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(PSI + 16, spec.uid ?? 501, true); // soi_stat.vst_uid
  view.setBigUint64(PSI + 136, 0xffffff8012345678n, true); // soi_so
  view.setInt32(PSI + 152, spec.protocol === 6 ? 1 : 2, true); // soi_type SOCK_STREAM / DGRAM
  view.setInt32(PSI + 156, spec.protocol, true);
  view.setInt32(PSI + 160, spec.family, true);
  view.setUint32(PSI + 184, spec.rcv ?? 0, true); // soi_rcv.sbi_cc
  view.setUint32(PSI + 208, spec.snd ?? 0, true); // soi_snd.sbi_cc
  view.setInt32(PSI + 232, spec.kind, true);
  const port = (offset: number, value: number) => {
    bytes[PROTO + offset] = value >> 8;
    bytes[PROTO + offset + 1] = value & 0xff;
  };
  port(0, spec.remotePort ?? 0); // insi_fport
  port(4, spec.localPort); // insi_lport
  bytes[PROTO + 24] = spec.vflag; // insi_vflag
  const address = (offset: number, text: string) => {
    const { family, bytes: raw } = parseAddress(text);
    bytes.set(raw, PROTO + offset + (family === 2 ? 12 : 0)); // in4in6_addr: v4 in the last 4
  };
  address(32, spec.remote ?? (spec.family === 2 ? "0.0.0.0" : "::"));
  address(48, spec.local);
  if (spec.kind === 2) view.setInt32(PROTO + 80, spec.state ?? 0, true); // tcpsi_state
  return bytes;
}

Deno.test("a TCP listener and an established IPv4 connection", () => {
  assert.deepEqual(
    parseSocketFdinfo(
      fdinfo({
        family: 2,
        protocol: 6,
        kind: 2,
        vflag: 1,
        local: "127.0.0.1",
        localPort: 8080,
        state: 1,
        uid: 0,
        snd: 128,
      }),
    ),
    {
      protocol: "tcp",
      localAddress: "127.0.0.1",
      localPort: 8080,
      remoteAddress: null,
      remotePort: null,
      state: "LISTENING",
      uid: 0,
      receiveQueue: 0,
      sendQueue: 128,
      kernelAddress: 0xffffff8012345678n,
    },
  );
  const connection = parseSocketFdinfo(fdinfo({
    family: 2,
    protocol: 6,
    kind: 2,
    vflag: 1,
    local: "192.168.1.5",
    localPort: 50123,
    remote: "17.253.144.10",
    remotePort: 443,
    state: 4,
    rcv: 17,
  }));
  assert.deepEqual(
    [
      connection?.protocol,
      connection?.localAddress,
      connection?.remoteAddress,
      connection?.remotePort,
      connection?.state,
      connection?.receiveQueue,
    ],
    ["tcp", "192.168.1.5", "17.253.144.10", 443, "ESTABLISHED", 17],
  );
});

Deno.test("IPv6: a v6 socket, and a dual-stack one talking IPv4 written ::ffff:a.b.c.d", () => {
  const v6 = parseSocketFdinfo(
    fdinfo({
      family: 30,
      protocol: 6,
      kind: 2,
      vflag: 2,
      local: "fe80::1",
      localPort: 22,
      remote: "2001:db8::9",
      remotePort: 60000,
      state: 10,
    }),
  );
  assert.deepEqual([v6?.protocol, v6?.localAddress, v6?.remoteAddress, v6?.state], [
    "tcp6",
    "fe80::1",
    "2001:db8::9",
    "TIME_WAIT",
  ]);
  const mapped = parseSocketFdinfo(
    fdinfo({
      family: 30,
      protocol: 6,
      kind: 2,
      vflag: 1,
      local: "127.0.0.1",
      localPort: 8080,
      remote: "127.0.0.1",
      remotePort: 5555,
      state: 4,
    }),
  );
  assert.deepEqual([mapped?.protocol, mapped?.localAddress, mapped?.remoteAddress], [
    "tcp6",
    "::ffff:127.0.0.1",
    "::ffff:127.0.0.1",
  ]);
  const dualListener = parseSocketFdinfo(
    fdinfo({ family: 30, protocol: 6, kind: 2, vflag: 3, local: "::", localPort: 80, state: 1 }),
  );
  assert.deepEqual([dualListener?.localAddress, dualListener?.state], ["::", "LISTENING"]);
});

Deno.test("UDP bound and connected; every TCP state number", () => {
  const bound = parseSocketFdinfo(
    fdinfo({ family: 2, protocol: 17, kind: 1, vflag: 1, local: "0.0.0.0", localPort: 5353 }),
  );
  assert.deepEqual([bound?.protocol, bound?.remoteAddress, bound?.state], ["udp", null, null]);
  const connected = parseSocketFdinfo(
    fdinfo({
      family: 30,
      protocol: 17,
      kind: 1,
      vflag: 2,
      local: "::1",
      localPort: 4000,
      remote: "::1",
      remotePort: 53,
    }),
  );
  assert.deepEqual([connected?.protocol, connected?.remoteAddress, connected?.remotePort], [
    "udp6",
    "::1",
    53,
  ]);
  const names = [
    "CLOSED",
    "LISTENING",
    "SYN_SENT",
    "SYN_RECEIVED",
    "ESTABLISHED",
    "CLOSE_WAIT",
    "FIN_WAIT1",
    "CLOSING",
    "LAST_ACK",
    "FIN_WAIT2",
    "TIME_WAIT",
  ];
  names.forEach((name, state) => {
    const socket = parseSocketFdinfo(
      fdinfo({
        family: 2,
        protocol: 6,
        kind: 2,
        vflag: 1,
        local: "10.0.0.1",
        localPort: 1,
        remote: "10.0.0.2",
        remotePort: 2,
        state,
      }),
    );
    assert.equal(socket?.state, name, `TCPS ${state}`);
  });
});

Deno.test("other sockets and short buffers are not endpoints", () => {
  const unix = fdinfo({
    family: 2,
    protocol: 6,
    kind: 2,
    vflag: 1,
    local: "0.0.0.0",
    localPort: 1,
  });
  new DataView(unix.buffer).setInt32(PSI + 160, 1, true); // AF_UNIX
  assert.equal(parseSocketFdinfo(unix), null);
  const raw = fdinfo({ family: 2, protocol: 6, kind: 1, vflag: 1, local: "0.0.0.0", localPort: 1 }); // TCP but SOCKINFO_IN
  assert.equal(parseSocketFdinfo(raw), null);
  assert.equal(parseSocketFdinfo(new Uint8Array(100)), null);
  assert.equal(
    parseSocketFdinfo(
      fdinfo({ family: 2, protocol: 6, kind: 2, vflag: 1, local: "0.0.0.0", localPort: 1 }),
      PROTO + 80,
    ),
    null,
  );
});

Deno.test("parseFdList reads struct proc_fdinfo entries", () => {
  const bytes = new Uint8Array(24);
  const view = new DataView(bytes.buffer);
  [[0, 1], [3, 2], [7, 2]].forEach(([fd, type], i) => {
    view.setInt32(i * 8, fd, true);
    view.setUint32(i * 8 + 4, type, true);
  });
  assert.deepEqual(
    parseFdList(bytes, 20),
    [{ fd: 0, type: 1 }, { fd: 3, type: 2 }],
    "a partial entry is not read",
  );
});
