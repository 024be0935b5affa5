/**
 * Sockets the kernel reports destroyed: sock_diag's multicast groups for TCP and UDP, IPv4 and
 * IPv6. Polling sees only the sockets alive at each look; these messages also tell of a listener
 * or a connection that came and went between two looks.
 *
 * @module
 */

import { errno, errnoText, type Libc } from "./ffi.ts";
import {
  AF_NETLINK,
  type DiagSocket,
  EAGAIN,
  type InterfaceNamer,
  NETLINK_SOCK_DIAG,
  NetlinkParseError,
  parseDumpReplies,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_SOCKET,
} from "./netlink.ts";

const SOL_NETLINK = 270;
const NETLINK_ADD_MEMBERSHIP = 1;
const SO_RCVBUF = 8;
const SO_RCVBUFFORCE = 33;
/** Room for about ten thousand closes between two drains (each queued message takes ~1 KiB). */
const RECEIVE_BUFFER_BYTES = 16 << 20;
const ENOBUFS = 105;
/** SKNLGRP_INET_TCP_DESTROY, _INET_UDP_, _INET6_TCP_, _INET6_UDP_ (linux/sock_diag.h). */
const DESTROY_GROUPS = [1, 2, 3, 4];

/** What a drain found. */
export interface DestroyedSockets {
  sockets: DiagSocket[];
  /** True when the kernel dropped messages because they came faster than they were read. */
  overflowed: boolean;
}

/** A subscription to destroy notifications; null from {@linkcode open} when the kernel refuses. */
export class SockDiagEvents {
  #libc: Libc;
  #fd: number;
  #buffer = new Uint8Array(256 * 1024);

  private constructor(libc: Libc, fd: number) {
    this.#libc = libc;
    this.#fd = fd;
  }

  /** Subscribes; returns the reason instead when the groups cannot be joined (no privilege, say). */
  static open(libc: Libc): SockDiagEvents | string {
    const fd = libc.socket(
      AF_NETLINK,
      SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
      NETLINK_SOCK_DIAG,
    );
    if (fd < 0) return `cannot open a netlink socket: ${errnoText(libc, errno(libc))}`;
    // Bound, the socket gets a port id of its own: the kernel does not deliver its multicasts to
    // a socket whose port id is 0, its own.
    const address = new Uint8Array(12);
    address[0] = AF_NETLINK;
    if (libc.bind(fd, address, address.length) < 0) {
      const reason = errnoText(libc, errno(libc));
      libc.close(fd);
      return `cannot bind a netlink socket: ${reason}`;
    }
    // A large receive buffer rides out bursts of closes between two drains. SO_RCVBUF is capped
    // by net.core.rmem_max (208 KiB by default); root may go past it with SO_RCVBUFFORCE.
    const size = new Uint8Array(new Int32Array([RECEIVE_BUFFER_BYTES]).buffer);
    if (libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, size, 4) < 0) {
      libc.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, size, 4);
    }
    for (const group of DESTROY_GROUPS) {
      const value = new Uint8Array(new Int32Array([group]).buffer);
      if (libc.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, value, 4) < 0) {
        const reason = errnoText(libc, errno(libc));
        libc.close(fd);
        return `cannot join sock_diag destroy notifications: ${reason}`;
      }
    }
    return new SockDiagEvents(libc, fd);
  }

  /** Everything received since the last drain, without waiting. */
  drain(interfaceName: InterfaceNamer): DestroyedSockets {
    const sockets: DiagSocket[] = [];
    let overflowed = false;
    for (;;) {
      const received = Number(
        this.#libc.recv(this.#fd, this.#buffer, BigInt(this.#buffer.length), 0),
      );
      if (received < 0) {
        const code = errno(this.#libc);
        if (code === ENOBUFS) {
          overflowed = true;
          continue;
        }
        if (code === EAGAIN) return { sockets, overflowed };
        return { sockets, overflowed };
      }
      if (received === 0) return { sockets, overflowed };
      try {
        parseDumpReplies(this.#buffer, received, sockets, interfaceName);
      } catch (error) {
        if (!(error instanceof NetlinkParseError)) throw error;
        // A message portset cannot read tells nothing; the next look still sees what is alive.
      }
    }
  }

  close(): void {
    this.#libc.close(this.#fd);
  }
}

/**
 * The `destroyed` sockets with the inode, user and peer the dumps that saw them alive gave them:
 * the kernel's notice of a close has lost the inode, and may have lost the peer (a connection
 * still in a listener's accept queue is reset when the listener closes, and its notice then has
 * no peer: as if a listener of its own had come and gone), and the cookie finds the socket in
 * `recent`, so it keeps the identity (and owner) the last snapshots gave it.
 */
export function restoreDestroyed(
  destroyed: readonly DiagSocket[],
  recent: readonly (readonly { sockets: readonly DiagSocket[] }[])[],
): DiagSocket[] {
  const wanted = new Set(destroyed.map((socket) => socket.cookie));
  const seen = new Map<number | null, DiagSocket>();
  for (const dumps of recent) {
    for (const { sockets } of dumps) {
      for (const socket of sockets) if (wanted.has(socket.cookie)) seen.set(socket.cookie, socket);
    }
  }
  return destroyed.map((socket) => {
    const alive = seen.get(socket.cookie);
    if (alive === undefined) return socket;
    const { inode, uid, remoteAddress, remotePort } = alive;
    return { ...socket, inode, uid, remoteAddress, remotePort };
  });
}
