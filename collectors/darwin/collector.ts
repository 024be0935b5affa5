/**
 * The macOS collector: every process's socket descriptors through libproc
 * (`proc_listpids`, `proc_pidinfo(PROC_PIDLISTFDS)`, `proc_pidfdinfo(PROC_PIDFDSOCKETINFO)`),
 * the same socket in several processes told apart by its kernel address.
 *
 * What it cannot see: sockets no process holds (TIME_WAIT, a connection waiting to be accepted),
 * and, without root, other users' processes (said once, as on Linux).
 *
 * @module
 */

import type { Endpoint, Owner, ProcessInfo, Snapshot } from "../../model/endpoint.ts";
import { makeSnapshot } from "../../model/snapshot.ts";
import type { CollectOptions, Collector } from "../collector.ts";
import { type LibSystem, loadLibSystem } from "./ffi.ts";
import {
  type DarwinSocket,
  parseFdList,
  parseSocketFdinfo,
  PROX_FDTYPE_SOCKET,
  SOCKET_FDINFO_SIZE,
} from "./socket_info.ts";

const PROC_ALL_PIDS = 1;
const PROC_PIDLISTFDS = 1, PROC_PIDTBSDINFO = 3, PROC_PIDFDSOCKETINFO = 3;
const PROC_BSDINFO_SIZE = 136, PBI_PPID = 16, PBI_UID = 20, PBI_START_SECONDS = 120;
const PROC_PIDPATHINFO_MAXSIZE = 4096;
const decoder = new TextDecoder();

/** Collects endpoints and owners on macOS. */
export class DarwinCollector implements Collector {
  #lib: LibSystem;
  #users = new Map<number, string>();

  constructor() {
    // A library that cannot load is a CollectorUnavailableError: one line, no stack trace.
    this.#lib = loadLibSystem();
  }

  collect(options: CollectOptions = {}): Snapshot {
    void options; // modules are not read on macOS yet
    const sockets = new Map<bigint, { socket: DarwinSocket; pids: number[] }>();
    const processes = new Map<number, ProcessInfo>();
    let denied = 0;
    const info = new Uint8Array(SOCKET_FDINFO_SIZE);
    for (const pid of this.#pids()) {
      const fds = this.#fds(pid);
      if (fds === null) {
        denied++;
        continue;
      }
      for (const { fd, type } of fds) {
        if (type !== PROX_FDTYPE_SOCKET) continue;
        const length = this.#lib.proc_pidfdinfo(pid, fd, PROC_PIDFDSOCKETINFO, info, info.length);
        const socket = length > 0 ? parseSocketFdinfo(info, length) : null;
        if (!socket) continue;
        const known = sockets.get(socket.kernelAddress);
        if (known) {
          if (!known.pids.includes(pid)) known.pids.push(pid);
        } else {
          sockets.set(socket.kernelAddress, { socket, pids: [pid] });
        }
      }
    }
    const endpoints: Endpoint[] = [];
    for (const { socket, pids } of sockets.values()) {
      const owners = pids.map((pid) => {
        let process = processes.get(pid);
        if (!process) processes.set(pid, process = this.#process(pid));
        return process;
      }).sort((a, b) => (a.started ?? "").localeCompare(b.started ?? "") || a.pid - b.pid);
      const primary = owners[0];
      const endpoint: Endpoint = {
        protocol: socket.protocol,
        localAddress: socket.localAddress,
        localPort: socket.localPort,
        remoteAddress: socket.remoteAddress,
        remotePort: socket.remotePort,
        state: socket.state,
        pid: primary.pid,
        process: primary.process,
        path: primary.path,
        user: primary.user,
        inode: null,
        socketUid: socket.uid,
        receiveQueue: socket.receiveQueue,
        sendQueue: socket.sendQueue,
        interface: null,
        v6only: null,
        created: null,
      };
      if (owners.length > 1) {
        endpoint.owners = owners.map((o): Owner => ({
          pid: o.pid,
          process: o.process,
          path: o.path,
          user: o.user,
        }));
      }
      endpoints.push(endpoint);
    }
    const warnings = denied > 0
      ? [
        `the descriptors of ${denied} processes cannot be read without root: their sockets are not listed`,
      ]
      : [];
    return makeSnapshot(endpoints, processes.values(), warnings, "libproc");
  }

  processExists(pid: number): boolean {
    return this.#lib.proc_pidinfo(
      pid,
      PROC_PIDTBSDINFO,
      0n,
      new Uint8Array(PROC_BSDINFO_SIZE),
      PROC_BSDINFO_SIZE,
    ) > 0;
  }

  close(): void {}

  #pids(): number[] {
    let buffer = new Int32Array(4096);
    for (;;) {
      const bytes = this.#lib.proc_listpids(
        PROC_ALL_PIDS,
        0,
        new Uint8Array(buffer.buffer),
        buffer.byteLength,
      );
      if (bytes < buffer.byteLength) {
        return [...buffer.subarray(0, bytes / 4)].filter((pid) => pid > 0);
      }
      buffer = new Int32Array(buffer.length * 2);
    }
  }

  /** The fd list of `pid`; null when it cannot be read (another user's process). */
  #fds(pid: number): { fd: number; type: number }[] | null {
    let buffer = new Uint8Array(8 * 1024);
    for (;;) {
      const bytes = this.#lib.proc_pidinfo(pid, PROC_PIDLISTFDS, 0n, buffer, buffer.length);
      if (bytes <= 0) return null;
      if (bytes < buffer.length) return parseFdList(buffer, bytes);
      buffer = new Uint8Array(buffer.length * 2);
    }
  }

  #process(pid: number): ProcessInfo {
    const text = (bytes: Uint8Array, length: number) => decoder.decode(bytes.subarray(0, length));
    const path = new Uint8Array(PROC_PIDPATHINFO_MAXSIZE);
    const pathLength = this.#lib.proc_pidpath(pid, path, path.length);
    const name = new Uint8Array(256);
    const nameLength = this.#lib.proc_name(pid, name, name.length);
    const bsd = new Uint8Array(PROC_BSDINFO_SIZE);
    const haveBsd =
      this.#lib.proc_pidinfo(pid, PROC_PIDTBSDINFO, 0n, bsd, bsd.length) === PROC_BSDINFO_SIZE;
    const view = new DataView(bsd.buffer);
    const uid = haveBsd ? view.getUint32(PBI_UID, true) : null;
    return {
      pid,
      process: nameLength > 0 ? text(name, nameLength) : null,
      path: pathLength > 0 ? text(path, pathLength) : null,
      user: uid === null ? null : this.#user(uid),
      uid,
      ppid: haveBsd ? view.getUint32(PBI_PPID, true) : null,
      started: haveBsd
        ? new Date(Number(view.getBigUint64(PBI_START_SECONDS, true)) * 1000).toISOString()
        : null,
      services: [],
      modules: null,
    };
  }

  #user(uid: number): string {
    let name = this.#users.get(uid);
    if (name === undefined) {
      const passwd = new Uint8Array(128),
        strings = new Uint8Array(16 * 1024),
        result = new BigUint64Array(1);
      const found = this.#lib.getpwuid_r(
            uid,
            passwd,
            strings,
            BigInt(strings.length),
            new Uint8Array(result.buffer),
          ) === 0 &&
        result[0] !== 0n;
      const pointer = found
        ? Deno.UnsafePointer.create(new DataView(passwd.buffer).getBigUint64(0, true))
        : null;
      name = pointer ? Deno.UnsafePointerView.getCString(pointer) : String(uid);
      this.#users.set(uid, name);
    }
    return name;
  }
}
