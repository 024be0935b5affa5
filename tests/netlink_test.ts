/**
 * collectors/linux/netlink.ts: sock_diag requests and replies as bytes. The replies here are laid
 * out field by field as the kernel writes them (include/uapi/linux/netlink.h, inet_diag.h), by a
 * builder written for this test from those layouts.
 */

import assert from "node:assert/strict";
import {
  AF_INET,
  AF_INET6,
  ALL_STATES,
  buildDumpRequest,
  buildTcpDumpRequest,
  type DiagSocket,
  INET_DIAG_SHUTDOWN,
  INET_DIAG_SKV6ONLY,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NetlinkKernelError,
  NetlinkParseError,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  parseDumpReplies,
  SOCK_DIAG_BY_FAMILY,
  TCP_CLOSE,
  TCP_ESTABLISHED,
  TCP_LISTEN,
  TCPDIAG_GETSOCK,
  tcpStateName,
  visitDumpReplies,
} from "../collectors/linux/netlink.ts";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const NLM_F_MULTI = 0x2;

// ---------------------------------------------------------------------------------------------
// Builder

/** Bytes of a host-order u16 / u32 / u64. */
function u16(value: number): number[] {
  const bytes = [value & 0xff, (value >>> 8) & 0xff];
  return LITTLE_ENDIAN ? bytes : bytes.reverse();
}
function u32(value: number): number[] {
  const bytes = [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
  return LITTLE_ENDIAN ? bytes : bytes.reverse();
}
function u64(value: bigint): number[] {
  const low = u32(Number(value & 0xffffffffn)), high = u32(Number(value >> 32n));
  return LITTLE_ENDIAN ? [...low, ...high] : [...high, ...low];
}
function be16(value: number): number[] {
  return [(value >>> 8) & 0xff, value & 0xff];
}
function pad4(bytes: number[]): number[] {
  while (bytes.length % 4 !== 0) bytes.push(0);
  return bytes;
}

/** IPv6 text (`fe80::1`, `::ffff:1.2.3.4` not needed here) or IPv4 text as 16 sockid bytes. */
function addressBytes(text: string): number[] {
  const bytes = new Array<number>(16).fill(0);
  if (!text.includes(":")) {
    text.split(".").forEach((part, i) => (bytes[i] = Number(part)));
    return bytes;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, ""];
  const words = (part: string) => (part === "" ? [] : part.split(":").map((w) => parseInt(w, 16)));
  const front = words(head), back = words(tail);
  const all = [...front, ...new Array(8 - front.length - back.length).fill(0), ...back];
  all.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

interface Attribute {
  type: number;
  payload: number[];
}

interface DiagSpec {
  family?: number;
  state?: number;
  timer?: number;
  retrans?: number;
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
  interfaceIndex?: number;
  cookie?: number;
  expires?: number;
  receiveQueue?: number;
  sendQueue?: number;
  uid?: number;
  inode?: number;
  attributes?: Attribute[];
}

/** One rtattr: u16 len (header + payload, unpadded), u16 type, payload, padding to 4. */
function attribute({ type, payload }: Attribute): number[] {
  return pad4([...u16(4 + payload.length), ...u16(type), ...payload]);
}

/** An inet_diag_msg (72 bytes) followed by its attributes. */
function diagMessage(spec: DiagSpec): number[] {
  const family = spec.family ?? AF_INET;
  const local = addressBytes(spec.localAddress ?? (family === AF_INET6 ? "::" : "0.0.0.0"));
  const remote = addressBytes(spec.remoteAddress ?? (family === AF_INET6 ? "::" : "0.0.0.0"));
  const cookie = spec.cookie ?? 0;
  const bytes = [
    family,
    spec.state ?? TCP_LISTEN,
    spec.timer ?? 0,
    spec.retrans ?? 0,
    // inet_diag_sockid
    ...be16(spec.localPort ?? 0),
    ...be16(spec.remotePort ?? 0),
    ...local,
    ...remote,
    ...u32(spec.interfaceIndex ?? 0),
    ...u32(cookie % 2 ** 32), // cookie[0]: low half
    ...u32(Math.floor(cookie / 2 ** 32)), // cookie[1]: high half
    // the rest of inet_diag_msg
    ...u32(spec.expires ?? 0),
    ...u32(spec.receiveQueue ?? 0),
    ...u32(spec.sendQueue ?? 0),
    ...u32(spec.uid ?? 0),
    ...u32(spec.inode ?? 0),
  ];
  assert.equal(bytes.length, 72, "builder: inet_diag_msg is 72 bytes");
  for (const a of spec.attributes ?? []) bytes.push(...attribute(a));
  return bytes;
}

/** One netlink message: nlmsghdr (16 bytes) + payload, padded to 4 after. */
function message(
  type: number,
  payload: number[],
  options: { length?: number; flags?: number; sequence?: number; pid?: number; pad?: boolean } = {},
): number[] {
  const length = options.length ?? 16 + payload.length;
  const bytes = [
    ...u32(length),
    ...u16(type),
    ...u16(options.flags ?? NLM_F_MULTI),
    ...u32(options.sequence ?? 7),
    ...u32(options.pid ?? 4242),
    ...payload,
  ];
  return options.pad === false ? bytes : pad4(bytes);
}

function diag(spec: DiagSpec): number[] {
  return message(SOCK_DIAG_BY_FAMILY, diagMessage(spec));
}
function done(): number[] {
  return message(NLMSG_DONE, u32(0));
}
function error(errno: number): number[] {
  // nlmsgerr: int error, then the request's nlmsghdr.
  return message(NLMSG_ERROR, [...u32(-errno >>> 0), ...new Array(16).fill(0)]);
}

function parse(bytes: number[], namer?: (index: number) => string) {
  const buffer = Uint8Array.from(bytes);
  const sockets: DiagSocket[] = [];
  const complete = parseDumpReplies(buffer, buffer.length, sockets, namer);
  return { complete, sockets };
}

// ---------------------------------------------------------------------------------------------
// Well-formed replies

Deno.test("parseDumpReplies decodes an IPv4 TCP socket field by field", () => {
  const { complete, sockets } = parse(diag({
    family: AF_INET,
    state: TCP_ESTABLISHED,
    localAddress: "127.0.0.1",
    localPort: 0x1f90,
    remoteAddress: "192.168.10.254",
    remotePort: 51234,
    cookie: 0x0000_1234_89ab_cdef,
    receiveQueue: 17,
    sendQueue: 0x01020304,
    uid: 1000,
    inode: 0xfedcba98,
  }));
  assert.equal(complete, false);
  assert.deepEqual(sockets, [{
    family: AF_INET,
    state: TCP_ESTABLISHED,
    localAddress: "127.0.0.1",
    localPort: 8080,
    remoteAddress: "192.168.10.254",
    remotePort: 51234,
    interfaceIndex: 0,
    receiveQueue: 17,
    sendQueue: 0x01020304,
    uid: 1000,
    inode: 0xfedcba98,
    cookie: 0x0000_1234_89ab_cdef,
    v6only: null,
    protocol: null,
  }]);
});

Deno.test("parseDumpReplies decodes ports big-endian and the rest host order", () => {
  const { sockets } = parse(diag({
    localPort: 0x0102,
    remotePort: 0xff00,
    uid: 0x00010002,
    inode: 0x80000001,
    receiveQueue: 0xffffffff,
  }));
  assert.equal(sockets[0].localPort, 258);
  assert.equal(sockets[0].remotePort, 65280);
  assert.equal(sockets[0].uid, 65538);
  assert.equal(sockets[0].inode, 2147483649);
  assert.equal(sockets[0].receiveQueue, 4294967295);
});

Deno.test("parseDumpReplies decodes an IPv6 socket and a cookie above 2^32", () => {
  const { sockets } = parse(diag({
    family: AF_INET6,
    state: TCP_LISTEN,
    localAddress: "2001:db8::1",
    localPort: 443,
    remoteAddress: "::",
    cookie: 0x001f_fffe_0000_0001,
    sendQueue: 4096,
    inode: 99,
  }));
  assert.equal(sockets.length, 1);
  assert.equal(sockets[0].family, AF_INET6);
  assert.equal(sockets[0].localAddress, "2001:db8::1");
  assert.equal(sockets[0].remoteAddress, "::");
  assert.equal(sockets[0].localPort, 443);
  assert.equal(sockets[0].remotePort, 0);
  assert.equal(sockets[0].cookie, 0x001f_fffe_0000_0001);
  assert.equal(sockets[0].sendQueue, 4096);
});

Deno.test("parseDumpReplies reads an IPv4-mapped IPv6 socket as glibc writes it", () => {
  const { sockets } = parse(diag({
    family: AF_INET6,
    state: TCP_ESTABLISHED,
    localAddress: "::ffff:7f00:1",
    remoteAddress: "::ffff:a00:2",
  }));
  assert.equal(sockets[0].localAddress, "::ffff:127.0.0.1");
  assert.equal(sockets[0].remoteAddress, "::ffff:10.0.0.2");
});

Deno.test("parseDumpReplies reads several messages in one buffer, in order", () => {
  const bytes = [
    ...diag({ family: AF_INET, localPort: 22, inode: 1 }),
    ...diag({ family: AF_INET6, localAddress: "::1", localPort: 53, inode: 2, state: TCP_CLOSE }),
    ...diag({
      family: AF_INET,
      localPort: 68,
      inode: 3,
      attributes: [{ type: INET_DIAG_SHUTDOWN, payload: [0] }],
    }),
  ];
  const { complete, sockets } = parse(bytes);
  assert.equal(complete, false);
  assert.deepEqual(sockets.map((s) => [s.inode, s.localAddress, s.localPort, s.state]), [
    [1, "0.0.0.0", 22, TCP_LISTEN],
    [2, "::1", 53, TCP_CLOSE],
    [3, "0.0.0.0", 68, TCP_LISTEN],
  ]);
});

Deno.test("parseDumpReplies appends to what the array already holds", () => {
  const sockets: DiagSocket[] = [];
  const first = Uint8Array.from(diag({ inode: 10 }));
  const second = Uint8Array.from([...diag({ inode: 11 }), ...done()]);
  assert.equal(parseDumpReplies(first, first.length, sockets), false);
  assert.equal(parseDumpReplies(second, second.length, sockets), true);
  assert.deepEqual(sockets.map((s) => s.inode), [10, 11]);
});

Deno.test("parseDumpReplies returns true at NLMSG_DONE and keeps the messages before it", () => {
  const { complete, sockets } = parse([...diag({ inode: 5 }), ...done()]);
  assert.equal(complete, true);
  assert.deepEqual(sockets.map((s) => s.inode), [5]);
  assert.equal(parse(done()).complete, true);
});

Deno.test("parseDumpReplies reads only `length` bytes of a larger receive buffer", () => {
  const reply = [...diag({ inode: 77 }), ...diag({ inode: 78 })];
  // A receive buffer reused from an earlier, longer read: stale bytes past `length`.
  const buffer = new Uint8Array(reply.length + 200).fill(0xee);
  buffer.set(reply);
  const sockets: DiagSocket[] = [];
  assert.equal(parseDumpReplies(buffer, reply.length, sockets), false);
  assert.deepEqual(sockets.map((s) => s.inode), [77, 78]);
});

Deno.test("parseDumpReplies works on a subarray at an odd byte offset", () => {
  const reply = [...diag({ family: AF_INET6, localAddress: "::1", localPort: 8080, inode: 3 })];
  const backing = new Uint8Array(reply.length + 3);
  backing.set(reply, 3);
  const view = backing.subarray(3);
  const sockets: DiagSocket[] = [];
  parseDumpReplies(view, view.length, sockets);
  assert.equal(sockets[0].localAddress, "::1");
  assert.equal(sockets[0].localPort, 8080);
  assert.equal(sockets[0].inode, 3);
});

Deno.test("parseDumpReplies throws NetlinkKernelError with the errno of an NLMSG_ERROR", () => {
  assert.throws(
    () => parse([...diag({ inode: 1 }), ...error(22)]),
    (e: unknown) => e instanceof NetlinkKernelError && e.errno === 22,
  );
  assert.throws(
    () => parse(error(1)),
    (e: unknown) => e instanceof NetlinkKernelError && e.errno === 1 && /errno 1\b/.test(e.message),
  );
});

Deno.test("parseDumpReplies ignores an NLMSG_ERROR with code 0 (an ack)", () => {
  const { complete, sockets } = parse([...error(0), ...diag({ inode: 9 }), ...done()]);
  assert.equal(complete, true);
  assert.deepEqual(sockets.map((s) => s.inode), [9]);
});

Deno.test("parseDumpReplies skips NLMSG_NOOP and message types it does not know", () => {
  const bytes = [
    ...message(NLMSG_NOOP, []),
    ...diag({ inode: 1 }),
    ...message(0x30, [1, 2, 3, 4, 5, 6, 7]), // unknown type, unaligned payload
    ...message(SOCK_DIAG_BY_FAMILY + 1, new Array(72).fill(0xff)),
    ...diag({ inode: 2 }),
  ];
  const { complete, sockets } = parse(bytes);
  assert.equal(complete, false);
  assert.deepEqual(sockets.map((s) => s.inode), [1, 2]);
});

Deno.test("parseDumpReplies scopes link-local IPv6 only when the socket has an interface", () => {
  const names: number[] = [];
  const namer = (index: number) => {
    names.push(index);
    return ({ 2: "eth0", 7: "wlan0" } as Record<number, string>)[index] ?? `if${index}`;
  };
  const { sockets } = parse([
    ...diag({
      family: AF_INET6,
      state: TCP_ESTABLISHED,
      localAddress: "fe80::1",
      remoteAddress: "fe80::2",
      interfaceIndex: 2,
    }),
    ...diag({ family: AF_INET6, localAddress: "fe80::1", interfaceIndex: 0 }),
    ...diag({ family: AF_INET6, state: TCP_CLOSE, localAddress: "ff02::fb", interfaceIndex: 7 }),
    // Bound to a device, but a global address: no scope.
    ...diag({ family: AF_INET6, localAddress: "2001:db8::5", interfaceIndex: 2 }),
    // Wildcard bound to a device: `::` gets no scope either.
    ...diag({ family: AF_INET6, localAddress: "::", interfaceIndex: 7 }),
  ], namer);
  assert.deepEqual(sockets.map((s) => [s.localAddress, s.remoteAddress, s.interfaceIndex]), [
    ["fe80::1%eth0", "fe80::2%eth0", 2],
    ["fe80::1", "::", 0],
    ["ff02::fb%wlan0", "::", 7],
    ["2001:db8::5", "::", 2],
    ["::", "::", 7],
  ]);
  assert.ok(!names.includes(0), "the namer is never asked about interface 0");
});

Deno.test("parseDumpReplies names interfaces by number when given no namer", () => {
  const { sockets } = parse(diag({ family: AF_INET6, localAddress: "fe80::1", interfaceIndex: 3 }));
  assert.equal(sockets[0].localAddress, "fe80::1%3");
});

Deno.test("parseDumpReplies never scopes IPv4, whatever the interface", () => {
  const { sockets } = parse(diag({ localAddress: "169.254.1.1", interfaceIndex: 2 }), () => "eth0");
  assert.equal(sockets[0].localAddress, "169.254.1.1");
  assert.equal(sockets[0].interfaceIndex, 2);
});

Deno.test("parseDumpReplies reads INET_DIAG_SKV6ONLY and steps over attributes it does not use", () => {
  const CGROUP_ID = 21; // INET_DIAG_CGROUP_ID: sent by the kernel, not read by portset
  const { sockets } = parse([
    ...diag({
      family: AF_INET6,
      attributes: [
        { type: INET_DIAG_SHUTDOWN, payload: [3] },
        { type: INET_DIAG_SKV6ONLY, payload: [1] },
        { type: CGROUP_ID, payload: u64(0x0000_0001_0000_2a3bn) },
      ],
    }),
    ...diag({ family: AF_INET6, attributes: [{ type: INET_DIAG_SKV6ONLY, payload: [0] }] }),
    ...diag({
      family: AF_INET,
      attributes: [{ type: CGROUP_ID, payload: u64(0x0000_0001_0000_1f2an) }],
    }),
    // NLA_F_NESTED / NLA_F_NET_BYTEORDER bits are not part of the type.
    ...diag({
      family: AF_INET6,
      attributes: [{ type: INET_DIAG_SKV6ONLY | 0x4000, payload: [1] }],
    }),
    ...diag({ family: AF_INET6 }),
  ]);
  assert.deepEqual(sockets.map((s) => s.v6only), [true, false, null, true, null]);
});

Deno.test("tcpStateName names every kernel TCP state as PortQry does", () => {
  const expected: [number, string][] = [
    [1, "ESTABLISHED"],
    [2, "SYN_SENT"],
    [3, "SYN_RECEIVED"],
    [4, "FIN_WAIT1"],
    [5, "FIN_WAIT2"],
    [6, "TIME_WAIT"],
    [7, "CLOSED"],
    [8, "CLOSE_WAIT"],
    [9, "LAST_ACK"],
    [10, "LISTENING"],
    [11, "CLOSING"],
    [12, "SYN_RECEIVED"],
    [0, "CLOSED"],
    [13, "CLOSED"],
  ];
  for (const [state, name] of expected) assert.equal(tcpStateName(state), name, `state ${state}`);
});

Deno.test("parseDumpReplies accepts a last message that is not padded to 4 bytes", () => {
  // 16 + 72 + 5 = 93 bytes: a one-byte attribute with its padding cut off at the buffer's end.
  const bytes = message(
    SOCK_DIAG_BY_FAMILY,
    [...diagMessage({ family: AF_INET6 }), ...u16(5), ...u16(INET_DIAG_SKV6ONLY), 1],
    { pad: false },
  );
  assert.equal(bytes.length, 93);
  const { sockets } = parse(bytes);
  assert.equal(sockets[0].v6only, true);
});

// ---------------------------------------------------------------------------------------------
// Malformed replies

function assertParseError(bytes: number[], pattern?: RegExp) {
  assert.throws(() => parse(bytes), (e: unknown) => {
    assert.ok(e instanceof NetlinkParseError, `expected NetlinkParseError, got ${e}`);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("parseDumpReplies rejects a header cut short", () => {
  assertParseError([...diag({}), ...u32(100), ...u16(SOCK_DIAG_BY_FAMILY)], /truncated/);
  assertParseError([1, 2, 3], /truncated/);
  assertParseError(message(NLMSG_DONE, []).slice(0, 15), /truncated/);
});

Deno.test("parseDumpReplies rejects a message length below the header size", () => {
  for (const length of [0, 4, 15]) {
    assertParseError(message(SOCK_DIAG_BY_FAMILY, diagMessage({}), { length }), /claims/);
  }
});

Deno.test("parseDumpReplies rejects a message length past the end of the buffer", () => {
  assertParseError(message(SOCK_DIAG_BY_FAMILY, diagMessage({}), { length: 16 + 72 + 4 }));
  assertParseError([...diag({}), ...message(NLMSG_DONE, u32(0), { length: 4096 })], /claims/);
  // Past `length`, even when the backing buffer happens to hold the bytes.
  const bytes = Uint8Array.from(diag({}));
  assert.throws(
    () => parseDumpReplies(bytes, bytes.length - 4, []),
    NetlinkParseError,
  );
});

Deno.test("parseDumpReplies rejects a diag message shorter than inet_diag_msg", () => {
  assertParseError(message(SOCK_DIAG_BY_FAMILY, diagMessage({}).slice(0, 71)), /71 of 72/);
  assertParseError(message(SOCK_DIAG_BY_FAMILY, []), /0 of 72/);
});

Deno.test("parseDumpReplies rejects an address family other than AF_INET / AF_INET6", () => {
  for (const family of [0, 1, 17, 44]) {
    assertParseError(diag({ family }), new RegExp(`family ${family}\\b`));
  }
});

Deno.test("parseDumpReplies rejects a broken attribute length", () => {
  const withAttribute = (length: number) =>
    message(SOCK_DIAG_BY_FAMILY, [
      ...diagMessage({ family: AF_INET6 }),
      ...u16(length),
      ...u16(INET_DIAG_SKV6ONLY),
      1,
      0,
      0,
      0,
    ]);
  assertParseError(withAttribute(0), /attribute/);
  assertParseError(withAttribute(3), /attribute/);
  assertParseError(withAttribute(9), /attribute/); // 8 bytes are there
  assertParseError(withAttribute(0xffff), /attribute/);
  // The same bytes with a sane length parse.
  assert.equal(parse(withAttribute(5)).sockets[0].v6only, true);
});

Deno.test("parseDumpReplies rejects an NLMSG_ERROR too short for its error code", () => {
  assertParseError(message(NLMSG_ERROR, [0, 0]), /error/);
});

// ---------------------------------------------------------------------------------------------
// Requests

Deno.test({
  name: "buildDumpRequest lays out nlmsghdr + inet_diag_req_v2 byte for byte",
  ignore: !LITTLE_ENDIAN,
  fn() {
    const expected = new Uint8Array(72);
    expected.set([72, 0, 0, 0]); // nlmsg_len
    expected.set([20, 0], 4); // SOCK_DIAG_BY_FAMILY
    expected.set([0x01, 0x03], 6); // NLM_F_REQUEST | NLM_F_DUMP = 0x301
    expected.set([0x78, 0x56, 0x34, 0x12], 8); // nlmsg_seq
    // nlmsg_pid 0: the kernel fills it
    expected.set([10, 6, 0, 0], 16); // sdiag_family, sdiag_protocol, idiag_ext, pad
    expected.set([0xff, 0x1f, 0, 0], 20); // idiag_states: bits 0..12
    // inet_diag_sockid: all zero, a dump of everything
    assert.deepEqual(buildDumpRequest(AF_INET6, IPPROTO_TCP, 0x12345678), expected);
  },
});

Deno.test("buildDumpRequest carries family, protocol, sequence and states", () => {
  const request = buildDumpRequest(AF_INET, IPPROTO_UDP, 3, 1 << TCP_LISTEN);
  assert.equal(request.length, 72);
  const view = new DataView(request.buffer);
  assert.equal(view.getUint32(0, LITTLE_ENDIAN), 72);
  assert.equal(view.getUint16(4, LITTLE_ENDIAN), SOCK_DIAG_BY_FAMILY);
  assert.equal(view.getUint16(6, LITTLE_ENDIAN), 0x301);
  assert.equal(view.getUint32(8, LITTLE_ENDIAN), 3);
  assert.equal(view.getUint32(12, LITTLE_ENDIAN), 0);
  assert.equal(request[16], AF_INET);
  assert.equal(request[17], IPPROTO_UDP);
  assert.equal(request[18], 0);
  assert.equal(view.getUint32(20, LITTLE_ENDIAN), 0x400);
  assert.ok(request.subarray(24).every((byte) => byte === 0), "sockid is zero");

  const everything = buildDumpRequest(AF_INET, IPPROTO_TCP, 1, 0xffffffff);
  assert.equal(new DataView(everything.buffer).getUint32(20, LITTLE_ENDIAN), 0xffffffff);
});

Deno.test({
  name: "buildTcpDumpRequest lays out nlmsghdr + inet_diag_req (TCPDIAG_GETSOCK) byte for byte",
  ignore: !LITTLE_ENDIAN,
  fn() {
    const expected = new Uint8Array(76);
    expected.set([76, 0, 0, 0]); // nlmsg_len
    expected.set([18, 0], 4); // TCPDIAG_GETSOCK
    expected.set([0x01, 0x03], 6); // NLM_F_REQUEST | NLM_F_DUMP
    expected.set([0x78, 0x56, 0x34, 0x12], 8); // nlmsg_seq
    // idiag_family 0 (both), src_len, dst_len, ext; then inet_diag_sockid, all zero
    expected.set([0xff, 0x1f, 0, 0], 16 + 52); // idiag_states: bits 0..12
    // idiag_dbs: zero
    assert.deepEqual(buildTcpDumpRequest(0x12345678), expected);
  },
});

Deno.test("parseDumpReplies reads the replies to TCPDIAG_GETSOCK, both families", () => {
  const { complete, sockets } = parse([
    ...message(
      TCPDIAG_GETSOCK,
      diagMessage({ localAddress: "127.0.0.1", localPort: 80, inode: 5 }),
    ),
    ...message(TCPDIAG_GETSOCK, diagMessage({ family: AF_INET6, localAddress: "::1", inode: 6 })),
    ...done(),
  ]);
  assert.equal(complete, true);
  assert.deepEqual(sockets.map((s) => [s.family, s.localAddress, s.inode]), [
    [AF_INET, "127.0.0.1", 5],
    [AF_INET6, "::1", 6],
  ]);
});

Deno.test("visitDumpReplies reads every socket into one object, as parseDumpReplies reads them", () => {
  const bytes = Uint8Array.from([
    ...diag({ localAddress: "127.0.0.1", localPort: 80, inode: 5, cookie: 9 }),
    ...diag({
      family: AF_INET6,
      localAddress: "::1",
      remoteAddress: "::1",
      remotePort: 443,
      state: TCP_ESTABLISHED,
      inode: 6,
      attributes: [{ type: INET_DIAG_SKV6ONLY, payload: [1] }],
    }),
    ...done(),
  ]);
  const parsed: DiagSocket[] = [];
  assert.equal(parseDumpReplies(bytes, bytes.length, parsed), true);
  const visited: DiagSocket[] = [];
  const objects = new Set<DiagSocket>();
  const complete = visitDumpReplies(bytes, bytes.length, (socket) => {
    objects.add(socket);
    visited.push({ ...socket });
  });
  assert.equal(complete, true);
  assert.deepEqual(visited, parsed);
  assert.equal(objects.size, 1, "one object, read into again");
});

Deno.test("ALL_STATES covers ESTABLISHED..NEW_SYN_RECV and leaves out BOUND_INACTIVE", () => {
  assert.equal(ALL_STATES, 0x1fff);
  assert.equal(ALL_STATES & (1 << 13), 0);
  assert.notEqual(ALL_STATES & (1 << TCP_LISTEN), 0);
});
