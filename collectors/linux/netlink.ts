/**
 * NETLINK_SOCK_DIAG messages as bytes: the `inet_diag_req_v2` dump request, and the parser for
 * the `inet_diag_msg` replies. Pure functions over buffers, so they are tested without a kernel.
 *
 * Layouts (include/uapi/linux/netlink.h, inet_diag.h, sock_diag.h):
 * - nlmsghdr: u32 len, u16 type, u16 flags, u32 seq, u32 pid (16 bytes, host order)
 * - inet_diag_req_v2: u8 family, u8 protocol, u8 ext, u8 pad, u32 states, inet_diag_sockid
 * - inet_diag_req (the first version, TCPDIAG_GETSOCK): u8 family, src_len, dst_len, ext,
 *   inet_diag_sockid, u32 states, u32 dbs (60 bytes)
 * - inet_diag_sockid: be16 sport, be16 dport, be32 src[4], be32 dst[4], u32 if, u32 cookie[2]
 * - inet_diag_msg: u8 family, state, timer, retrans, inet_diag_sockid, u32 expires, rqueue,
 *   wqueue, uid, inode (72 bytes), then rtattrs
 *
 * @module
 */

import { ipv6NeedsScope } from "../../model/address.ts";
import { AddressTexts } from "./address_texts.ts";
import type { TcpState } from "../../model/endpoint.ts";
import { HOST_LITTLE_ENDIAN } from "./ffi.ts";

/** Socket constants for opening NETLINK_SOCK_DIAG sockets (linux/socket.h, netlink.h). */
export const AF_NETLINK = 16;
export const SOCK_DGRAM = 2;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const NETLINK_SOCK_DIAG = 4;
export const SOL_SOCKET = 1;
export const EINTR = 4;
export const EAGAIN = 11;

export const AF_INET = 2;
export const AF_INET6 = 10;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export const NLMSG_HEADER_SIZE = 16;
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const SOCK_DIAG_BY_FAMILY = 20;
/** The first inet_diag request type, TCP only; its replies carry the same type. */
export const TCPDIAG_GETSOCK = 18;
export const NLM_F_REQUEST = 0x1;
export const NLM_F_DUMP = 0x300;

export const INET_DIAG_REQ_SIZE = 56;
export const INET_DIAG_REQ_V1_SIZE = 60;
export const INET_DIAG_MSG_SIZE = 72;
export const INET_DIAG_SHUTDOWN = 8;
export const INET_DIAG_PROTOCOL = 10;
export const INET_DIAG_SKV6ONLY = 11;

/** Kernel TCP state numbers (include/net/tcp_states.h). */
export const TCP_ESTABLISHED = 1;
export const TCP_CLOSE = 7;
export const TCP_LISTEN = 10;
export const TCP_NEW_SYN_RECV = 12;
export const TCP_BOUND_INACTIVE = 13;

/** PortQry's names for the kernel's TCP state numbers (include/net/tcp_states.h). */
const TCP_STATE_NAMES: readonly (TcpState | undefined)[] = [
  undefined,
  "ESTABLISHED", // 1
  "SYN_SENT",
  "SYN_RECEIVED",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSED", // 7 TCP_CLOSE
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTENING", // 10
  "CLOSING",
  "SYN_RECEIVED", // 12 TCP_NEW_SYN_RECV: a pending connection request
];

/** The PortQry name of a kernel TCP state number; CLOSED for a number the kernel does not use. */
export function tcpStateName(state: number): TcpState {
  return TCP_STATE_NAMES[state] ?? "CLOSED";
}

/**
 * Every state bit up to TCP_NEW_SYN_RECV: listeners, connections, TIME_WAIT and pending
 * connection requests. TCP_BOUND_INACTIVE (bound, neither listening nor connected; kernels from
 * 6.5 can dump those) is left out so the result matches /proc/net/tcp, `ss -a` and netstat.
 */
export const ALL_STATES = (1 << TCP_BOUND_INACTIVE) - 1;

/** One socket as sock_diag describes it, addresses already in text form. */
export interface DiagSocket {
  family: typeof AF_INET | typeof AF_INET6;
  /** Kernel TCP state number (UDP reports TCP_ESTABLISHED when connected, TCP_CLOSE when not). */
  state: number;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Interface index the socket is bound to, 0 when none. */
  interfaceIndex: number;
  receiveQueue: number;
  /** Null where the source does not tell it (a listener's backlog in /proc/net). */
  sendQueue: number | null;
  uid: number;
  inode: number;
  /**
   * Kernel socket cookie, unique for the life of the boot even where inode is 0 (null from
   * /proc/net). A number, not a bigint: the kernel counts cookies up from 1, so they stay far
   * below 2^53, and a bigint per socket is a measurable cost on a 16,000-socket dump.
   */
  cookie: number | null;
  /** IPV6_V6ONLY, for AF_INET6 sockets. */
  v6only: boolean | null;
  /**
   * IPPROTO_TCP or IPPROTO_UDP, where the message says (destroy notifications do; a dump's
   * protocol is the one asked for).
   */
  protocol: number | null;
}

