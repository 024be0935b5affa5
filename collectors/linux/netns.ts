/**
 * Every network namespace in use on the host: those of running processes (`/proc/<pid>/ns/net`
 * reads `net:[<inode>]`) and those bind-mounted under `/run/netns` by `ip netns add`, which may
 * have no process at all. Each is named from `/run/netns` and attributed to a container from its
 * processes' cgroup (container.ts).
 *
 * @module
 */

import type { NetworkNamespace } from "../../model/endpoint.ts";
import { parseContainer } from "./container.ts";
import { cString, errno, type FdScanLibc } from "./ffi.ts";

const AT_FDCWD = -100;
const ENOENT = 2;
const ESRCH = 3;
/** {@linkcode NamespaceFinder}'s `#open` of a path that is not the namespace it was asked for. */
const NOT_IT = -1_000_000;
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;
const EACCES = 13;
const EPERM = 1;
const NET_PREFIX = new TextEncoder().encode("net:[");
const LINK_SIZE = 64n;

/** A namespace found, and an open way into it for setns. */
export interface FoundNamespace {
  /** The namespace, the same object from one look to the next while nothing about it changes. */
  namespace: NetworkNamespace;
  /**
   * The path `fd` was opened from, for messages: `/run/netns/NAME` when it is named there, else
   * `/proc/<pid>/ns/net` of a process that was in it.
   */
  path: string;
  /**
   * The namespace itself, opened when it was found and checked to be it (its inode): entering by
   * it reaches this namespace whatever has become of its name or its processes since (a name
   * unmounted by `ip netns del` while a process is still in it, a process that moved to another
   * namespace, a pid reused). -1 for the current namespace, which is not entered, and once the
   * finder has released its look's descriptors ({@linkcode NamespaceFinder.release}): `path` is
   * then opened again, and checked, by whoever enters it.
   */
  fd: number;
}

/** What one look found. */
export interface NamespaceCensus {
  /** The namespace portset runs in first, then the others in the order first met. */
  namespaces: FoundNamespace[];
  /** Processes whose namespace could not be read (another user's, without root). */
  deniedPids: number;
}

/** Finds network namespaces, remembering what it learnt of each while it lives. */
export class NamespaceFinder {
  #libc: FdScanLibc;
  #procRoot: string;
  #namedRoot: string;
  #current: number;
  #path = new Uint8Array(64);
  #link = new Uint8Array(Number(LINK_SIZE));
  /** The last look's namespaces, by inode, reused while their name and container stay. */
  #known = new Map<number, NetworkNamespace>();
  /** The namespaces the last look opened, until released (see {@linkcode FoundNamespace.fd}). */
  #opened: FoundNamespace[] = [];

  /**
   * `currentInode` is the namespace of the thread that will dump sockets; by default the calling
   * thread's (`/proc/thread-self/ns/net`: a thread may be in another namespace than its process).
   */
  constructor(
    libc: FdScanLibc,
    options: { procRoot?: string; namedRoot?: string; currentInode?: number } = {},
  ) {
    this.#libc = libc;
    this.#procRoot = options.procRoot ?? "/proc";
    this.#namedRoot = options.namedRoot ?? "/run/netns";
    this.#current = options.currentInode ?? Deno.statSync("/proc/thread-self/ns/net").ino!;
    this.#path.set(new TextEncoder().encode(`${this.#procRoot}/`));
  }

  /** The inode of the namespace portset runs in. */
  get currentInode(): number {
    return this.#current;
  }

  /** The namespace portset runs in, as the last look (or none yet) knows it. */
  current(): NetworkNamespace {
    let namespace = this.#known.get(this.#current);
    if (namespace === undefined) {
      // Kept: where no look runs find() (no root, one namespace only), each call would read
      // /run/netns again, once per destroyed socket in a watch.
      namespace = this.#namespace(this.#current, this.#names(), null);
      this.#known.set(this.#current, namespace);
    }
    return namespace;
  }

