/**
 * The sockets of every network namespace in use other than the one portset runs in: found by
 * netns.ts, entered by netns_sock_diag.ts, each dumped by as few walks of the kernel's host-wide
 * socket tables as its own counts allow (see {@linkcode dumpNamespace}).
 *
 * @module
 */

import { compareNamespaces, namespaceLabel } from "../../model/network_namespace.ts";
import type { NetworkNamespace } from "../../model/endpoint.ts";
import type { Libc } from "./ffi.ts";
import {
  AF_INET6,
  type DiagSocket,
  type InterfaceNamer,
  IPPROTO_TCP,
  IPPROTO_UDP,
} from "./netlink.ts";
import type { FoundNamespace, NamespaceCensus, NamespaceFinder } from "./netns.ts";
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
  type DumpRequest,
  DUMPS,
  isDumpError,
  LISTENERS_DUMP,
  type SockDiag,
  type SocketTable,
} from "./sock_diag.ts";
import { BackgroundDump } from "./sock_diag_background.ts";

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
   * The dumps of every other namespace of `census` (the finder's look at the processes and at
   * /run/netns). A namespace that cannot be read is left out, and said so in `warnings`; one gone
   * meanwhile, silently.
   */
  dump(census: NamespaceCensus, warnings: string[]): NamespaceDumps[] {
    try {
      return this.#dumpEach(this.#enter(census, warnings), warnings);
    } finally {
      this.#finder.release();
    }
  }

  /** {@linkcode dump}'s dumps of the namespaces `others`, made on this thread. */
  #dumpEach(others: FoundNamespace[], warnings: string[]): NamespaceDumps[] {
    const results: NamespaceDumps[] = [];
    for (const found of others) {
      try {
        const interfaceName = this.#interfaceNamer(found);
        // Subscribed before its dump, empty or not: a socket that opens and closes before the
        // next look, in a container that had none, is told of too.
        if (this.#subscribe) this.#diags!.eventsFor(found);
        const counts = this.#diags!.countsOf(found);
        const tables = counts === null ? ALL_TABLES : tablesOf(counts);
        // No socket: nothing to dump.
        const dumps = tables.size === 0
          ? []
          : dumpNamespace(this.#diags!.socketFor(found), counts, tables, interfaceName);
        if (dumps.length > 0) {
          results.push({ namespace: found.namespace, dumps, interfaceName });
        }
        if (this.#subscribe) {
          const recent = this.#recent.get(found.namespace.inode)?.dumps ?? [];
          this.#recent.set(found.namespace.inode, {
            namespace: found.namespace,
            dumps: [recent.at(-1) ?? [], dumps],
            interfaceName,
          });
        }
      } catch (error) {
        warnUnread(error, found, warnings);
      }
    }
    return results;
  }

  /**
   * As {@linkcode dump}, for a look made once: each namespace's dump requests go out on threads
   * of Deno's blocking pool, through sockets of its own made for them, while this thread goes on
   * (with the fd scan, as the host's dumps do: sock_diag_background.ts); the function returned
   * reads the replies. A namespace whose dump fails there is dumped again on this thread, where
   * the reason is known. With destroy notifications asked for, this is {@linkcode dump}.
   */
  dumpInBackground(
    census: NamespaceCensus,
    warnings: string[],
  ): () => Promise<NamespaceDumps[]> {
    if (this.#subscribe) {
      const dumps = this.dump(census, warnings);
      return () => Promise.resolve(dumps);
    }
    const startedDumps: StartedDump[] = [];
    try {
      for (const found of this.#enter(census, warnings)) {
        try {
          const counts = this.#diags!.countsOf(found);
          const tables = counts === null ? ALL_TABLES : tablesOf(counts);
          if (tables.size === 0) continue;
          const interfaceName = this.#interfaceNamer(found);
          const planned = plannedDumps(counts, tables);
          const fds = this.#diags!.openSockets(found, planned.length);
          const requests = planned.map((dump, i) => ({ ...dump, fd: fds[i] }));
          const background = BackgroundDump.of(this.#libc, requests, NAMESPACE_SLACK);
          startedDumps.push({ found, counts, tables, interfaceName, background });
        } catch (error) {
          warnUnread(error, found, warnings);
        }
      }
    } catch (error) {
      // Not a namespace's own trouble: what was sent is let finish, and its sockets closed.
      for (const { background } of startedDumps) background.closeWhenSettled().catch(() => {});
      this.#finder.release();
      throw error;
    }
    return async () => {
      try {
        return await this.#finishEach(startedDumps, warnings);
      } finally {
        this.#finder.release();
      }
    };
  }

  /** The dumps of the namespaces started by {@linkcode dumpInBackground}, in their order. */
  async #finishEach(startedDumps: StartedDump[], warnings: string[]): Promise<NamespaceDumps[]> {
    const results: NamespaceDumps[] = [];
    let failure: { error: unknown } | null = null;
    for (const started of startedDumps) {
      // After an error that is not a namespace's own, the rest are only let finish and closed.
      if (failure) {
        await started.background.closeWhenSettled();
        continue;
      }
      try {
        const dumps = await this.#finish(started);
        if (dumps.length > 0) {
          const { found: { namespace }, interfaceName } = started;
          results.push({ namespace, dumps, interfaceName });
        }
      } catch (error) {
        try {
          warnUnread(error, started.found, warnings);
        } catch {
          failure = { error };
        }
      }
    }
    if (failure) throw failure.error;
    return results;
  }

  /**
   * A namespace's dumps from its background requests; made again on this thread when those
   * failed, and TCP dumped whole when its listeners are not every TCP socket its counts show.
   */
  async #finish(
    { found, counts, tables, interfaceName, background }: StartedDump,
  ): Promise<DiagDump[]> {
    const tcp: DiagSocket[] = [], udp: DiagSocket[] = [];
    try {
      await background.forEachSocket(interfaceName, (protocol, socket) => {
        (protocol === IPPROTO_TCP ? tcp : udp).push({ ...socket });
      });
    } catch (error) {
      if (!isDumpError(error)) throw error;
      return dumpNamespace(this.#diags!.socketFor(found), counts, tables, interfaceName);
    } finally {
      background.close();
    }
    const dumps: DiagDump[] = [];
    if (tables.has("tcp4") || tables.has("tcp6")) {
      if (listenersOnly(counts) && !listenersAreAll(tcp, counts!)) {
        const tcpTables = new Set([...tables].filter((table) => table.startsWith("tcp")));
        dumps.push(...this.#diags!.socketFor(found).dumpAll(interfaceName, tcpTables));
      } else {
        dumps.push({ protocol: IPPROTO_TCP, sockets: tcp });
      }
    }
    if (udp.length > 0) dumps.push({ protocol: IPPROTO_UDP, sockets: udp });
    return dumps;
  }

  /**
   * How `found`'s interface indexes are named this look: by their names in it, asked afresh
   * each look (interfaces come, go and are renamed).
   */
  #interfaceNamer(found: FoundNamespace): InterfaceNamer {
    const interfaces = this.#diags!.interfacesOf(found);
    interfaces.clear();
    return interfaces.name;
  }

  /**
   * The other namespaces of `census`, in report order, with their sockets ready to be made (the
   * ones of namespaces gone closed). None, said so in `warnings`, when no namespace can be
   * entered.
   */
  #enter(census: NamespaceCensus, warnings: string[]): FoundNamespace[] {
    // In the order reports list them, so that their endpoints come sorted by namespace and the
    // sort has only each namespace's stretch to order, not 16,000 endpoints to group first.
    const others = census.namespaces
      .filter(({ namespace }) => !namespace.current)
      .sort((a, b) => compareNamespaces(a.namespace, b.namespace));
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
    return others;
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
  if (tcp && listenersOnly(counts)) {
    const listeners = diag.dumpListeners(interfaceName);
    if (listeners !== null && listenersAreAll(listeners.sockets, counts!)) {
      const rest = new Set([...tables].filter((table) => table === "udp4" || table === "udp6"));
      return [listeners, ...diag.dumpAll(interfaceName, rest)];
    }
  }
  return diag.dumpAll(interfaceName, tables);
}

