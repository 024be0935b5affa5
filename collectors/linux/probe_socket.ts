/**
 * What the Linux probers share: the socket constants, errno names, reading an ICMP error from a
 * socket's error queue (IP_RECVERR), and telling a socket connected to itself.
 *
 * @module
 */

import type { IcmpMessage, ProbeFailure } from "../probe.ts";
import { formatIpv4, formatIpv6, type IpAddress } from "../../model/address.ts";
import { errnoText, type ProbeLibc } from "./ffi.ts";

/** AF_INET and AF_INET6 on Linux. */
export const FAMILIES = { inet: 2, inet6: 10 };
/** socket(2) type flags. */
export const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_NONBLOCK = 0o4000, SOCK_CLOEXEC = 0o2000000;
/** Socket option levels and names. */
export const SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_ERROR = 4, SO_LINGER = 13;
const IPPROTO_IP = 0, IP_RECVERR = 11, IPPROTO_IPV6 = 41, IPV6_RECVERR = 25;
/** recv(2) flags. */
export const MSG_DONTWAIT = 0x40, MSG_ERRQUEUE = 0x2000;

/** The errno values the probers act on. */
export const Errno = {
  EPERM: 1,
  EINTR: 4,
  EAGAIN: 11,
  EACCES: 13,
  ENFILE: 23,
  EMFILE: 24,
  EADDRINUSE: 98,
  EADDRNOTAVAIL: 99,
  ENOBUFS: 105,
  ECONNREFUSED: 111,
  EINPROGRESS: 115,
} as const;

/** errno names by number (the asm-generic numbering x86-64 and aarch64 share). */
const ERRNO_NAMES: ReadonlyMap<number, string> = new Map([
  [1, "EPERM"],
  [4, "EINTR"],
  [11, "EAGAIN"],
  [13, "EACCES"],
  [22, "EINVAL"],
  [23, "ENFILE"],
  [24, "EMFILE"],
  [64, "ENONET"],
  [71, "EPROTO"],
  [90, "EMSGSIZE"],
  [92, "ENOPROTOOPT"],
  [95, "EOPNOTSUPP"],
  [97, "EAFNOSUPPORT"],
  [98, "EADDRINUSE"],
  [99, "EADDRNOTAVAIL"],
  [100, "ENETDOWN"],
  [101, "ENETUNREACH"],
  [102, "ENETRESET"],
  [103, "ECONNABORTED"],
  [104, "ECONNRESET"],
  [105, "ENOBUFS"],
  [110, "ETIMEDOUT"],
  [111, "ECONNREFUSED"],
  [112, "EHOSTDOWN"],
  [113, "EHOSTUNREACH"],
  [115, "EINPROGRESS"],
]);

/** The errno's name, or `errno N` for one without a name here. */
export function errnoName(code: number): string {
  return ERRNO_NAMES.get(code) ?? `errno ${code}`;
}

/** Where a sock_extended_err came from (ee_origin). */
const SO_EE_ORIGIN_ICMP = 2, SO_EE_ORIGIN_ICMP6 = 3;
/** sizeof(struct sock_extended_err): the offender's sockaddr follows it. */
const EXTENDED_ERR_SIZE = 16;
/** Room for the control messages of one error-queue read. */
const CONTROL_SIZE = 256n;
/** sizeof(struct cmsghdr) on LP64: size_t cmsg_len, int cmsg_level, int cmsg_type. */
const CMSG_HEADER_SIZE = 16;

/**
 * Asks the kernel to queue every ICMP error about this socket's peer on its error queue
 * (IP_RECVERR / IPV6_RECVERR), so that the probe can say which ICMP message settled it. Without
 * it a UDP socket is not even told of a host unreachable, which the kernel counts as transient.
 */
export function enableErrorQueue(libc: ProbeLibc, fd: number, family: 4 | 6): void {
  libc.setsockopt(
    fd,
    family === 4 ? IPPROTO_IP : IPPROTO_IPV6,
    family === 4 ? IP_RECVERR : IPV6_RECVERR,
    ONE,
    4,
  );
}

/** An int 1 for setsockopt. */
const ONE = new Uint8Array(new Int32Array([1]).buffer);

/**
 * Reads ICMP error reports off sockets' error queues. One reader keeps its buffers (and the
 * pointers to them that `struct msghdr` holds) for every read.
 */
export class ErrorQueueReader {
  #libc: ProbeLibc;
  // Each buffer has an ArrayBuffer of its own, allocated outside V8's heap, so the pointers to
  // them written into msghdr and iovec stay valid: small typed arrays may otherwise live in the
  // heap, where the garbage collector moves them.
  #control = new Uint8Array(new ArrayBuffer(Number(CONTROL_SIZE)));
  #message = new Uint8Array(new ArrayBuffer(56));
  #data = new Uint8Array(new ArrayBuffer(64));
  #iovec = new Uint8Array(new ArrayBuffer(16));
  #messageView = new DataView(this.#message.buffer);

  #iovecAddress: bigint;
  #controlAddress: bigint;

