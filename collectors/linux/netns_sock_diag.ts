/**
 * sock_diag sockets in other network namespaces. A NETLINK_SOCK_DIAG socket answers for the
 * namespace it was created in, whichever namespace its user is in later: so the calling thread
 * steps into a namespace with `setns(fd, CLONE_NEWNET)`, creates the socket, and steps back at
 * once; the dumps then go through that socket as usual, with no thread or process per namespace.
 * One socket per namespace is kept across looks, and closed when its namespace is gone.
 *
 * An interface index in a dump names an interface of the dumped namespace: the names are asked of
 * a datagram socket made there the same way (see {@linkcode NamespaceInterfaceNames}), kept as
 * long.
 *
 * `setns` moves only the calling thread, which is why its way back is the thread's own namespace
 * (`/proc/thread-self/ns/net`, opened first), not the process's (`/proc/self`, its main thread's).
 *
 * @module
 */

import { cString, errno, errnoText, type Libc } from "./ffi.ts";
import { NamespaceInterfaceNames } from "./names.ts";
import type { FoundNamespace } from "./netns.ts";
import { openSockDiagSocket, SockDiag, type SocketTable } from "./sock_diag.ts";
import { sockstatCount } from "./sock_diag_background.ts";
import { SockDiagEvents } from "./sock_diag_events.ts";

const CLONE_NEWNET = 0x40000000;
const ENOENT = 2;
const EINVAL = 22;
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;

/**
 * This thread could not return to portset's own namespace after entering another: nothing it did
 * next would be done where it should, so no caller catches it.
 */
export class HomeNamespaceLostError extends Error {
  override name = "HomeNamespaceLostError";
}

/** A namespace could not be entered (no privilege, or it is gone); the message says which. */
export class NamespaceEntryError extends Error {
  override name = "NamespaceEntryError";

