/**
 * `struct socket_fdinfo`, as `proc_pidfdinfo(pid, fd, PROC_PIDFDSOCKETINFO, …)` fills it on macOS,
 * parsed from bytes. Pure, and tested on buffers laid out like the struct, since the collector
 * that calls libproc cannot run on the machines that build portset.
 *
 * Layout (sys/proc_info.h, 64-bit):
 * - struct proc_fileinfo pfi: 24 bytes
 * - struct socket_info psi, at 24:
 *   - struct vinfo_stat soi_stat: 136 bytes (vst_uid at 16)
 *   - uint64 soi_so 136, soi_pcb 144; int soi_type 152, soi_protocol 156, soi_family 160
 *   - shorts soi_options 164 … u_short soi_error 178; uint32 soi_oobmark 180
 *   - struct sockbuf_info soi_rcv 184 (sbi_cc first), soi_snd 208 (24 bytes each)
 *   - int soi_kind 232; uint32 rfu_1 236; union soi_proto 240
 * - struct in_sockinfo (soi_proto for SOCKINFO_IN, and the start of tcp_sockinfo for
 *   SOCKINFO_TCP): int insi_fport 0, insi_lport 4 (network byte order in the low 16 bits);
 *   uint64 gencnt 8; uint32 flags 16, flow 20; uint8 insi_vflag 24 (INI_IPV4 1, INI_IPV6 2);
 *   foreign address 32 and local address 48, 16 bytes each (IPv4 in the last 4: in4in6_addr)
 * - struct tcp_sockinfo: in_sockinfo (80 bytes), then int tcpsi_state at 80
 *
 * @module
 */

import { formatIpv4, formatIpv6 } from "../../model/address.ts";
import type { Protocol, TcpState } from "../../model/endpoint.ts";

/** sizeof(struct socket_fdinfo) on 64-bit macOS: the buffer size PROC_PIDFDSOCKETINFO asks for. */
export const SOCKET_FDINFO_SIZE = 792;

const PSI = 24; // socket_info within socket_fdinfo
const SOI_STAT_UID = PSI + 16;
const SOI_PROTOCOL = PSI + 156;
const SOI_FAMILY = PSI + 160;
const SOI_RCV_CC = PSI + 184;
const SOI_SND_CC = PSI + 208;
const SOI_KIND = PSI + 232;
const SOI_PROTO = PSI + 240;
const TCPSI_STATE = SOI_PROTO + 80;

const AF_INET = 2, AF_INET6 = 30;
const IPPROTO_TCP = 6, IPPROTO_UDP = 17;
const SOCKINFO_IN = 1, SOCKINFO_TCP = 2;
const INI_IPV4 = 0x1, INI_IPV6 = 0x2;

/**
 * Names of the TCPS_* values (netinet/tcp_fsm.h), indexed by value (0 to 10), as PortQry names
 * them: the BSD numbering, not the report order of the model's TCP_STATES.
 */
const TCPS_NAMES: readonly TcpState[] = [
  "CLOSED",
  "LISTENING",
  "SYN_SENT",
  "SYN_RECEIVED",
  "ESTABLISHED",
  "CLOSE_WAIT",
  "FIN_WAIT1",
  "CLOSING",
  "LAST_ACK",
  "FIN_WAIT2",
  "TIME_WAIT",
];

/** A TCP or UDP socket of a process, as its socket_fdinfo describes it. */
export interface DarwinSocket {
  protocol: Protocol;
  localAddress: string;
  localPort: number;
  remoteAddress: string | null;
  remotePort: number | null;
  state: TcpState | null;
  uid: number;
  receiveQueue: number;
  sendQueue: number;
  /** The kernel's address of the socket (soi_so): the same for every process holding it. */
  kernelAddress: bigint;
}

/**
 * The socket a socket_fdinfo buffer describes, or null when it is not an Internet TCP or UDP
 * socket (a Unix socket, a kernel control, a route socket, …) or the buffer is too short.
 */
export function parseSocketFdinfo(bytes: Uint8Array, length = bytes.length): DarwinSocket | null {
  if (length < TCPSI_STATE + 4) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const family = view.getInt32(SOI_FAMILY, true);
  const protocolNumber = view.getInt32(SOI_PROTOCOL, true);
  const kind = view.getInt32(SOI_KIND, true);
  if (family !== AF_INET && family !== AF_INET6) return null;
  if (
    !(kind === SOCKINFO_TCP && protocolNumber === IPPROTO_TCP) &&
    !(kind === SOCKINFO_IN && protocolNumber === IPPROTO_UDP)
  ) {
    return null;
  }
  const tcp = protocolNumber === IPPROTO_TCP;
  const v4 = family === AF_INET;
  // A v6 socket whose insi_vflag says IPv4 only (a dual-stack socket with a v4 peer) holds v4
  // addresses in the last 4 bytes: written ::ffff:a.b.c.d, as Linux and getnameinfo write them.
  const vflag = bytes[SOI_PROTO + 24];
  const mapped = !v4 && (vflag & INI_IPV4) !== 0 && (vflag & INI_IPV6) === 0;
  const address = (offset: number) =>
    v4
      ? formatIpv4(bytes, SOI_PROTO + offset + 12)
      : mapped
      ? `::ffff:${formatIpv4(bytes, SOI_PROTO + offset + 12)}`
      : formatIpv6(bytes, SOI_PROTO + offset);
  const port = (offset: number) => (bytes[SOI_PROTO + offset] << 8) | bytes[SOI_PROTO + offset + 1];
  const remotePort = port(0);
  const state = tcp ? TCPS_NAMES[view.getInt32(TCPSI_STATE, true)] ?? "CLOSED" : null;
  const peer = remotePort !== 0 && state !== "LISTENING";
  return {
    protocol: tcp ? (v4 ? "tcp" : "tcp6") : (v4 ? "udp" : "udp6"),
    localAddress: address(48),
    localPort: port(4),
    remoteAddress: peer ? address(32) : null,
    remotePort: peer ? remotePort : null,
    state,
    uid: view.getUint32(SOI_STAT_UID, true),
    receiveQueue: view.getUint32(SOI_RCV_CC, true),
    sendQueue: view.getUint32(SOI_SND_CC, true),
    kernelAddress: view.getBigUint64(PSI + 136, true),
  };
}

/** `struct proc_fdinfo { int32_t proc_fd; uint32_t proc_fdtype; }` entries of a PROC_PIDLISTFDS reply. */
export function parseFdList(bytes: Uint8Array, length: number): { fd: number; type: number }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const entries: { fd: number; type: number }[] = [];
  for (let offset = 0; offset + 8 <= length; offset += 8) {
    entries.push({ fd: view.getInt32(offset, true), type: view.getUint32(offset + 4, true) });
  }
  return entries;
}

/** PROX_FDTYPE_SOCKET: the fd type whose socket_fdinfo is worth asking for. */
export const PROX_FDTYPE_SOCKET = 2;