/** A reply that is not laid out as netlink promises. */
export class NetlinkParseError extends Error {
  override name = "NetlinkParseError";
}

/** An NLMSG_ERROR reply from the kernel. */
export class NetlinkKernelError extends Error {
  override name = "NetlinkKernelError";
  constructor(readonly errno: number) {
    super(`the kernel refused the sock_diag request (errno ${errno})`);
  }
}

/** Bytes of an `inet_diag_req_v2` dump request for one family and protocol, all states. */
export function buildDumpRequest(
  family: number,
  protocol: number,
  sequence: number,
  states = ALL_STATES,
): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(NLMSG_HEADER_SIZE + INET_DIAG_REQ_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length, HOST_LITTLE_ENDIAN);
  view.setUint16(4, SOCK_DIAG_BY_FAMILY, HOST_LITTLE_ENDIAN);
  view.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, HOST_LITTLE_ENDIAN);
  view.setUint32(8, sequence, HOST_LITTLE_ENDIAN);
  bytes[16] = family;
  bytes[17] = protocol;
  view.setUint32(20, states >>> 0, HOST_LITTLE_ENDIAN);
  return bytes;
}

/**
 * Bytes of a TCPDIAG_GETSOCK dump request (`inet_diag_req`, the interface's first version) for
 * every TCP socket of both families, all states. The kernel answers it with one walk of its TCP
 * tables, where each `inet_diag_req_v2` names one family and walks all of them again: every
 * bucket of the established hash (262,144 on this 24 GiB host, 1.1 ms of kernel time) even when
 * the host has almost no sockets. The replies are `inet_diag_msg`s typed TCPDIAG_GETSOCK.
 */
export function buildTcpDumpRequest(
  sequence: number,
  states = ALL_STATES,
): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(NLMSG_HEADER_SIZE + INET_DIAG_REQ_V1_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, bytes.length, HOST_LITTLE_ENDIAN);
  view.setUint16(4, TCPDIAG_GETSOCK, HOST_LITTLE_ENDIAN);
  view.setUint16(6, NLM_F_REQUEST | NLM_F_DUMP, HOST_LITTLE_ENDIAN);
  view.setUint32(8, sequence, HOST_LITTLE_ENDIAN);
  // family (0: both), src_len, dst_len, ext, then the 48-byte socket id, all zero.
  view.setUint32(NLMSG_HEADER_SIZE + 52, states >>> 0, HOST_LITTLE_ENDIAN);
  return bytes;
}

/** Names an interface index; the collector passes if_indextoname, tests pass a table. */
export type InterfaceNamer = (index: number) => string;

/** Takes each socket of a dump as it is read. */
export type DiagSocketVisitor = (socket: DiagSocket) => void;

/**
 * Parses one buffer of dump replies, appending each socket to `into`. `texts` formats the
 * addresses; the buffers of one dump share one, so that each distinct address is formatted once.
 *
 * Returns true when the buffer holds NLMSG_DONE (the dump is complete). Throws
 * {@linkcode NetlinkKernelError} for an error reply and {@linkcode NetlinkParseError} for bytes
 * that are not a well-formed reply: a torn header, a length past the end of the buffer, a diag
 * message shorter than `inet_diag_msg`, an unknown address family or a broken attribute.
 */
export function parseDumpReplies(
  buffer: Uint8Array,
  length: number,
  into: DiagSocket[],
  interfaceName: InterfaceNamer = String,
  texts: AddressTexts = new AddressTexts(),
): boolean {
  return readDumpReplies(
    buffer,
    length,
    (socket) => into.push(socket),
    interfaceName,
    texts,
    false,
  );
}

/**
 * As {@linkcode parseDumpReplies}, handing each socket to `visit` in one object that is read
 * into again for the next: the visitor keeps what it needs, not the object. A one-shot snapshot
 * turns each socket straight into its endpoint, and 16,000 objects made to be dropped at once
 * are not made.
 */
export function visitDumpReplies(
  buffer: Uint8Array,
  length: number,
  visit: DiagSocketVisitor,
  interfaceName: InterfaceNamer = String,
  texts: AddressTexts = new AddressTexts(),
): boolean {
  return readDumpReplies(buffer, length, visit, interfaceName, texts, true);
}

