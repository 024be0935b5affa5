/**
 * The Linux collector: sockets from netlink sock_diag (or /proc/net when netlink is unavailable),
 * owners from the fd tables in /proc, names from libc.
 *
 * @module
 */

import type { Endpoint, NetworkNamespace, ProcessInfo, Snapshot } from "../../model/endpoint.ts";
import { makeSnapshot } from "../../model/snapshot.ts";
import type { CollectOptions, Collector } from "../collector.ts";
import { type Libc, loadLibc } from "./ffi.ts";
import { type DiagSocket, type InterfaceNamer, IPPROTO_TCP, IPPROTO_UDP } from "./netlink.ts";
import { InterfaceNames, UserNames } from "./names.ts";
import { type NamespaceCensus, NamespaceFinder } from "./netns.ts";
import type { NamespaceDumps, OtherNamespaces } from "./other_namespaces.ts";
import { laterParts, loadLaterParts } from "./later_parts.ts";
import { FdTableScanner, scanSocketOwners, SocketOwnership } from "./proc_owners.ts";
import { ProcessReader } from "./proc_process.ts";
import { type DiagDump, isDumpError, SockDiag, SockDiagUnavailableError } from "./sock_diag.ts";
import { BackgroundDump } from "./sock_diag_background.ts";
import type { SockDiagEvents } from "./sock_diag_events.ts";
import { EndpointAssembly, socketEndpoint } from "./endpoint_assembly.ts";
import { OwnerCache } from "./owner_cache.ts";
import { type OwnerScanChoice, OwnerScans } from "./owner_scans.ts";

const _SC_CLK_TCK = 2;

/** A source of socket dumps: netlink sock_diag in use, a failing one in the fallback test. */
export interface SocketDumper {
  dumpAll(interfaceName: InterfaceNamer): DiagDump[];
  close(): void;
}

/** How the Linux collector reads sockets. */
export interface LinuxCollectorOptions {
  /** Skip netlink and read /proc/net, as on a system without sock_diag. */
  procNetOnly?: boolean;
  /** The netlink dumper to use instead of a new NETLINK_SOCK_DIAG socket. */
  dumper?: SocketDumper;
  /** Read the namespace portset runs in alone, not every network namespace in use. */
  currentNamespaceOnly?: boolean;
  /**
   * How the owners are found: `bpf` (the kernel's fd iterator), `proc` (the /proc fd tables), or
   * `auto`, the default: the iterator as root on a busy host. Unset: `PORTSET_OWNER_SCAN`.
   */
  ownerScan?: OwnerScanChoice;
}

/**
 * Collects endpoints and owners on Linux. A collector that looks more than once is made by
 * {@linkcode LinuxCollector.open}; `new` makes one for {@linkcode LinuxCollector.collectOnce},
 * which loads what else the host turns out to need (later_parts.ts).
 */
export class LinuxCollector implements Collector {
  #libc: Libc;
  #diag: SocketDumper | null = null;
  /** Why netlink is not in use, when it is not; null when /proc/net was asked for. */
  #diagFailure: string | null = null;
  #users: UserNames;
  /** With `reuseOwners`: the last look at the owners and its processes, while reusable. */
  #owners = new OwnerCache();
  /** The destroy-notification subscription: undefined until asked for, null when refused. */
  #events: SockDiagEvents | null | undefined = undefined;
  /** With destroy notifications: the last two dumps, where destroyed sockets are looked up. */
  #recentDumps: [DiagDump[], DiagDump[]] = [[], []];
  #interfaces: InterfaceNames;
  #processes: ProcessReader;
  /** Whether a look's owners come from the eBPF iterator or /proc. */
  #ownerScans: OwnerScans;
  /** Finds the network namespaces in use; null where the kernel shows none (no /proc ns). */
  #finder: NamespaceFinder | null = null;
  /** The other namespaces' dumps; null until one is needed, or when not wanted. */
  #others: OtherNamespaces | null = null;
  #allNamespaces: boolean;
  /** The last look left the other namespaces out for want of root. */
  #namespacesUnread = false;