/** Sockets that may open in a namespace between reading its counts and its dump. */
const NAMESPACE_SLACK = 16;

/** A namespace started in the background, its replies still to read. */
interface StartedDump {
  found: FoundNamespace;
  counts: SocketCounts | null;
  tables: ReadonlySet<SocketTable>;
  /** Names the namespace's interface indexes. */
  interfaceName: InterfaceNamer;
  background: BackgroundDump;
}

/** Whether a namespace with `counts` has its TCP dumped listeners first: nothing in TIME_WAIT. */
function listenersOnly(counts: SocketCounts | null): boolean {
  return counts !== null && counts.timeWait === 0;
}

/** Whether `listeners` are every TCP socket `counts` show, of each family. */
function listenersAreAll(listeners: readonly DiagSocket[], counts: SocketCounts): boolean {
  let v4 = 0, v6 = 0;
  for (const socket of listeners) socket.family === AF_INET6 ? v6++ : v4++;
  return v4 === counts.tcp4 && v6 === counts.tcp6;
}

/**
 * The dumps {@linkcode dumpNamespace} would make first, each with the sockets it should list, for
 * requests sent all at once: the listeners for TCP where that may be all of it, and the tables
 * that hold a socket.
 */
function plannedDumps(
  counts: SocketCounts | null,
  tables: ReadonlySet<SocketTable>,
): { dump: DumpRequest; expected: number }[] {
  const planned: { dump: DumpRequest; expected: number }[] = [];
  for (const dump of DUMPS) {
    if (!dump.covers.some((table) => tables.has(table))) continue;
    if (dump.protocol !== IPPROTO_TCP) {
      const expected = counts === null
        ? 0
        : dump.covers.reduce((sum, table) => sum + counts[table], 0);
      planned.push({ dump, expected });
    } else if (listenersOnly(counts)) {
      // Its listeners are some of its TCP sockets, how many the counts do not say: room for a
      // container's few, and the rest of a larger dump read on this thread.
      planned.push({ dump: LISTENERS_DUMP, expected: Math.min(counts!.tcp4 + counts!.tcp6, 256) });
    } else {
      // sockstat's TIME_WAIT count is of both families.
      const expected = counts === null ? 0 : counts.tcp4 + counts.tcp6 + counts.timeWait;
      planned.push({ dump, expected });
    }
  }
  return planned;
}

/**
 * Says in `warnings` why `found`'s sockets are not listed, for the errors a namespace's dump may
 * meet; a namespace gone between the look and the dump has nothing left to list. Other errors
 * are thrown on.
 */
function warnUnread(error: unknown, found: FoundNamespace, warnings: string[]): void {
  if (!(error instanceof NamespaceEntryError || isDumpError(error))) throw error;
  if (error instanceof NamespaceEntryError && error.gone) return;
  warnings.push(
    `network namespace ${namespaceLabel(found.namespace)}: ${(error as Error).message}; its ` +
      `sockets are not listed`,
  );
}
