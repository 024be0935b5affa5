/**
 * Dumps every TCP and UDP socket, IPv4 and IPv6, in every state, through a NETLINK_SOCK_DIAG
 * socket opened by FFI: the same kernel interface `ss` uses.
 *
 * @module
 */

import { errno, errnoText, type Libc } from "./ffi.ts";
import {
  AF_INET,
  AF_INET6,
  AF_NETLINK,
  buildDumpRequest,
  type DiagSocket,
  EAGAIN,
  EINTR,
  type InterfaceNamer,
  IPPROTO_TCP,
  IPPROTO_UDP,
  NETLINK_SOCK_DIAG,
  parseDumpReplies,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOL_SOCKET,
} from "./netlink.ts";

const SO_RCVTIMEO = 20;
/** A dump that has not finished by then never will: fail over to /proc/net rather than hang. */
const RECEIVE_TIMEOUT_SECONDS = 5;

/** The four dumps, in the order sockets are listed. */
export const DUMPS = [
  { family: AF_INET, protocol: IPPROTO_TCP },
  { family: AF_INET6, protocol: IPPROTO_TCP },
  { family: AF_INET, protocol: IPPROTO_UDP },
  { family: AF_INET6, protocol: IPPROTO_UDP },
] as const;

/** sock_diag could not be used at all (no netlink in this sandbox, say): fall back to /proc/net. */
export class SockDiagUnavailableError extends Error {
  override name = "SockDiagUnavailableError";
}

/** The sockets of one dump, tagged with the protocol that was asked for. */
export interface DiagDump {
  protocol: typeof IPPROTO_TCP | typeof IPPROTO_UDP;
  sockets: DiagSocket[];
}

/** An open NETLINK_SOCK_DIAG socket, reusable across snapshots. */
export class SockDiag {
  #libc: Libc;
  #fd: number;
  #sequence = 0;
  #buffer = new Uint8Array(64 * 1024);
  // sockaddr_nl addressed to the kernel: nl_family = AF_NETLINK, nl_pid = 0, nl_groups = 0.
  #kernel = new Uint8Array([AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

  constructor(libc: Libc) {
    this.#libc = libc;
    this.#fd = libc.socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (this.#fd < 0) {
      throw new SockDiagUnavailableError(
        `cannot open a NETLINK_SOCK_DIAG socket: ${errnoText(libc, errno(libc))}`,
      );
    }
    // struct timeval { time_t tv_sec; suseconds_t tv_usec; }: two 64-bit fields on LP64.
    const timeout = new BigInt64Array([BigInt(RECEIVE_TIMEOUT_SECONDS), 0n]);
    libc.setsockopt(this.#fd, SOL_SOCKET, SO_RCVTIMEO, new Uint8Array(timeout.buffer), 16);
  }

  /** Runs one dump and returns its sockets. */
  dump(family: number, protocol: number, interfaceName: InterfaceNamer): DiagSocket[] {
    const request = buildDumpRequest(family, protocol, ++this.#sequence);
    const sent = Number(
      this.#libc.sendto(this.#fd, request, BigInt(request.length), 0, this.#kernel, 12),
    );
    if (sent !== request.length) {
      throw new SockDiagUnavailableError(
        `cannot send a sock_diag request: ${errnoText(this.#libc, errno(this.#libc))}`,
      );
    }
    const sockets: DiagSocket[] = [];
    for (;;) {
      const received = Number(
        this.#libc.recv(this.#fd, this.#buffer, BigInt(this.#buffer.length), 0),
      );
      if (received < 0) {
        const code = errno(this.#libc);
        if (code === EINTR) continue;
        if (code === EAGAIN) {
          throw new SockDiagUnavailableError(
            `no sock_diag reply within ${RECEIVE_TIMEOUT_SECONDS} seconds`,
          );
        }
        throw new SockDiagUnavailableError(
          `cannot read sock_diag replies: ${errnoText(this.#libc, code)}`,
        );
      }
      if (received === 0) return sockets;
      if (parseDumpReplies(this.#buffer, received, sockets, interfaceName)) return sockets;
    }
  }

  /** Every TCP and UDP socket of the network namespace, in {@linkcode DUMPS} order. */
  dumpAll(interfaceName: InterfaceNamer): DiagDump[] {
    return DUMPS.map(({ family, protocol }) => ({
      protocol,
      sockets: this.dump(family, protocol, interfaceName),
    }));
  }

  close(): void {
    if (this.#fd >= 0) this.#libc.close(this.#fd);
    this.#fd = -1;
  }
}
