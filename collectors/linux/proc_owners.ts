/**
 * Which processes hold which sockets: every `/proc/<pid>/fd/<n>` link that reads `socket:[inode]`,
 * as `ss -p`, lsof and psutil find them.
 *
 * This is the hot path of a full-ownership dump (one readlink per open file on the host), so it
 * builds paths in one reused byte buffer and reads the inode digits straight from the link bytes.
 *
 * @module
 */

import type { Libc } from "./ffi.ts";

/** Socket inode → pids holding it, with what could not be looked at. */
export interface SocketOwnership {
  owners: Map<number, number[]>;
  /** Processes whose fd table could not be read (another user's, in an unprivileged run). */
  deniedPids: number[];
}

const SOCKET_PREFIX = new TextEncoder().encode("socket:[");
const encoder = new TextEncoder();
const LINK_SIZE = 64n;

/** Scans every process's file descriptors for sockets. */
export function scanSocketOwners(libc: Libc, procRoot = "/proc"): SocketOwnership {
  const owners = new Map<number, number[]>();
  const deniedPids: number[] = [];
  const path = new Uint8Array(256);
  const link = new Uint8Array(Number(LINK_SIZE));

  for (const process of Deno.readDirSync(procRoot)) {
    const pid = parsePid(process.name);
    if (pid === 0) continue;
    const directory = `${procRoot}/${process.name}/fd`;
    let descriptors;
    try {
      descriptors = [...Deno.readDirSync(directory)];
    } catch (error) {
      if (error instanceof Deno.errors.PermissionDenied) deniedPids.push(pid);
      continue; // NotFound: the process exited while we looked
    }
    const prefixLength = encoder.encodeInto(directory + "/", path).written;
    for (const descriptor of descriptors) {
      const nameLength = encoder.encodeInto(descriptor.name, path.subarray(prefixLength)).written;
      path[prefixLength + nameLength] = 0;
      const length = Number(libc.readlink(path, link, LINK_SIZE));
      const inode = socketInode(link, length);
      if (inode === 0) continue;
      const holders = owners.get(inode);
      if (holders === undefined) owners.set(inode, [pid]);
      else if (holders[holders.length - 1] !== pid) holders.push(pid); // dup()ed fds: once per pid
    }
  }
  return { owners, deniedPids };
}

/** A `/proc` entry name as a pid, or 0 when it is not a process directory. */
function parsePid(name: string): number {
  let pid = 0;
  for (let i = 0; i < name.length; i++) {
    const digit = name.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return 0;
    pid = pid * 10 + digit;
  }
  return pid;
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
