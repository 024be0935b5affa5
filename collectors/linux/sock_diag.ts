/**
 * Dumps every TCP and UDP socket, IPv4 and IPv6, in every state, through a NETLINK_SOCK_DIAG
 * socket opened by FFI: the same kernel interface `ss` uses.
 *
 * @module
 */

import { AddressTexts } from "./address_texts.ts";
import { errno, errnoText, type Libc } from "./ffi.ts";
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  buildDumpRequest,
  buildTcpDumpRequest,
  type DiagSocket,
  type DiagSocketVisitor,
  EAGAIN,
  EINTR,
  type InterfaceNamer,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NETLINK_SOCK_DIAG,
  NetlinkKernelError,
  NetlinkParseError,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOL_SOCKET,
  TCP_LISTEN,
  visitDumpReplies,
} from "./netlink.ts";

const SO_RCVTIMEO = 20;
/** A dump that has not finished by then never will: fail over to /proc/net rather than hang. */
export const RECEIVE_TIMEOUT_SECONDS = 5;

/** A kernel table of sockets, by protocol and family, as /proc/net/sockstat counts them. */
export type SocketTable = "tcp4" | "tcp6" | "udp4" | "udp6";

/** Every table: what a dump of a namespace with unknown counts must cover. */
export const ALL_TABLES: ReadonlySet<SocketTable> = new Set(["tcp4", "tcp6", "udp4", "udp6"]);

/**
 * One dump: the request that asks for it, the protocol its sockets are listed under, and the
 * tables it lists (a dump none of whose tables holds a socket can be left out).
 */
export interface DumpRequest {
  protocol: typeof IPPROTO_TCP | typeof IPPROTO_UDP;
  covers: readonly SocketTable[];
  request(sequence: number): Uint8Array<ArrayBuffer>;
}

/**
 * The dumps that list every TCP and UDP socket: TCP's two families in one (TCPDIAG_GETSOCK, one
 * walk of the kernel's TCP tables instead of two), UDP's one family each (UDP has no such
 * request).
 */
export const DUMPS: readonly DumpRequest[] = [
  {
    protocol: IPPROTO_TCP,
    covers: ["tcp4", "tcp6"],
    request: (sequence) => buildTcpDumpRequest(sequence),
  },
  {
    protocol: IPPROTO_UDP,
    covers: ["udp4"],
    request: (sequence) => buildDumpRequest(AF_INET, IPPROTO_UDP, sequence),
  },
  {
    protocol: IPPROTO_UDP,
    covers: ["udp6"],
    request: (sequence) => buildDumpRequest(AF_INET6, IPPROTO_UDP, sequence),
  },
];

/** TCP's listeners alone, both families: the kernel skips its table of connections. */
export const LISTENERS_DUMP: DumpRequest = {
  protocol: IPPROTO_TCP,
  covers: ["tcp4", "tcp6"],
  request: (sequence) => buildTcpDumpRequest(sequence, 1 << TCP_LISTEN),
};

/** The same with TCP one family at a time, for a kernel that refuses TCPDIAG_GETSOCK. */
export const DUMPS_BY_FAMILY: readonly DumpRequest[] = [
  {
    protocol: IPPROTO_TCP,
    covers: ["tcp4"],
    request: (sequence) => buildDumpRequest(AF_INET, IPPROTO_TCP, sequence),
  },
  {
    protocol: IPPROTO_TCP,
    covers: ["tcp6"],
    request: (sequence) => buildDumpRequest(AF_INET6, IPPROTO_TCP, sequence),
  },
  ...DUMPS.slice(1),
];

/** sock_diag could not be used at all (no netlink in this sandbox, say): fall back to /proc/net. */
export class SockDiagUnavailableError extends Error {
  override name = "SockDiagUnavailableError";
}

/** Whether `error` is one a sock_diag dump reports: unavailable, refused, or unreadable. */
export function isDumpError(
  error: unknown,
): error is SockDiagUnavailableError | NetlinkKernelError | NetlinkParseError {
  return error instanceof SockDiagUnavailableError || error instanceof NetlinkKernelError ||
    error instanceof NetlinkParseError;
}

/** The sockets of one dump, tagged with the protocol that was asked for. */
export interface DiagDump {
  protocol: typeof IPPROTO_TCP | typeof IPPROTO_UDP;
  sockets: DiagSocket[];
}

/** sockaddr_nl addressed to the kernel: nl_family = AF_NETLINK, nl_pid = 0, nl_groups = 0. */
export const KERNEL_ADDRESS: Uint8Array<ArrayBuffer> = new Uint8Array([
  AF_NETLINK,
  ...new Array<number>(11).fill(0),
]);

/**
 * A new NETLINK_SOCK_DIAG socket whose receives give up after RECEIVE_TIMEOUT_SECONDS. Throws
 * {@linkcode SockDiagUnavailableError} when there is none to be had.
 */