  /** `message` says what failed; `gone` when the namespace no longer exists. */
  constructor(message: string, readonly gone = false, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A namespace's own socket counts, by /proc/net/sockstat and sockstat6. */
export interface SocketCounts {
  /** TCP sockets in the hashes (listeners and connections), IPv4 and IPv6. */
  tcp4: number;
  tcp6: number;
  /** TCP in TIME_WAIT, both families. */
  timeWait: number;
  /** UDP sockets bound, IPv4 and IPv6. */
  udp4: number;
  udp6: number;
}

/**
 * A namespace's own counts: `inuse` and `tw` are the namespace's (`alloc`, host-wide, is not
 * used). A count that cannot be read counts as some (1).
 */
export function socketCounts(sockstat: string, sockstat6: string): SocketCounts {
  const count = (text: string, line: string, name: string) => sockstatCount(text, line, name, 1);
  return {
    tcp4: count(sockstat, "TCP", "inuse"),
    tcp6: count(sockstat6, "TCP6", "inuse"),
    timeWait: count(sockstat, "TCP", "tw"),
    udp4: count(sockstat, "UDP", "inuse"),
    udp6: count(sockstat6, "UDP6", "inuse"),
  };
}

/** The tables `counts` show a socket in, that sock_diag would list. */
export function tablesOf(counts: SocketCounts): Set<SocketTable> {
  const held = new Set<SocketTable>();
  if (counts.tcp4 + counts.timeWait > 0) held.add("tcp4");
  if (counts.tcp6 + counts.timeWait > 0) held.add("tcp6");
  if (counts.udp4 > 0) held.add("udp4");
  if (counts.udp6 > 0) held.add("udp6");
  return held;
}

/** The tables sockstat's counts of a namespace show a socket in. */
export function heldTables(sockstat: string, sockstat6: string): Set<SocketTable> {
  return tablesOf(socketCounts(sockstat, sockstat6));
}

/** Whether sockstat's counts of a namespace show any socket sock_diag would list. */
export function countsHeld(sockstat: string, sockstat6: string): boolean {
  return heldTables(sockstat, sockstat6).size > 0;
}

/** One sock_diag socket per network namespace other than the thread's own. */
export class NamespaceSockDiags {
  #libc: Libc;
  /** The thread's own namespace, to come back to. */
  #home: number;
  #sockets = new Map<number, SockDiag>();
  /** Each namespace's destroy notifications, once asked for (a watch, the monitor). */
  #events = new Map<number, SockDiagEvents>();
  /** Each namespace's interface names, once asked for. */
  #interfaces = new Map<number, NamespaceInterfaceNames>();
  /** The latest look's way into each namespace whose names were asked for, to open their socket. */
  #waysIn = new Map<number, FoundNamespace>();

  /** Opens the way back first: without it no namespace is entered. */
  constructor(libc: Libc) {
    this.#libc = libc;
    this.#home = libc.open(cString("/proc/thread-self/ns/net"), O_RDONLY | O_CLOEXEC, 0);
    if (this.#home < 0) {
      throw new NamespaceEntryError(
        `cannot open this thread's network namespace: ${errnoText(libc, errno(libc))}`,
      );
    }
  }

  /**
   * The sock_diag socket of `found`'s namespace, made on first use. Throws
   * {@linkcode NamespaceEntryError} when the namespace cannot be entered, and SockDiag's errors
   * when no socket can be made there.
   */
  socketFor(found: FoundNamespace): SockDiag {
    const inode = found.namespace.inode;
    let diag = this.#sockets.get(inode);
    if (diag === undefined) {
      diag = this.#inside(found, () => new SockDiag(this.#libc));
      this.#sockets.set(inode, diag);
    }
    return diag;
  }

  /**
   * `count` new sock_diag sockets of `found`'s namespace, all made in one visit, for dumps made
   * once on the blocking pool; the caller closes them. Throws as {@linkcode socketFor} does.
   */
  openSockets(found: FoundNamespace, count: number): number[] {
    return this.#inside(found, () => {
      const fds: number[] = [];
      try {
        for (let i = 0; i < count; i++) fds.push(openSockDiagSocket(this.#libc));
      } catch (error) {
        for (const fd of fds) this.#libc.close(fd);
        throw error;
      }
      return fds;
    });
  }

  /**
   * The socket counts of `found`'s namespace, its own, in its `/proc/thread-self/net/sockstat` and
   * `sockstat6`, read from inside it; null when they cannot be read. A dump walks the kernel's
   * host-wide socket tables whatever the namespace holds, about a millisecond each on a large
   * host: the counts say which dumps are worth making (see the collector). Not read from outside
   * through `/proc/<pid>/net` of a process found in it: that process may have left it since (one
   * moving between namespaces would show an empty one's counts, and the sockets of this one go
   * unlisted), where entering it by its descriptor reaches it for sure.
   */
  countsOf(found: FoundNamespace): SocketCounts | null {
    try {
      return this.#inside(found, () =>
        socketCounts(
          Deno.readTextFileSync("/proc/thread-self/net/sockstat"),
          Deno.readTextFileSync("/proc/thread-self/net/sockstat6"),
        ));
    } catch (error) {
      if (error instanceof HomeNamespaceLostError) throw error;
      return null; // the dump will say why
    }
  }

  /**
   * `found`'s namespace's destroy notifications, subscribed to from inside it on first use (the
   * kernel tells a namespace's closes to sockets of that namespace only); null when the kernel
   * refuses.
   */
  eventsFor(found: FoundNamespace): SockDiagEvents | null {
    const inode = found.namespace.inode;
    let events = this.#events.get(inode);
    if (events === undefined) {
      const opened = this.#inside(found, () => SockDiagEvents.open(this.#libc));
      if (typeof opened === "string") return null;
      events = opened;
      this.#events.set(inode, events);
    }
    return events;
  }

  /**
   * The interface names of `found`'s namespace, made on first use; the namespace is entered for
   * them only when a name is first asked for (a link-local address's scope), and when it cannot
   * be, each index is named by its number.
   */
  interfacesOf(found: FoundNamespace): NamespaceInterfaceNames {
    const inode = found.namespace.inode;
    // The path that opened it last look may be a process's that has since exited.
    this.#waysIn.set(inode, found);
    let names = this.#interfaces.get(inode);
    if (names === undefined) {
      names = new NamespaceInterfaceNames(this.#libc, () => this.#interfaceSocket(inode));
      this.#interfaces.set(inode, names);
    }
    return names;
  }

  /** A datagram socket made in the namespace `inode`, for its interface names; -1 for none. */
  #interfaceSocket(inode: number): number {
    const found = this.#waysIn.get(inode);
    if (found === undefined) return -1;
    try {
      return this.#inside(found, () => this.#libc.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    } catch (error) {
      if (error instanceof NamespaceEntryError) return -1;
      throw error;
    }
  }

  /** The destroy subscriptions made so far, by namespace inode. */
  get subscriptions(): ReadonlyMap<number, SockDiagEvents> {
    return this.#events;
  }

  /** Closes the sockets, subscriptions and interface names of namespaces not in `alive`. */
  keepOnly(alive: ReadonlySet<number>): void {
    for (const [inode, diag] of this.#sockets) {
      if (alive.has(inode)) continue;
      diag.close();
      this.#sockets.delete(inode);
    }
    for (const [inode, events] of this.#events) {
      if (alive.has(inode)) continue;
      events.close();
      this.#events.delete(inode);
    }
    for (const [inode, names] of this.#interfaces) {
      if (alive.has(inode)) continue;
      names.close();
      this.#interfaces.delete(inode);
      this.#waysIn.delete(inode);
    }
  }

  /** Closes every socket and the way back. */
  close(): void {
    this.keepOnly(new Set());
    if (this.#home >= 0) this.#libc.close(this.#home);
    this.#home = -1;
  }

  /**
   * What `make` makes, made with this thread inside `found`'s namespace: entered by the
   * descriptor its look opened, or once that is released, by its path opened again.
   */
  #inside<T>(found: FoundNamespace, make: () => T): T {
    const libc = this.#libc;
    const { namespace, path } = found;
    let target = found.fd;
    if (target < 0) {
      target = libc.open(cString(path), O_RDONLY | O_CLOEXEC, 0);
      if (target < 0) {
        const code = errno(libc);
        throw new NamespaceEntryError(
          `cannot open network namespace ${path}: ${errnoText(libc, code)}`,
          code === ENOENT,
        );
      }
    }
    try {
      if (libc.setns(target, CLONE_NEWNET) !== 0) {
        const code = errno(libc);
        // A path opened again may have become a name's empty file (its mount gone): not a
        // namespace any more, so setns refuses it.
        throw new NamespaceEntryError(
          `cannot enter network namespace ${path}: ${errnoText(libc, code)}`,
          target !== found.fd && code === EINVAL,
        );
      }
      try {
        // A path opened again may have come to name another namespace (a pid reused).
        const entered = Deno.statSync("/proc/thread-self/ns/net").ino;
        if (entered !== namespace.inode) {
          throw new NamespaceEntryError(`network namespace ${path} is gone`, true);
        }
        return make();
      } finally {
        this.#returnHome();
      }
    } finally {
      if (target !== found.fd) libc.close(target);
    }
  }

  /**
   * Back to the thread's own namespace. Failing that, everything this thread did next would be
   * done in the wrong namespace: no caller could go on, so the error says so and is not caught.
   */
  #returnHome(): void {
    if (this.#libc.setns(this.#home, CLONE_NEWNET) !== 0) {
      throw new HomeNamespaceLostError(
        `cannot return to portset's own network namespace: ${
          errnoText(this.#libc, errno(this.#libc))
        }`,
      );
    }
  }
}
