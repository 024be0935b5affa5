/**
 * The sockets of every network namespace in use other than the one portset runs in: found by
 * netns.ts, entered by netns_sock_diag.ts, each dumped by as few walks of the kernel's host-wide
 * socket tables as its own counts allow (see {@linkcode dumpNamespace}).
 *
 * @module
 */

import { namespaceLabel } from "../../model/network_namespace.ts";
import type { NetworkNamespace } from "../../model/endpoint.ts";
import type { Libc } from "./ffi.ts";
import {
  AF_INET6,
  type DiagSocket,
  type InterfaceNamer,
  NetlinkKernelError,
  NetlinkParseError,
} from "./netlink.ts";
import type { NamespaceFinder } from "./netns.ts";
import { restoreDestroyed } from "./sock_diag_events.ts";
import {
  NamespaceEntryError,
  NamespaceSockDiags,
  type SocketCounts,
  tablesOf,
} from "./netns_sock_diag.ts";
import {
  ALL_TABLES,
  type DiagDump,
  type SockDiag,
  SockDiagUnavailableError,
  type SocketTable,
} from "./sock_diag.ts";

/**
 * One network namespace's dumps, and how its interface indexes are named: each by its name in
 * that namespace (an index means nothing outside its own), or by number when it has gone.
 */
export interface NamespaceDumps {
  namespace: NetworkNamespace | undefined;
  dumps: DiagDump[];
  interfaceName: InterfaceNamer;
}

/** A socket another namespace's kernel reported destroyed, with what its dumps knew of it. */
export interface DestroyedInNamespace {
  namespace: NetworkNamespace;
  socket: DiagSocket;
  /** How its namespace's interface indexes are named, as in its dumps. */
  interfaceName: InterfaceNamer;
}

/** The other namespaces' sock_diag sockets, kept across looks, and their dumps. */
export class OtherNamespaces {
  #libc: Libc;
  #finder: NamespaceFinder;
  /** Null until a namespace other than the current one is found. */
  #diags: NamespaceSockDiags | null = null;
  /** Subscribe each namespace to its destroy notifications as it is dumped (watch, monitor). */
  #subscribe = false;
  /**
   * With destroy notifications: each namespace and its last two dumps, where a destroyed socket
   * is found by its cookie (the kernel's notice has lost its inode).
   */
  #recent = new Map<
    number,
    { namespace: NetworkNamespace; dumps: DiagDump[][]; interfaceName: InterfaceNamer }
  >();

  /** Namespaces as `finder` finds them, entered through `libc`. */
  constructor(libc: Libc, finder: NamespaceFinder) {
    this.#libc = libc;
    this.#finder = finder;
  }

