/**
 * Which processes hold which sockets: every `/proc/<pid>/fd/<n>` link that reads `socket:[inode]`,
 * as `ss -p`, lsof and psutil find them.
 *
 * This is the hot path of a full-ownership dump (one readlink per open file on the host), so it
 * builds paths in one reused byte buffer and reads the inode digits straight from the link bytes.
 *
 * @module
 */

import { cString, type FdScanLibc } from "./ffi.ts";
import { DirectoryReader } from "./directory.ts";

const EACCES = 13;
const SOCKET_PREFIX = new TextEncoder().encode("socket:[");
const LINK_SIZE = 64n; // "socket:[4294967295]" is 19 bytes; longer links are not sockets

/** Socket inode → pids holding it, with what could not be looked at. */
export class SocketOwnership {
  /** The common case, one holder per socket, without an array per socket. */
  #single = new Map<number, number>();
  #shared = new Map<number, number[]>();
  #unheld = new Set<number>();
  /** Processes whose fd table could not be read (another user's, in an unprivileged run). */
  readonly deniedPids: number[] = [];

  /** Records that `pid` holds socket `inode`. A process's fds are scanned together. */
  add(inode: number, pid: number): void {
    const first = this.#single.get(inode);
    if (first === undefined) {
      this.#single.set(inode, pid);
    } else if (first !== pid) {
      const holders = this.#shared.get(inode);
      if (holders === undefined) this.#shared.set(inode, [first, pid]);
      else if (holders[holders.length - 1] !== pid) holders.push(pid); // dup()ed: once per pid
    }
  }

  /** The first pid found holding `inode`; undefined when no visible process holds it. */
  firstHolder(inode: number): number | undefined {
    return this.#single.get(inode);
  }

  /** Every pid holding `inode`, in scan order, when there are several; otherwise undefined. */
  sharedHolders(inode: number): readonly number[] | undefined {
    return this.#shared.get(inode);
  }

  /**
   * True when the scan saw `inode` or may have: it was held, or it was one of the sockets that
   * existed with no visible holder (recorded by {@linkcode markSeen}).
   */
  saw(inode: number): boolean {
    return this.#single.has(inode) || this.#unheld.has(inode);
  }

  /** Records sockets that existed at scan time with no visible holder, so they are not "new". */
  markSeen(inodes: Iterable<number>): void {
    for (const inode of inodes) if (!this.#single.has(inode)) this.#unheld.add(inode);
  }

  /** Number of sockets with at least one holder. */
  get size(): number {
    return this.#single.size;
  }
}

/** Scans every process's file descriptors for sockets. */
export function scanSocketOwners(libc: FdScanLibc, procRoot = "/proc"): SocketOwnership {
  const ownership = new SocketOwnership();
  const scanner = new FdTableScanner(libc, procRoot);
  for (const pid of scanner.listPids()) scanner.scanInto(ownership, pid);
  return ownership;
}

/** Where a scan records what it finds: a {@linkcode SocketOwnership}, or a helper's pair list. */
export interface OwnershipSink {
  add(inode: number, pid: number): void;
  readonly deniedPids: number[];
}

/**
 * Reads processes' fd tables, one at a time, with buffers reused from one to the next. Each
 * thread that scans has its own.
 */
export class FdTableScanner {
  #libc: FdScanLibc;
  #reader: DirectoryReader;
  #root: Uint8Array;
  #procRoot: Uint8Array<ArrayBuffer>;
  #path = new Uint8Array(4096);
  #name = new Uint8Array(32);
  #link = new Uint8Array(Number(LINK_SIZE));

  constructor(libc: FdScanLibc, procRoot = "/proc") {
    this.#libc = libc;
    this.#reader = new DirectoryReader(libc);
    this.#procRoot = cString(procRoot);
    this.#root = new TextEncoder().encode(`${procRoot}/`);
    this.#path.set(this.#root);
  }

  /** The pids of the processes under the proc root, in directory order. */
  listPids(): number[] {
    const pids: number[] = [];
    this.#reader.list(this.#procRoot, (name, start, length) => {
      const pid = parsePid(name, start, length);
      if (pid !== 0) pids.push(pid);
    });
    return pids;
  }

  /**
   * Records in `sink` each socket `pid` holds, all of one process's together, and `pid` among
   * the denied when its fd table cannot be read.
   */
  scanInto(sink: OwnershipSink, pid: number): void {
    const path = this.#path, name = this.#name, link = this.#link, libc = this.#libc;
    // Each fd is read relative to its open fd directory (readlinkat), so the kernel resolves one
    // path component per fd rather than four.
    let end = this.#root.length + writeDigits(path, this.#root.length, pid);
    path.set(FD_SUFFIX, end);
    end += FD_SUFFIX.length;
    path[end] = 0;
    const error = this.#reader.list(path, (entries, start, length, directory) => {
      for (let i = 0; i < length; i++) name[i] = entries[start + i];
      name[length] = 0;
      const inode = socketInode(link, Number(libc.readlinkat(directory, name, link, LINK_SIZE)));
      if (inode !== 0) sink.add(inode, pid);
    });
    if (error === EACCES) sink.deniedPids.push(pid);
    // ENOENT: the process exited while we looked; nothing to record.
  }
}

const FD_SUFFIX = new TextEncoder().encode("/fd");

/** A `/proc` entry name as a pid, or 0 when it is not a process directory. */
function parsePid(name: Uint8Array, start: number, length: number): number {
  let pid = 0;
  for (let i = start; i < start + length; i++) {
    const digit = name[i] - 48;
    if (digit < 0 || digit > 9) return 0;
    pid = pid * 10 + digit;
  }
  return pid;
}

/** Writes `value`'s decimal digits into `buffer` at `offset`; returns how many. */
function writeDigits(buffer: Uint8Array, offset: number, value: number): number {
  const text = String(value);
  for (let i = 0; i < text.length; i++) buffer[offset + i] = text.charCodeAt(i);
  return text.length;
}

/** The inode of a `socket:[12345]` link, or 0 when the link is something else. */
export function socketInode(link: Uint8Array, length: number): number {
  if (length <= SOCKET_PREFIX.length + 1 || link[length - 1] !== 93 /* ] */) return 0;
  for (let i = 0; i < SOCKET_PREFIX.length; i++) if (link[i] !== SOCKET_PREFIX[i]) return 0;
  let inode = 0;
  for (let i = SOCKET_PREFIX.length; i < length - 1; i++) {
    const digit = link[i] - 48;
    if (digit < 0 || digit > 9) return 0;
    inode = inode * 10 + digit;
  }
  return inode;
}