  constructor(options: LinuxCollectorOptions = {}) {
    // A library that cannot load is a CollectorUnavailableError: one line, no stack trace.
    this.#libc = loadLibc();
    this.#users = new UserNames(this.#libc);
    this.#interfaces = new InterfaceNames(this.#libc);
    this.#processes = new ProcessReader(
      (uid) => this.#users.name(uid),
      Number(this.#libc.sysconf(_SC_CLK_TCK)),
    );
    this.#ownerScans = new OwnerScans(this.#libc, options.ownerScan);
    try {
      this.#finder = new NamespaceFinder(this.#libc);
    } catch {
      // A kernel without /proc/thread-self (before 3.17): namespaces are not told apart.
    }
    // Every namespace from the host's (init's); run inside another (`ip netns exec`, a container
    // that shares no pid namespace with the host), that one alone, as `ss` there would.
    this.#allNamespaces = !options.currentNamespaceOnly && !options.procNetOnly &&
      this.#finder !== null && inHostNamespace(this.#finder.currentInode);
    if (options.dumper) {
      this.#diag = options.dumper;
    } else if (!options.procNetOnly) {
      try {
        this.#diag = new SockDiag(this.#libc);
      } catch (error) {
        if (!(error instanceof SockDiagUnavailableError)) throw error;
        this.#diagFailure = error.message;
      }
    }
  }

  /** A collector for repeated looks (the watch modes, the monitor), its later parts loaded. */
  static async open(options: LinuxCollectorOptions = {}): Promise<LinuxCollector> {
    await loadLaterParts();
    return new LinuxCollector(options);
  }

  collect(options: CollectOptions = {}): Snapshot {
    const warnings: string[] = [];
    const dumps = this.#dumpSockets(warnings);
    if (this.#events) this.#recentDumps = [this.#recentDumps[1], dumps];
    // /proc is listed once a look, for the other namespaces and the owner scan both.
    const scanner = new FdTableScanner(this.#libc);
    let pids: readonly number[] | null = null;
    const listPids = () => pids ??= scanner.listPids();
    const census = this.#othersReadable() ? this.#finder!.find(listPids()) : null;
    const namespaces = [
      this.#currentDumps(dumps),
      ...(census !== null && this.#readsOthers(census)
        ? this.#otherNamespaces().dump(census, warnings)
        : []),
    ];
    const ownership = this.#ownership(namespaces, options.reuseOwners ?? false, () => {
      const iterated = this.#ownerScans.scan(warnings);
      if (iterated) return iterated;
      const scanned = new SocketOwnership();
      for (const pid of listPids()) scanner.scanInto(scanned, pid);
      return scanned;
    });
    return this.#snapshot(namespaces, ownership, options, warnings);
  }

  /** The namespace portset runs in, with `dumps`. */
  #currentDumps(dumps: DiagDump[]): NamespaceDumps {
    return { namespace: this.#finder?.current(), dumps, interfaceName: this.#interfaces.name };
  }

  /**
   * Whether this look reads the other network namespaces: not when it reads only the current
   * one, nor when it cannot enter the others (without root: the snapshot's warning says so).
   */
  #othersReadable(): boolean {
    this.#namespacesUnread = false;
    if (!this.#allNamespaces || this.#diag === null) return false;
    if (this.#libc.geteuid() !== 0) {
      // Entering a namespace takes CAP_SYS_ADMIN; the snapshot's no-root warning says so.
      this.#namespacesUnread = true;
      return false;
    }
    return true;
  }