  constructor(libc: ProbeLibc) {
    this.#libc = libc;
    // struct iovec { void *iov_base; size_t iov_len; }: where the offending packet's start goes.
    const iovec = new DataView(this.#iovec.buffer);
    iovec.setBigUint64(0, pointerOf(this.#data), true);
    iovec.setBigUint64(8, BigInt(this.#data.length), true);
    this.#iovecAddress = pointerOf(this.#iovec);
    this.#controlAddress = pointerOf(this.#control);
  }

  /**
   * The ICMP message on `fd`'s error queue, or null when there is none (a plain TCP reset, a
   * local error). struct msghdr on LP64: msg_name (8), msg_namelen (4 + pad), msg_iov (8),
   * msg_iovlen (8), msg_control (8), msg_controllen (8), msg_flags (4 + pad): 56 bytes.
   */
  read(fd: number): IcmpMessage | null {
    const message = this.#messageView;
    this.#message.fill(0);
    message.setBigUint64(16, this.#iovecAddress, true);
    message.setBigUint64(24, 1n, true);
    message.setBigUint64(32, this.#controlAddress, true);
    message.setBigUint64(40, CONTROL_SIZE, true);
    const received = this.#libc.recvmsg(fd, this.#message, MSG_ERRQUEUE | MSG_DONTWAIT);
    if (received < 0) return null;
    const controlLength = Number(message.getBigUint64(40, true));
    return decodeErrorQueueControl(this.#control.subarray(0, controlLength));
  }
}

/**
 * The ICMP message in the control data of an error-queue read: a cmsghdr of level IPPROTO_IP /
 * type IP_RECVERR (or the IPv6 pair) holding a struct sock_extended_err { u32 ee_errno;
 * u8 ee_origin, ee_type, ee_code, ee_pad; u32 ee_info; u32 ee_data; } and then the sockaddr of
 * the host that sent the ICMP message. Null when there is no ICMP report in it.
 */
export function decodeErrorQueueControl(control: Uint8Array): IcmpMessage | null {
  const view = new DataView(control.buffer, control.byteOffset, control.byteLength);
  let offset = 0;
  while (offset + CMSG_HEADER_SIZE <= control.length) {
    const length = Number(view.getBigUint64(offset, true));
    if (length < CMSG_HEADER_SIZE || offset + length > control.length) return null;
    const level = view.getInt32(offset + 8, true);
    const type = view.getInt32(offset + 12, true);
    const data = offset + CMSG_HEADER_SIZE;
    const isRecvErr = (level === IPPROTO_IP && type === IP_RECVERR) ||
      (level === IPPROTO_IPV6 && type === IPV6_RECVERR);
    if (isRecvErr && length >= CMSG_HEADER_SIZE + EXTENDED_ERR_SIZE) {
      const origin = control[data + 4];
      if (origin !== SO_EE_ORIGIN_ICMP && origin !== SO_EE_ORIGIN_ICMP6) return null;
      const offender = control.subarray(data + EXTENDED_ERR_SIZE, offset + length);
      return {
        family: origin === SO_EE_ORIGIN_ICMP ? 4 : 6,
        type: control[data + 5],
        code: control[data + 6],
        from: offenderAddress(offender),
      };
    }
    offset += (length + 7) & ~7; // CMSG_ALIGN: the next header starts on an 8-byte boundary
  }
  return null;
}

/** The address of a sockaddr_in or sockaddr_in6, or null for anything else. */
function offenderAddress(bytes: Uint8Array): string | null {
  if (bytes.length < 2) return null;
  const family = bytes[0] | (bytes[1] << 8);
  if (family === FAMILIES.inet && bytes.length >= 8) return formatIpv4(bytes, 4);
  if (family === FAMILIES.inet6 && bytes.length >= 24) return formatIpv6(bytes, 8);
  return null;
}

/** What a probe reports for an errno, with the ICMP message behind it when there is one. */
export function failureOf(libc: ProbeLibc, code: number, icmp: IcmpMessage | null): ProbeFailure {
  return { code: errnoName(code), text: errnoText(libc, code), icmp };
}

/**
 * Whether `fd` is connected to itself: its own address and port are the target's. That happens
 * when the target is this host and the source port is the target port: TCP's simultaneous open
 * then connects the socket to itself, and a UDP socket sends to itself.
 */
export function isConnectedToItself(
  libc: ProbeLibc,
  fd: number,
  target: IpAddress,
  port: number,
  scratch: Uint8Array<ArrayBuffer>,
): boolean {
  const length = new Uint8Array(new Uint32Array([scratch.length]).buffer);
  if (libc.getsockname(fd, scratch, length) !== 0) return false;
  const view = new DataView(scratch.buffer, scratch.byteOffset, scratch.byteLength);
  if (view.getUint16(2, false) !== port) return false;
  const offset = target.family === 4 ? 4 : 8;
  for (let i = 0; i < target.bytes.length; i++) {
    if (scratch[offset + i] !== target.bytes[i]) return false;
  }
  return true;
}

/** The address of a buffer, for the structs that hold pointers. */
function pointerOf(buffer: Uint8Array<ArrayBuffer>): bigint {
  return BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer)));
}
