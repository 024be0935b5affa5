/**
 * The one endpoint model every collector fills and every view, rule and monitor reads.
 *
 * Collectors translate their OS's tables into {@linkcode Endpoint}s; nothing downstream of a
 * collector sees an OS-specific structure.
 *
 * @module
 */

/**
 * Transport protocol and address family, spelled as PortQry and PortSet keys spell them: the one
 * name for this set everywhere in portset.
 */
export type Protocol = "tcp" | "tcp6" | "udp" | "udp6";

/** Every protocol, in the order outputs and filters list them. */
export const PROTOCOLS: readonly Protocol[] = ["tcp", "tcp6", "udp", "udp6"];

/**
 * The transport alone, either address family: what a remote query probes (`-p tcp|udp|both`),
 * what the log report counts a port under, and how a syslog target is reached.
 */
export type Transport = "tcp" | "udp";

/** TCP states, named as PortQry names them. */
export type TcpState =
  | "LISTENING"
  | "SYN_SENT"
  | "SYN_RECEIVED"
  | "ESTABLISHED"
  | "FIN_WAIT1"
  | "FIN_WAIT2"
  | "CLOSE_WAIT"
  | "CLOSING"
  | "LAST_ACK"
  | "TIME_WAIT"
  | "CLOSED";

/** Every TCP state in the order reports list them. */
export const TCP_STATES: readonly TcpState[] = [
  "LISTENING",
  "SYN_SENT",
  "SYN_RECEIVED",
  "ESTABLISHED",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "CLOSE_WAIT",
  "CLOSING",
  "LAST_ACK",
  "TIME_WAIT",
  "CLOSED",
];

/** A process that holds a socket open. */
export interface Owner {
  /** The process's id; never 0 or -1. */
  pid: number;
  /** Short process name (`sshd`, `svchost.exe`); null when the OS would not say. */
  process: string | null;
  /** Full path of the executable; null when it could not be read. */
  path: string | null;
  /** Name of the user the process runs as (`DOMAIN\user` on Windows). */
  user: string | null;
}

/** A container that a network namespace belongs to, as its runtime names it. */
export interface Container {
  /** The runtime that made it: `docker`, `containerd`, `cri-o`, `podman`. */
  runtime: string;
  /** The container's id as the runtime writes it (64 hex digits for these runtimes). */
  id: string;
}

/**
 * A network namespace (Linux): each has sockets of its own, its own loopback and its own port
 * numbers, so `127.0.0.1:8080` may be listened on in several at once.
 */
export interface NetworkNamespace {
  /** The namespace's inode, as `/proc/<pid>/ns/net` and `ls -i /run/netns` show it. */
  inode: number;
  /** Its name under `/run/netns` (`ip netns add NAME`); null when it has none. */
  name: string | null;
  /** The container it belongs to, told by its processes' cgroup; null when none is known. */
  container: Container | null;
  /** True for the namespace portset runs in (the host's, normally). */
  current: boolean;
}