  /**
   * Whether this look dumps other namespaces, given the finder's `census`: when it found one, or
   * an earlier look did (whose readers let go of what has gone). When not, the census's
   * descriptors are released, and the readers need not even be loaded.
   */
  #readsOthers(census: NamespaceCensus): boolean {
    if (this.#others !== null || census.namespaces.some(({ namespace }) => !namespace.current)) {
      return true;
    }
    this.#finder!.release();
    return false;
  }

  /** The other network namespaces' readers, made on first use; the later parts are loaded. */
  #otherNamespaces(): OtherNamespaces {
    this.#others ??= new (laterParts().OtherNamespaces)(this.#libc, this.#finder!);
    // A watch or the monitor asked for destroy notifications: each namespace's too.
    if (this.#events) this.#others.subscribe();
    return this.#others;
  }

  /**
   * The other namespaces' dumps for a look made once, their requests sent (see
   * OtherNamespaces.dumpInBackground): undefined when this look reads no other namespace, or
   * the host has none, in which case their readers are not even loaded.
   */
  async #otherDumpsInBackground(
    pids: readonly number[],
    warnings: string[],
  ): Promise<(() => Promise<NamespaceDumps[]>) | undefined> {
    if (!this.#othersReadable()) return undefined;
    const census = this.#finder!.find(pids);
    if (!this.#readsOthers(census)) return undefined;
    await loadLaterParts();
    return this.#otherNamespaces().dumpInBackground(census, warnings);
  }

  /**
   * One snapshot, for a command that looks once and exits: the same as {@linkcode collect}, made
   * on two cores. The kernel's sock_diag work (walking its socket tables, writing the replies)
   * runs on threads of Deno's blocking pool while this thread scans the fd tables in /proc; this
   * thread then reads the replies. With `reuseOwners`, or without netlink, it is `collect()`.
   */
  async collectOnce(options: CollectOptions = {}): Promise<Snapshot> {
    if (options.reuseOwners || !(this.#diag instanceof SockDiag)) {
      await loadLaterParts();
      return this.collect(options);
    }
    let background: BackgroundDump | null = null;
    try {
      background = BackgroundDump.start(this.#libc);
    } catch (error) {
      if (!(error instanceof SockDiagUnavailableError)) throw error;
    }
    const scanner = new FdTableScanner(this.#libc);
    const pids = scanner.listPids();
    const warnings: string[] = [];
    // The other namespaces' requests go out to the pool too, before the scan: each walks the
    // kernel's host-wide tables, about half a millisecond a namespace on a busy host.
    let otherDumps: (() => Promise<NamespaceDumps[]>) | undefined;
    let ownership: SocketOwnership;
    let others: NamespaceDumps[];
    try {
      otherDumps = await this.#otherDumpsInBackground(pids, warnings);
      // The iterator's program loads while the requests go out; it then walks the fd tables
      // while the pool gathers the replies.
      await this.#ownerScans.load();
      const iterating = this.#ownerScans.prepare(warnings);
      if (iterating && background) await background.receive();
      ownership = (iterating ? this.#ownerScans.scan(warnings) : null) ??
        (background
          ? await scanWhileRequestsGo(scanner, pids, background)
          : scanSocketOwners(this.#libc));
    } catch (error) {
      // Whatever is still running on the pool is let finish, and every socket closed.
      await otherDumps?.().catch(() => {});
      await background?.closeWhenSettled();
      throw error;
    }
    this.#forgetNames();
    try {
      others = otherDumps ? await otherDumps() : [];
    } catch (error) {
      await background?.closeWhenSettled();
      throw error;
    }
    if (background) {
      // Each reply becomes its endpoint as it is read: no socket object is kept in between.
      const assembly = this.#assembly(ownership, options);
      try {
        const { namespace, interfaceName } = this.#currentDumps([]);
        await background.forEachSocket(
          interfaceName,
          (protocol, socket) => assembly.add(protocol, socket, namespace, interfaceName),
        );
        addDumps(assembly, others);
        return this.#complete(assembly, ownership, options, warnings);
      } catch (error) {
        // Made again on this thread, which can tell why it fails and falls back to /proc/net.
        if (!isDumpError(error)) throw error;
      } finally {
        background.close();
      }
    }
    await loadLaterParts();
    const namespaces = [this.#currentDumps(this.#dumpSockets(warnings)), ...others];
    return this.#snapshot(namespaces, ownership, options, warnings);
  }

  /** The snapshot of each namespace's dumps, each socket with its owners from `ownership`. */
  #snapshot(
    namespaces: readonly NamespaceDumps[],
    ownership: SocketOwnership,
    options: CollectOptions,
    warnings: string[],
  ): Snapshot {
    const assembly = this.#assembly(ownership, options);
    addDumps(assembly, namespaces);
    return this.#complete(assembly, ownership, options, warnings);
  }

  /**
   * A snapshot in the making: each socket added becomes its endpoint, with its owners from
   * `ownership` (each owning process read once); {@linkcode #complete} makes the snapshot.
   */
  #assembly(ownership: SocketOwnership, options: CollectOptions): EndpointAssembly {
    return new EndpointAssembly(ownership, {
      readProcess: (pid) =>
        this.#owners.record(pid) ?? this.#processes.read(pid, options.modules ?? false),
      userName: (uid) => this.#users.name(uid),
    });
  }

  /** The snapshot of what `assembly` made, with a warning for what want of root hid. */
  #complete(
    assembly: EndpointAssembly,
    ownership: SocketOwnership,
    options: CollectOptions,
    warnings: string[],
  ): Snapshot {
    // One warning for what want of root hides, as a long run says each kind once.
    const uid = this.#libc.geteuid();
    if (assembly.unowned > 0 && ownership.deniedPids.length > 0) {
      warnings.push(
        `running as uid ${uid} without root: the fd tables of ${ownership.deniedPids.length} ` +
          `processes cannot be read, so ${assembly.unowned} sockets are listed with no owner ` +
          `(pid null); their addresses, ports, states and socket user are complete` +
          (this.#namespacesUnread
            ? `, and other network namespaces' sockets are not listed. Run as root to see ` +
              `every owner and every namespace.`
            : `. Run as root to see every owner.`),
      );
    } else if (this.#namespacesUnread) {
      warnings.push(
        `running as uid ${uid} without root: only this network namespace's sockets are ` +
          `listed. Run as root to see every namespace's.`,
      );
    }
    // Every process looked up and still alive owns at least one endpoint.
    const owningProcesses: ProcessInfo[] = [];
    const processes = assembly.processes;
    this.#owners.keep(options.reuseOwners ? processes : new Map());
    for (const record of processes.values()) {
      const { startTicks: _, ...info } = record;
      owningProcesses.push(info);
    }
    const source = this.#diag ? "netlink" : "procfs";
    return makeSnapshot(assembly.endpoints, owningProcesses, warnings, source);
  }

  takeDestroyed(): { endpoints: Endpoint[]; overflowed: boolean } | null {
    if (this.#events === undefined) {
      const events = laterParts().SockDiagEvents.open(this.#libc);
      this.#events = typeof events === "string" ? null : events;
      return this.#events ? { endpoints: [], overflowed: false } : null;
    }
    if (this.#events === null) return null;
    const { sockets, overflowed } = this.#events.drain(this.#interfaces.name);
    const endpoints: Endpoint[] = [];
    const current = this.#finder?.current();
    for (const socket of laterParts().restoreDestroyed(sockets, this.#recentDumps)) {
      this.#addDestroyed(endpoints, socket, current, this.#interfaces.name);
    }
    if (this.#others === null) return { endpoints, overflowed };
    // Other namespaces' closes, told to each namespace's own subscription.
    const other = this.#others.takeDestroyed();
    for (const { namespace, socket, interfaceName } of other.destroyed) {
      this.#addDestroyed(endpoints, socket, namespace, interfaceName);
    }
    return { endpoints, overflowed: overflowed || other.overflowed };
  }

  /** A destroyed TCP or UDP socket as its endpoint, owned as the last scan of owners had it. */
  #addDestroyed(
    endpoints: Endpoint[],
    socket: DiagSocket,
    namespace: NetworkNamespace | undefined,
    interfaceName: InterfaceNamer,
  ): void {
    if (socket.protocol !== IPPROTO_TCP && socket.protocol !== IPPROTO_UDP) return;
    const holder = this.#owners.firstHolder(socket.inode);
    const owner = holder === undefined ? null : this.#owners.record(holder) ?? null;
    endpoints.push(
      socketEndpoint(
        socket.protocol,
        socket,
        owner,
        null,
        namespace,
        interfaceName,
        (uid) => this.#users.name(uid),
      ),
    );
  }

  processExists(pid: number): boolean {
    try {
      Deno.statSync(`/proc/${pid}`);
      return true;
    } catch {
      return false;
    }
  }

  processStarted(pid: number): string | null {
    return this.#processes.started(pid);
  }

  close(): void {
    this.#ownerScans.close();
    this.#diag?.close();
    this.#diag = null;
    this.#events?.close();
    this.#events = null;
    this.#others?.close();
    this.#others = null;
    this.#finder?.close();
  }

  /**
   * Who holds which socket: the previous look when `reuse` allows and nothing suggests it is
   * stale, otherwise a new scan of every process's fd table (owner_cache.ts).
   */
  #ownership(
    namespaces: readonly NamespaceDumps[],
    reuse: boolean,
    scan: () => SocketOwnership,
  ): SocketOwnership {
    const dumps = namespaces.flatMap((namespace) => namespace.dumps);
    const { ownership, scanned } = this.#owners.ownership(dumps, reuse, scan);
    if (scanned) this.#forgetNames();
    return ownership;
  }

  /**
   * Names looked up by number can change under a long-running monitor: they are forgotten at
   * every full look at the owners (at least every FULL_SCAN_EVERY snapshots).
   */
  #forgetNames(): void {
    this.#users.clear();
    this.#interfaces.clear();
    this.#processes.clearCaches();
  }

  #dumpSockets(warnings: string[]): DiagDump[] {
    if (this.#diag) {
      try {
        return this.#diag.dumpAll(this.#interfaces.name);
      } catch (error) {
        if (!isDumpError(error)) throw error;
        this.#diag.close();
        this.#diag = null;
        this.#diagFailure = error.message;
      }
    }
    if (this.#diagFailure !== "netlink disabled by request") {
      warnings.push(
        `netlink sock_diag is unavailable (${this.#diagFailure}); read /proc/net instead`,
      );
    }
    return laterParts().readProcNet();
  }
}

/**
 * How long the kernel takes over a dump request, walking its tables (about 1 ms for TCP's
 * established hash of 262,144 buckets on a 24 GiB host, whatever the number of sockets): the fd
 * scan gets on with it for that long before the replies are asked for.
 */
const REQUEST_MS = 1;

/**
 * Every process's sockets, from the fd tables, while `dump` runs on the blocking pool: the
 * requests have `REQUEST_MS` of scanning to go out, then the replies are gathered during the
 * rest of the scan.
 */
async function scanWhileRequestsGo(
  scanner: FdTableScanner,
  pids: readonly number[],
  dump: BackgroundDump,
): Promise<SocketOwnership> {
  const ownership = new SocketOwnership();
  const started = performance.now();
  let next = 0;
  while (next < pids.length && performance.now() - started < REQUEST_MS) {
    scanner.scanInto(ownership, pids[next++]);
  }
  await dump.receive();
  while (next < pids.length) scanner.scanInto(ownership, pids[next++]);
  return ownership;
}

/** Adds every socket of each namespace's dumps to `assembly`. */
function addDumps(assembly: EndpointAssembly, namespaces: readonly NamespaceDumps[]): void {
  for (const { namespace, dumps, interfaceName } of namespaces) {
    for (const { protocol, sockets } of dumps) {
      for (const socket of sockets) assembly.add(protocol, socket, namespace, interfaceName);
    }
  }
}

/**
 * True when this thread is in the host's network namespace: init's, or where init's link is
 * refused (init not dumpable, or no root) kthreadd's, whose kernel threads live there too. When
 * neither can be read, true: the attempt to enter the others then says what it can. The links
 * are read, not followed: following one is refused where reading it is not.
 */
function inHostNamespace(currentInode: number): boolean {
  for (const pid of [1, 2]) {
    try {
      if (pid === 2 && Deno.readTextFileSync("/proc/2/comm") !== "kthreadd\n") break;
      return Deno.readLinkSync(`/proc/${pid}/ns/net`) === `net:[${currentInode}]`;
    } catch {
      // refused, or no such process: the next
    }
  }
  return true;
}