/** The parser of both: `reuse` reads every socket into one object. */
function readDumpReplies(
  buffer: Uint8Array,
  length: number,
  visit: DiagSocketVisitor,
  interfaceName: InterfaceNamer,
  texts: AddressTexts,
  reuse: boolean,
): boolean {
  const reused = reuse ? blankSocket() : null;
  const view = new DataView(buffer.buffer, buffer.byteOffset, length);
  let offset = 0;
  while (offset < length) {
    if (length - offset < NLMSG_HEADER_SIZE) {
      throw new NetlinkParseError(
        `truncated netlink header at byte ${offset} (${length - offset} of 16 bytes)`,
      );
    }
    const messageLength = view.getUint32(offset, HOST_LITTLE_ENDIAN);
    const type = view.getUint16(offset + 4, HOST_LITTLE_ENDIAN);
    if (messageLength < NLMSG_HEADER_SIZE || messageLength > length - offset) {
      throw new NetlinkParseError(
        `netlink message at byte ${offset} claims ${messageLength} bytes, ${
          length - offset
        } remain`,
      );
    }
    const payload = offset + NLMSG_HEADER_SIZE;
    if (type === NLMSG_DONE) return true;
    if (type === NLMSG_ERROR) {
      if (messageLength < NLMSG_HEADER_SIZE + 4) {
        throw new NetlinkParseError(`truncated netlink error message at byte ${offset}`);
      }
      const code = view.getInt32(payload, HOST_LITTLE_ENDIAN);
      if (code !== 0) throw new NetlinkKernelError(-code);
    } else if (type === SOCK_DIAG_BY_FAMILY || type === TCPDIAG_GETSOCK) {
      const socket = reused ?? blankSocket();
      readDiagMessage(buffer, view, payload, offset + messageLength, interfaceName, texts, socket);
      visit(socket);
    }
    // NLMSG_NOOP and types this parser does not know are skipped, as the netlink ABI allows.
    offset += (messageLength + 3) & ~3;
  }
  return false;
}

/** A socket with every field, to be read into (one shape for all). */
function blankSocket(): DiagSocket {
  return {
    family: AF_INET,
    state: 0,
    localAddress: "",
    localPort: 0,
    remoteAddress: "",
    remotePort: 0,
    interfaceIndex: 0,
    receiveQueue: 0,
    sendQueue: 0,
    uid: 0,
    inode: 0,
    cookie: 0,
    v6only: null,
    protocol: null,
  };
}

/** Reads the inet_diag_msg at `start` (and its attributes, up to `end`) into `socket`. */
function readDiagMessage(
  buffer: Uint8Array,
  view: DataView,
  start: number,
  end: number,
  interfaceName: InterfaceNamer,
  texts: AddressTexts,
  socket: DiagSocket,
): void {
  if (end - start < INET_DIAG_MSG_SIZE) {
    throw new NetlinkParseError(
      `inet_diag_msg at byte ${start} has ${end - start} of ${INET_DIAG_MSG_SIZE} bytes`,
    );
  }
  const family = buffer[start];
  if (family !== AF_INET && family !== AF_INET6) {
    throw new NetlinkParseError(`inet_diag_msg at byte ${start} has address family ${family}`);
  }
  const interfaceIndex = view.getUint32(start + 40, HOST_LITTLE_ENDIAN);
  let localAddress: string, remoteAddress: string;
  const local = start + 8, remote = start + 24;
  if (family === AF_INET) {
    localAddress = texts.ipv4(buffer, local);
    remoteAddress = texts.ipv4(buffer, remote);
  } else {
    localAddress = texts.ipv6(buffer, local);
    remoteAddress = texts.ipv6(buffer, remote);
    if (interfaceIndex !== 0) {
      if (ipv6NeedsScope(buffer, local)) localAddress += "%" + interfaceName(interfaceIndex);
      if (ipv6NeedsScope(buffer, remote)) remoteAddress += "%" + interfaceName(interfaceIndex);
    }
  }
  socket.family = family;
  socket.state = buffer[start + 1];
  socket.localAddress = localAddress;
  socket.localPort = view.getUint16(start + 4, false);
  socket.remoteAddress = remoteAddress;
  socket.remotePort = view.getUint16(start + 6, false);
  socket.interfaceIndex = interfaceIndex;
  socket.receiveQueue = view.getUint32(start + 56, HOST_LITTLE_ENDIAN);
  socket.sendQueue = view.getUint32(start + 60, HOST_LITTLE_ENDIAN);
  socket.uid = view.getUint32(start + 64, HOST_LITTLE_ENDIAN);
  socket.inode = view.getUint32(start + 68, HOST_LITTLE_ENDIAN);
  // cookie[0] is the low half, cookie[1] the high half.
  socket.cookie = view.getUint32(start + 48, HOST_LITTLE_ENDIAN) * 2 ** 32 +
    view.getUint32(start + 44, HOST_LITTLE_ENDIAN);
  socket.v6only = null;
  socket.protocol = null;
  parseAttributes(view, start + INET_DIAG_MSG_SIZE, end, socket);
}

/** Reads the rtattrs after an inet_diag_msg that the model uses. */
function parseAttributes(view: DataView, start: number, end: number, socket: DiagSocket): void {
  let offset = start;
  while (end - offset >= 4) {
    const attributeLength = view.getUint16(offset, HOST_LITTLE_ENDIAN);
    const type = view.getUint16(offset + 2, HOST_LITTLE_ENDIAN) & 0x3fff; // drop NLA_F_* bits
    if (attributeLength < 4 || attributeLength > end - offset) {
      throw new NetlinkParseError(
        `attribute at byte ${offset} claims ${attributeLength} bytes, ${end - offset} remain`,
      );
    }
    if (type === INET_DIAG_SKV6ONLY && attributeLength >= 5) {
      socket.v6only = view.getUint8(offset + 4) !== 0;
    } else if (type === INET_DIAG_PROTOCOL && attributeLength >= 5) {
      socket.protocol = view.getUint8(offset + 4);
    }
    offset += (attributeLength + 3) & ~3;
  }
}