/** One TCP or UDP socket of the host. */
export interface Endpoint {
  /** Transport and address family: `tcp6` for a TCP socket over IPv6. */
  protocol: Protocol;
  /** Numeric address as getnameinfo(NI_NUMERICHOST) writes it: `::1`, `fe80::1%eth0`. */
  localAddress: string;
  /** The local port: for a listener, the port it accepts connections or datagrams on. */
  localPort: number;
  /** Null when the socket has no peer (TCP listeners, unconnected UDP). */
  remoteAddress: string | null;
  /** The peer's port; null when `remoteAddress` is. */
  remotePort: number | null;
  /** Null for UDP. */
  state: TcpState | null;
  /**
   * The owning process: the one that bound the socket when that is knowable, otherwise the oldest
   * of its holders. Null when no owner is visible (TIME_WAIT, kernel sockets, other users' sockets
   * in an unprivileged run); never 0 or -1.
   */
  pid: number | null;
  /** The owning process's short name; null when there is no owner or the OS would not say. */
  process: string | null;
  /** The owning process's executable; null when there is no owner or it could not be read. */
  path: string | null;
  /** The owning process's user, or the socket's user when no owner is visible. */
  user: string | null;
  /** Every process that holds the socket, present only when there is more than one. */
  owners?: Owner[];
  /** Socket inode (Linux); null where the OS has no such number or the socket has none. */
  inode: number | null;
  /**
   * Numeric user id the socket belongs to (the kernel's socket uid on Linux and macOS: whoever
   * created it), null where unknown. Named apart from `user`, which is the owning process's user
   * now: a daemon that binds as root and then drops to `nobody` has `socketUid` 0 beside `user`
   * `nobody`, and both are true.
   */
  socketUid: number | null;
  /** Bytes waiting to be read (for listeners: connections waiting to be accepted). */
  receiveQueue: number | null;
  /** Bytes waiting to be sent (for listeners: the backlog). */
  sendQueue: number | null;
  /** Interface the socket is bound to, when it is bound to one. */
  interface: string | null;
  /**
   * For IPv6 sockets, IPV6_V6ONLY: false for a dual-stack socket that also serves IPv4 (as
   * `::ffff:a.b.c.d`). Null for IPv4, and where the OS does not tell.
   */
  v6only: boolean | null;
  /** Creation time as an ISO string, where the OS records it (Windows). */
  created: string | null;
  /**
   * The network namespace the socket lives in (Linux); absent where the OS has none (Windows,
   * macOS). Endpoints of one namespace share one object.
   */
  netns?: NetworkNamespace;
}

/** A service hosted by a process (a systemd unit on Linux, an SCM service on Windows). */
export interface Service {
  /** The manager's name for it: `ssh.service`, `Dnscache`. */
  name: string;
  /** The name shown to people (`DNS Client`); null where the manager has none. */
  displayName: string | null;
  /** True when the process hosts other services too (Windows' shared svchost). */
  shared: boolean;
}

/** A module (executable or shared library) mapped into a process. */
export interface Module {
  /** The file mapped. */
  path: string;
  /** Lowest address the module is mapped at, as a bigint-safe hex string `0x7f...`. */
  baseAddress: string;
}

/** What is known about one process that owns sockets. */
export interface ProcessInfo {
  /** The process's id: the key of {@linkcode Snapshot.processes}. */
  pid: number;
  /** Short process name; null when the OS would not say. */
  process: string | null;
  /** Full path of the executable; null when it could not be read. */
  path: string | null;
  /** Name of the user the process runs as (`DOMAIN\user` on Windows). */
  user: string | null;
  /** The process's effective uid: the user `user` names. */
  uid: number | null;
  /** Parent process id, when known. */
  ppid: number | null;
  /** Start time as an ISO string, when known. */
  started: string | null;
  /** The services the process hosts; empty when it hosts none. */
  services: Service[];
  /** Loaded modules; null when they were not asked for or could not be read. */
  modules: Module[] | null;
  /** Why the modules could not be read, when they were asked for and could not be. */
  modulesError?: string;
}

/** One complete look at the host's sockets. */
export interface Snapshot {
  /** The host's name, as the OS gives it. */
  host: string;
  /** When the snapshot was taken, ISO 8601. */
  time: string;
  /** Every socket seen, in the collector's order (sortEndpoints puts them in natural order). */
  endpoints: Endpoint[];
  /** The processes that own at least one endpoint, by pid. */
  processes: Map<number, ProcessInfo>;
  /** Things the collector could not see, said once each (missing privilege, fallbacks). */
  warnings: string[];
  /** Which OS interface produced the endpoints (`netlink`, `procfs`, `iphlpapi`, ...). */
  source: string;
}

/** True for the IPv6 protocols. */
export function isIpv6(protocol: Protocol): boolean {
  return protocol === "tcp6" || protocol === "udp6";
}

/** True for the TCP protocols. */
export function isTcp(protocol: Protocol): boolean {
  return protocol === "tcp" || protocol === "tcp6";
}

/**
 * True when the endpoint is a listening port as PortSet defines it: a TCP listener, or a UDP
 * socket that is bound and not connected to a peer.
 */
export function isListening(endpoint: Endpoint): boolean {
  return isTcp(endpoint.protocol)
    ? endpoint.state === "LISTENING"
    : endpoint.remoteAddress === null;
}

/** The PortSet key of an endpoint: `tcp6/::1/80`. */
export function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.protocol}/${endpoint.localAddress}/${endpoint.localPort}`;
}
