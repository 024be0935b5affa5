/**
 * Sockets made endpoints: each socket of a look with its owners, read once per process, as the
 * model has them. The collector feeds it dumps (netlink's, /proc/net's) and completes the snapshot.
 *
 * @module
 */

import type {
  Endpoint,
  NetworkNamespace,
  Owner,
  ProcessInfo,
  Protocol,
} from "../../model/endpoint.ts";
import {
  AF_INET,
  type DiagSocket,
  type InterfaceNamer,
  IPPROTO_TCP,
  tcpStateName,
} from "./netlink.ts";
import type { SocketOwnership } from "./proc_owners.ts";

/** A process as the collector keeps it: what the model says of it, and when it started. */
export type ProcessRecord = ProcessInfo & { startTicks: number };

/** Where an assembly reads what it does not know. */
export interface AssemblySources {
  /** A process's record (a look's kept one, or read now); null when it is gone. */
  readProcess(pid: number): ProcessRecord | null;
  /** A user's name, for a socket no process holds. */
  userName(uid: number): string;
}

/** The endpoints of one look, in the making. */
export class EndpointAssembly {
  /** The endpoints made so far, in the order their sockets came. */
  readonly endpoints: Endpoint[] = [];
  /** Sockets with an inode that no readable process holds. */
  unowned = 0;
  #ownership: SocketOwnership;
  #sources: AssemblySources;
  #processes = new Map<number, ProcessRecord | null>();

  /** Owners from `ownership`, processes and names from `sources`. */
  constructor(ownership: SocketOwnership, sources: AssemblySources) {
    this.#ownership = ownership;
    this.#sources = sources;
  }

  /** Every process looked up and still alive: each owns at least one endpoint. */
  get processes(): Map<number, ProcessRecord> {
    const alive = new Map<number, ProcessRecord>();
    for (const [pid, record] of this.#processes) if (record !== null) alive.set(pid, record);
    return alive;
  }

  /** Makes `socket` (of `protocol`, in `namespace`) an endpoint, with its owners. */
  add(
    protocol: number,
    socket: DiagSocket,
    namespace: NetworkNamespace | undefined,
    interfaceName: InterfaceNamer,
  ): void {
    // Most sockets have one holder: look it up without building a list.
    let primary: ProcessRecord | null = null;
    let all: ProcessRecord[] | null = null;
    if (socket.inode !== 0) {
      const shared = this.#ownership.sharedHolders(socket.inode);
      if (shared) {
        all = ownersByAge(shared, (pid) => this.#lookup(pid));
        primary = all[0] ?? null;
        if (all.length < 2) all = null;
      } else {
        const pid = this.#ownership.firstHolder(socket.inode);
        if (pid !== undefined) primary = this.#lookup(pid);
      }
      if (primary === null) this.unowned++;
    }
    this.endpoints.push(
      socketEndpoint(
        protocol,
        socket,
        primary,
        all,
        namespace,
        interfaceName,
        this.#sources.userName,
      ),
    );
  }

  /** A process's record, read once per look. */
  #lookup(pid: number): ProcessRecord | null {
    let record = this.#processes.get(pid);
    if (record === undefined) {
      record = this.#sources.readProcess(pid);
      this.#processes.set(pid, record);
    }
    return record;
  }
}

/**
 * The endpoint of `socket`, of the dump for `protocol`, held by `primary` (and by all of `owners`
 * when several processes hold it); a socket no process holds names its user by `userName`.
 */
export function socketEndpoint(
  protocol: number,
  socket: DiagSocket,
  primary: ProcessRecord | null,
  owners: ProcessRecord[] | null,
  namespace: NetworkNamespace | undefined,
  interfaceName: InterfaceNamer,
  userName: (uid: number) => string,
): Endpoint {
  const isTcp = protocol === IPPROTO_TCP;
  const name: Protocol = isTcp
    ? (socket.family === AF_INET ? "tcp" : "tcp6")
    : (socket.family === AF_INET ? "udp" : "udp6");
  // A peer never has port 0: port 0 means no peer (listeners, unconnected UDP).
  const connected = socket.remotePort !== 0;
  const endpoint: Endpoint = {
    protocol: name,
    localAddress: socket.localAddress,
    localPort: socket.localPort,
    remoteAddress: connected ? socket.remoteAddress : null,
    remotePort: connected ? socket.remotePort : null,
    state: isTcp ? tcpStateName(socket.state) : null,
    pid: primary?.pid ?? null,
    process: primary?.process ?? null,
    path: primary?.path ?? null,
    user: primary ? primary.user : socket.inode !== 0 ? userName(socket.uid) : null,
    inode: socket.inode === 0 ? null : socket.inode,
    socketUid: socket.inode === 0 ? null : socket.uid,
    receiveQueue: socket.receiveQueue,
    sendQueue: socket.sendQueue,
    interface: socket.interfaceIndex === 0 ? null : interfaceName(socket.interfaceIndex),
    v6only: socket.v6only,
    created: null,
    // Here, not added after: added, it made each endpoint allocate a property store of its own.
    netns: namespace,
  };
  if (owners) endpoint.owners = owners.map(toOwner);
  return endpoint;
}

/**
 * The live holders of a socket, oldest first. Linux does not record which process bound a
 * socket; the oldest holder is the one that did in the common cases (fork after bind, systemd
 * socket activation handing its socket to a service).
 */
function ownersByAge(
  pids: readonly number[],
  lookup: (pid: number) => ProcessRecord | null,
): ProcessRecord[] {
  const records: ProcessRecord[] = [];
  for (const pid of pids) {
    const record = lookup(pid);
    if (record) records.push(record);
  }
  if (records.length > 1) {
    records.sort((a, b) => a.startTicks - b.startTicks || a.pid - b.pid);
  }
  return records;
}

function toOwner(record: ProcessRecord): Owner {
  return { pid: record.pid, process: record.process, path: record.path, user: record.user };
}