  /**
   * The dumps of every other namespace the processes `pids` are in (and those bind-mounted under
   * /run/netns). A namespace that cannot be read is left out, and said so in `warnings`; one gone
   * meanwhile, silently.
   */
  dump(pids: readonly number[], warnings: string[]): NamespaceDumps[] {
    const others = this.#finder.find(pids).namespaces.filter(({ namespace }) => !namespace.current);
    if (others.length === 0 && this.#diags === null) return [];
    try {
      this.#diags ??= new NamespaceSockDiags(this.#libc);
    } catch (error) {
      if (!(error instanceof NamespaceEntryError)) throw error;
      warnings.push(`${error.message}: only this network namespace's sockets are listed`);
      return [];
    }
    const alive = new Set(others.map(({ namespace }) => namespace.inode));
    this.#diags.keepOnly(alive);
    for (const inode of this.#recent.keys()) if (!alive.has(inode)) this.#recent.delete(inode);
    const results: NamespaceDumps[] = [];
    for (const found of others) {
      try {
        const interfaces = this.#diags.interfacesOf(found);
        // Names are asked afresh each look: interfaces come, go and are renamed.
        interfaces.clear();
        // Subscribed before its dump, empty or not: a socket that opens and closes before the
        // next look, in a container that had none, is told of too.
        if (this.#subscribe) this.#diags.eventsFor(found);
        const counts = this.#diags.countsOf(found);
        const tables = counts === null ? ALL_TABLES : tablesOf(counts);
        // No socket: nothing to dump.
        const dumps = tables.size === 0
          ? []
          : dumpNamespace(this.#diags.socketFor(found), counts, tables, interfaces.name);
        if (dumps.length > 0) {
          results.push({ namespace: found.namespace, dumps, interfaceName: interfaces.name });
        }
        if (this.#subscribe) {
          const recent = this.#recent.get(found.namespace.inode)?.dumps ?? [];
          this.#recent.set(found.namespace.inode, {
            namespace: found.namespace,
            dumps: [recent.at(-1) ?? [], dumps],
            interfaceName: interfaces.name,
          });
        }
      } catch (error) {
        if (
          !(error instanceof NamespaceEntryError || error instanceof SockDiagUnavailableError ||
            error instanceof NetlinkKernelError || error instanceof NetlinkParseError)
        ) throw error;
        // A namespace gone between the look and the dump has nothing left to list.
        if (!(error instanceof NamespaceEntryError && error.gone)) {
          warnings.push(
            `network namespace ${namespaceLabel(found.namespace)}: ${error.message}; its ` +
              `sockets are not listed`,
          );
        }
      }
    }
    return results;
  }

  /**
   * From now on, each namespace dumped is subscribed to its destroy notifications, which
   * {@linkcode takeDestroyed} drains: a socket that opens and closes between two looks in a
   * container is told of as the host's are.
   */
  subscribe(): void {
    this.#subscribe = true;
  }

  /**
   * The sockets the other namespaces' kernels reported destroyed since the last call, each with
   * the inode and user its dumps gave it; `overflowed` when a namespace's notices came faster
   * than they were read.
   */
  takeDestroyed(): { destroyed: DestroyedInNamespace[]; overflowed: boolean } {
    const destroyed: DestroyedInNamespace[] = [];
    let overflowed = false;
    for (const [inode, events] of this.#diags?.subscriptions ?? []) {
      const known = this.#recent.get(inode);
      if (!known) continue;
      // Named as its dumps named them, so that a close is of the socket they listed.
      const drained = events.drain(known.interfaceName);
      overflowed ||= drained.overflowed;
      for (const socket of restoreDestroyed(drained.sockets, known.dumps)) {
        destroyed.push({ namespace: known.namespace, socket, interfaceName: known.interfaceName });
      }
    }
    return { destroyed, overflowed };
  }

  /** Closes every namespace's socket. */
  close(): void {
    this.#diags?.close();
    this.#diags = null;
  }
}

/**
 * Another namespace's sockets, by as few walks of the kernel's host-wide tables as its own counts
 * allow: only the tables that hold a socket, and for TCP, when the namespace has nothing in
 * TIME_WAIT, its listeners first, in a dump that skips the table of connections (the walk that
 * costs, on a busy host). When the listeners are every TCP socket its counts show (a container
 * that serves and has no client now), that is TCP done; otherwise TCP is dumped whole. What the
 * counts do not show is a connection still being accepted (SYN_RECV, a request the kernel holds
 * apart for a moment): it is listed at the next look, as ESTABLISHED. `interfaceName` names the
 * namespace's interface indexes.
 */
export function dumpNamespace(
  diag: SockDiag,
  counts: SocketCounts | null,
  tables: ReadonlySet<SocketTable>,
  interfaceName: InterfaceNamer = String,
): DiagDump[] {
  const tcp = tables.has("tcp4") || tables.has("tcp6");
  if (counts !== null && tcp && counts.timeWait === 0) {
    const listeners = diag.dumpListeners(interfaceName);
    if (listeners !== null) {
      let v4 = 0, v6 = 0;
      for (const socket of listeners.sockets) socket.family === AF_INET6 ? v6++ : v4++;
      if (v4 === counts.tcp4 && v6 === counts.tcp6) {
        const rest = new Set([...tables].filter((table) => table === "udp4" || table === "udp6"));
        return [listeners, ...diag.dumpAll(interfaceName, rest)];
      }
    }
  }
  return diag.dumpAll(interfaceName, tables);
}