  /**
   * Every namespace in use now, given the host's pids (the fd scan lists them), each other than
   * the current one opened (see {@linkcode FoundNamespace.fd}) by a process in it, or by its
   * name when none is (a descriptor opened through the name's mount would keep a plain `umount`
   * of it from succeeding while it is open); one that can be opened neither way has gone, and is
   * left out. The previous look's descriptors are released first.
   */
  find(pids: readonly number[]): NamespaceCensus {
    this.release();
    const pidsIn = new Map<number, number[]>();
    let deniedPids = 0;
    for (const pid of pids) {
      const inode = this.#namespaceOf(pid);
      if (inode > 0) {
        const list = pidsIn.get(inode);
        if (list) list.push(pid);
        else pidsIn.set(inode, [pid]);
      } else if (inode === -EACCES || inode === -EPERM) deniedPids++;
    }
    const names = this.#names();
    const inodes = [this.#current, ...pidsIn.keys(), ...names.keys()];
    const known = new Map<number, NetworkNamespace>();
    const namespaces: FoundNamespace[] = [];
    for (const inode of inodes) {
      if (known.has(inode)) continue;
      const inside = pidsIn.get(inode) ?? [];
      let fd = -1, path = "";
      if (inode !== this.#current) {
        const name = names.get(inode);
        const paths = inside.map((pid) => `${this.#procRoot}/${pid}/ns/net`);
        if (name !== undefined) paths.push(`${this.#namedRoot}/${name}`);
        // Gone since it was seen only when no way in is left at all; one that could not be
        // opened for another reason (a denial) is kept unopened, for its entry to say why.
        let refused = "";
        for (const candidate of paths) {
          fd = this.#open(candidate, inode);
          path = candidate;
          if (fd >= 0) break;
          if (fd !== -ENOENT && fd !== -ESRCH && fd !== NOT_IT && refused === "") refused = path;
        }
        if (fd < 0 && refused === "") continue;
        if (fd < 0) {
          path = refused;
          fd = -1;
        }
      }
      const namespace = this.#namespace(inode, names, inside[0] ?? null);
      known.set(inode, namespace);
      const found = { namespace, path, fd };
      if (fd >= 0) this.#opened.push(found);
      namespaces.push(found);
    }
    this.#known = known;
    return { namespaces, deniedPids };
  }

  /**
   * Closes the descriptors the last look opened, once its dumps are made: held between looks,
   * each would keep its namespace alive. Each namespace's `fd` becomes -1.
   */
  release(): void {
    for (const found of this.#opened) {
      this.#libc.close(found.fd);
      found.fd = -1;
    }
    this.#opened = [];
  }

  /** {@linkcode release}: the finder holds nothing else. */
  close(): void {
    this.release();
  }

  /**
   * `path` opened, when it is the network namespace `inode` (what the descriptor leads to is on
   * nsfs with that inode); minus the errno when it cannot be opened, {@linkcode NOT_IT} when it is
   * something else: a name whose mount has gone is an empty file on tmpfs, a process's may have
   * moved to another namespace.
   */
  #open(path: string, inode: number): number {
    const fd = this.#libc.open(cString(path), O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return -errno(this.#libc);
    try {
      // Its link would read the mount's path for a name, not `net:[<inode>]`: stat what it opens.
      const opened = Deno.statSync(`/proc/thread-self/fd/${fd}`);
      if (opened.ino === inode && opened.dev === nsfsDevice()) return fd;
    } catch {
      // not readable: not used
    }
    this.#libc.close(fd);
    return NOT_IT;
  }

  /** The namespace object for `inode`: the one known already when nothing about it changed. */
  #namespace(inode: number, names: Map<number, string>, pid: number | null): NetworkNamespace {
    const name = names.get(inode) ?? null;
    const old = this.#known.get(inode);
    const current = inode === this.#current;
    // The container is read once per namespace: its processes' cgroup does not change.
    let container = old?.container ?? null;
    if (old === undefined && !current && pid !== null) container = this.#containerOf(pid);
    if (old && old.name === name) return old;
    return { inode, name, container, current };
  }

  #containerOf(pid: number): NetworkNamespace["container"] {
    try {
      return parseContainer(Deno.readTextFileSync(`${this.#procRoot}/${pid}/cgroup`));
    } catch {
      return null; // gone, or not readable
    }
  }

  /** `/run/netns`'s names by namespace inode; the first name in order when one has several. */
  #names(): Map<number, string> {
    const entries: string[] = [];
    try {
      for (const entry of Deno.readDirSync(this.#namedRoot)) entries.push(entry.name);
    } catch {
      return new Map(); // no named namespaces
    }
    const names = new Map<number, string>();
    for (const name of entries.sort()) {
      try {
        const info = Deno.statSync(`${this.#namedRoot}/${name}`);
        // A name whose mount has gone is an empty file left behind, on tmpfs: its inode is no
        // namespace's. A live one is on nsfs, the device of /proc/thread-self/ns/net.
        if (info.ino !== null && info.dev === nsfsDevice() && !names.has(info.ino)) {
          names.set(info.ino, name);
        }
      } catch {
        // removed meanwhile
      }
    }
    return names;
  }

  /**
   * The inode of `pid`'s network namespace, from the link `net:[<inode>]`; minus the errno when
   * it cannot be read, 0 when the link is something else.
   */
  #namespaceOf(pid: number): number {
    const path = this.#path;
    let end = this.#procRoot.length + 1;
    const digits = String(pid);
    for (let i = 0; i < digits.length; i++) path[end++] = digits.charCodeAt(i);
    for (let i = 0; i < NS_NET.length; i++) path[end++] = NS_NET[i];
    path[end] = 0;
    return this.#readInode(path);
  }

  /** The inode the link at the NUL-terminated `path` reads, as {@linkcode #namespaceOf} says. */
  #readInode(path: Uint8Array<ArrayBuffer>): number {
    const link = this.#link;
    const length = Number(this.#libc.readlinkat(AT_FDCWD, path, link, LINK_SIZE));
    if (length < 0) return -errno(this.#libc);
    if (length <= NET_PREFIX.length + 1 || link[length - 1] !== 93 /* ] */) return 0;
    for (let i = 0; i < NET_PREFIX.length; i++) if (link[i] !== NET_PREFIX[i]) return 0;
    let inode = 0;
    for (let i = NET_PREFIX.length; i < length - 1; i++) {
      const digit = link[i] - 48;
      if (digit < 0 || digit > 9) return 0;
      inode = inode * 10 + digit;
    }
    return inode;
  }
}

const NS_NET = new TextEncoder().encode("/ns/net");

let nsfsDev: number | null = null;

/** The device number of nsfs, the namespaces' file system. */
function nsfsDevice(): number {
  nsfsDev ??= Deno.statSync("/proc/thread-self/ns/net").dev;
  return nsfsDev;
}