export function openSockDiagSocket(libc: Libc): number {
  const fd = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) {
    throw new SockDiagUnavailableError(
      `cannot open a NETLINK_SOCK_DIAG socket: ${errnoText(libc, errno(libc))}`,
    );
  }
  // struct timeval { time_t tv_sec; suseconds_t tv_usec; }: two 64-bit fields on LP64.
  const timeout = new BigInt64Array([BigInt(RECEIVE_TIMEOUT_SECONDS), 0n]);
  libc.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, new Uint8Array(timeout.buffer), 16);
  return fd;
}

/**
 * Reads the replies of a dump whose request has gone out on `fd` until the dump is complete,
 * handing each socket to `visit` in one reused object (see visitDumpReplies).
 */
export function receiveDump(
  libc: Libc,
  fd: number,
  buffer: Uint8Array<ArrayBuffer>,
  visit: DiagSocketVisitor,
  interfaceName: InterfaceNamer,
  texts: AddressTexts,
): void {
  for (;;) {
    const received = Number(libc.recv(fd, buffer, BigInt(buffer.length), 0));
    if (received < 0) {
      const code = errno(libc);
      if (code === EINTR) continue;
      if (code === EAGAIN) {
        throw new SockDiagUnavailableError(
          `no sock_diag reply within ${RECEIVE_TIMEOUT_SECONDS} seconds`,
        );
      }
      throw new SockDiagUnavailableError(
        `cannot read sock_diag replies: ${errnoText(libc, code)}`,
      );
    }
    if (received === 0) return;
    if (visitDumpReplies(buffer, received, visit, interfaceName, texts)) return;
  }
}

/** An open NETLINK_SOCK_DIAG socket, reusable across snapshots. */
export class SockDiag {
  #libc: Libc;
  #fd: number;
  #sequence = 0;
  #dumps = DUMPS;
  #buffer = new Uint8Array(64 * 1024);

  constructor(libc: Libc) {
    this.#libc = libc;
    this.#fd = openSockDiagSocket(libc);
  }

  /** Runs one dump and returns its sockets. */
  dump(
    dump: DumpRequest,
    interfaceName: InterfaceNamer,
    texts: AddressTexts = new AddressTexts(),
  ): DiagSocket[] {
    const request = dump.request(++this.#sequence);
    const sent = Number(
      this.#libc.sendto(this.#fd, request, BigInt(request.length), 0, KERNEL_ADDRESS, 12),
    );
    if (sent !== request.length) {
      throw new SockDiagUnavailableError(
        `cannot send a sock_diag request: ${errnoText(this.#libc, errno(this.#libc))}`,
      );
    }
    const sockets: DiagSocket[] = [];
    const keep = (socket: DiagSocket) => sockets.push({ ...socket });
    receiveDump(this.#libc, this.#fd, this.#buffer, keep, interfaceName, texts);
    return sockets;
  }

  /**
   * Every TCP and UDP socket of the network namespace, by the {@linkcode DUMPS}; where the
   * kernel refuses TCPDIAG_GETSOCK, by {@linkcode DUMPS_BY_FAMILY} from then on. `tables`
   * leaves out the dumps of tables known to be empty: each dump walks the kernel's host-wide
   * tables, whatever the namespace holds.
   */
  dumpAll(
    interfaceName: InterfaceNamer,
    tables: ReadonlySet<SocketTable> = ALL_TABLES,
  ): DiagDump[] {
    const texts = new AddressTexts();
    try {
      return this.#dumps.filter((dump) => dump.covers.some((table) => tables.has(table)))
        .map((dump) => ({
          protocol: dump.protocol,
          sockets: this.dump(dump, interfaceName, texts),
        }));
    } catch (error) {
      if (!(error instanceof NetlinkKernelError) || this.#dumps === DUMPS_BY_FAMILY) throw error;
      this.#dumps = DUMPS_BY_FAMILY;
      return this.dumpAll(interfaceName, tables);
    }
  }

  /**
   * The TCP listeners of both families, in one dump that walks only the kernel's listening
   * hash, not its table of connections (a large one on a busy host, walked whole for every
   * namespace); null where the kernel refuses TCPDIAG_GETSOCK.
   */
  dumpListeners(interfaceName: InterfaceNamer): DiagDump | null {
    if (this.#dumps === DUMPS_BY_FAMILY) return null;
    try {
      return {
        protocol: IPPROTO_TCP,
        sockets: this.dump(LISTENERS_DUMP, interfaceName, new AddressTexts()),
      };
    } catch (error) {
      if (!(error instanceof NetlinkKernelError)) throw error;
      this.#dumps = DUMPS_BY_FAMILY;
      return null;
    }
  }

  close(): void {
    if (this.#fd >= 0) this.#libc.close(this.#fd);
    this.#fd = -1;
  }
}
