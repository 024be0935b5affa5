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
import { AF_INET6, type InterfaceNamer, NetlinkKernelError, NetlinkParseError } from "./netlink.ts";
import type { NamespaceFinder } from "./netns.ts";
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
 * One network namespace's dumps, and how its interface indexes are named: by name in the
 * namespace portset runs in, by number in the others (an index means nothing outside its own).
 */
export interface NamespaceDumps {
  namespace: NetworkNamespace | undefined;
  dumps: DiagDump[];
  interfaceName: InterfaceNamer;
}

/** The other namespaces' sock_diag sockets, kept across looks, and their dumps. */
export class OtherNamespaces {
  #libc: Libc;
  #finder: NamespaceFinder;
  /** Null until a namespace other than the current one is found. */
  #diags: NamespaceSockDiags | null = null;

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
    this.#diags.keepOnly(new Set(others.map(({ namespace }) => namespace.inode)));
    const results: NamespaceDumps[] = [];
    for (const found of others) {
      const counts = this.#diags.countsOf(found);
      const tables = counts === null ? ALL_TABLES : tablesOf(counts);
      if (tables.size === 0) continue; // no socket: nothing to dump
      try {
        const dumps = dumpNamespace(this.#diags.socketFor(found), counts, tables);
        results.push({ namespace: found.namespace, dumps, interfaceName: String });
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
 * apart for a moment): it is listed at the next look, as ESTABLISHED.
 */
export function dumpNamespace(
  diag: SockDiag,
  counts: SocketCounts | null,
  tables: ReadonlySet<SocketTable>,
): DiagDump[] {
  const tcp = tables.has("tcp4") || tables.has("tcp6");
  if (counts !== null && tcp && counts.timeWait === 0) {
    const listeners = diag.dumpListeners(String);
    if (listeners !== null) {
      let v4 = 0, v6 = 0;
      for (const socket of listeners.sockets) socket.family === AF_INET6 ? v6++ : v4++;
      if (v4 === counts.tcp4 && v6 === counts.tcp6) {
        const rest = new Set([...tables].filter((table) => table === "udp4" || table === "udp6"));
        return [listeners, ...diag.dumpAll(String, rest)];
      }
    }
  }
  return diag.dumpAll(String, tables);
}
