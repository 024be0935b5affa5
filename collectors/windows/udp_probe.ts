/**
 * UDP probes on Windows through Winsock: a non-blocking datagram socket, bound to the source port
 * when one is asked for and connected to the target, so that an ICMP "port unreachable" makes
 * the next recv fail with WSAECONNRESET; then send, and select() on a worker thread for the
 * answer. IPv4 and IPv6.
 *
 * @module
 */

import { parseIpAddress } from "../../model/address.ts";
import {
  ProbeError,
  sendPayloads,
  UDP_RECEIVE_SIZE,
  type UdpProbeOutcome,
  type UdpProber,
  type UdpProbeRequest,
} from "../probe.ts";
import { anyAddress, encodeSockaddr } from "../sockaddr.ts";
import { loadWs2_32, type Ws2_32 } from "./ffi.ts";

/** Windows' address family values (AF_INET6 is 23 here, 10 on Linux). */
export const WINDOWS_FAMILIES = { inet: 2, inet6: 23 };
const SOCK_DGRAM = 2;
const SOL_SOCKET = 0xffff, SO_REUSEADDR = 0x0004;
/** FIONBIO, _IOW('f', 126, u_long): switches non-blocking mode; as a signed long. */
const FIONBIO = 0x8004667e | 0;
const INVALID_SOCKET = 0xffffffffffffffffn;
const WSAEINTR = 10004, WSAEWOULDBLOCK = 10035, WSAEMSGSIZE = 10040, WSAEADDRINUSE = 10048;
const WSAENETUNREACH = 10051, WSAECONNRESET = 10054, WSAECONNREFUSED = 10061;
const WSAEHOSTUNREACH = 10065;
/**
 * The Winsock errors that settle a probe, by the POSIX name the remote queries word them by (a
 * Winsock code is its BSD errno plus 10000).
 */
const WINSOCK_ERRNO_NAMES: ReadonlyMap<number, string> = new Map([
  [10013, "EACCES"],
  [10042, "ENOPROTOOPT"],
  [WSAENETUNREACH, "ENETUNREACH"],
  [10050, "ENETDOWN"],
  [10060, "ETIMEDOUT"],
  [10064, "EHOSTDOWN"],
  [WSAEHOSTUNREACH, "EHOSTUNREACH"],
]);

/**
 * An fd_set holding one socket: u_int fd_count, then SOCKET fd_array[64] at offset 8 (x64
 * alignment), 520 bytes in all.
 */
export function fdSetOf(socket: bigint): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(8 + 64 * 8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 1, true);
  view.setBigUint64(8, socket, true);
  return bytes;
}

/** The Windows {@linkcode UdpProber}. */
export class WindowsUdpProber implements UdpProber {
  #ws: Ws2_32 = loadWs2_32();
  /**
   * One receive buffer for all probes, concurrent ones too: each recv copies its datagram out
   * before anything else can run.
   */
  #buffer = new Uint8Array(UDP_RECEIVE_SIZE);

  async probe(request: UdpProbeRequest): Promise<UdpProbeOutcome> {
    const ws = this.#ws;
    const target = parseIpAddress(request.address);
    if (!target) throw new ProbeError(`not a numeric address: ${request.address}`);
    const family = target.family === 4 ? WINDOWS_FAMILIES.inet : WINDOWS_FAMILIES.inet6;
    const socket = BigInt(ws.socket(family, SOCK_DGRAM, 0));
    if (socket === INVALID_SOCKET) throw this.#error("cannot open a UDP socket");
    try {
      ws.ioctlsocket(socket, FIONBIO, new Uint8Array(new Uint32Array([1]).buffer));
      if (request.sourcePort !== null) {
        // Every probe of a run binds the same source port; SO_REUSEADDR lets them share it.
        ws.setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, new Uint8Array([1, 0, 0, 0]), 4);
        const local = encodeSockaddr(
          anyAddress(target.family),
          request.sourcePort,
          WINDOWS_FAMILIES,
        );
        if (ws.bind(socket, local, local.length) !== 0) {
          const code = ws.WSAGetLastError();
          throw new ProbeError(
            `cannot send from UDP source port ${request.sourcePort}: Winsock error ${code}` +
              (code === WSAEADDRINUSE ? " (address in use)" : ""),
          );
        }
      }
      const peer = encodeSockaddr(target, request.port, WINDOWS_FAMILIES);
      if (ws.connect(socket, peer, peer.length) !== 0) {
        const outcome = this.#outcomeOf(ws.WSAGetLastError());
        if (outcome) return outcome;
        throw this.#error("cannot connect");
      }
      return await sendPayloads(
        request.payloads,
        (data, length) => {
          if (ws.send(socket, data, length, 0) >= 0) return null;
          const code = ws.WSAGetLastError();
          const outcome = this.#outcomeOf(code);
          if (outcome) return outcome;
          if (code !== WSAEWOULDBLOCK) throw this.#error("cannot send", code);
          return null;
        },
        () => this.#await(socket, request.waitMs),
      );
    } finally {
      ws.closesocket(socket);
    }
  }

  async #await(socket: bigint, waitMs: number): Promise<Uint8Array | UdpProbeOutcome> {
    const ws = this.#ws;
    const buffer = this.#buffer;
    const deadline = Date.now() + waitMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { kind: "silent" };
      // struct timeval { long tv_sec; long tv_usec; }: two 32-bit longs on Windows.
      const timeout = new Uint8Array(
        new Int32Array([
          Math.floor(remaining / 1000),
          (remaining % 1000) * 1000,
        ]).buffer,
      );
      const ready = await ws.select(0, fdSetOf(socket), null, fdSetOf(socket), timeout);
      if (ready === 0) return { kind: "silent" };
      if (ready < 0) throw this.#error("cannot wait for an answer");
      const received = ws.recv(socket, buffer, buffer.length, 0);
      if (received >= 0) return buffer.slice(0, received);
      const code = ws.WSAGetLastError();
      if (code === WSAEWOULDBLOCK || code === WSAEINTR) continue;
      // A datagram larger than the buffer still proves an answer.
      if (code === WSAEMSGSIZE) return buffer.slice();
      const outcome = this.#outcomeOf(code);
      if (outcome) return outcome;
      throw this.#error("cannot receive", code);
    }
  }

  #outcomeOf(code: number): UdpProbeOutcome | null {
    // Windows reports a port unreachable as WSAECONNRESET on a UDP socket; Wine passes on the
    // Linux meaning, WSAECONNREFUSED.
    if (code === WSAECONNRESET || code === WSAECONNREFUSED) return { kind: "refused", icmp: null };
    const name = WINSOCK_ERRNO_NAMES.get(code);
    if (name) {
      return { kind: "failed", failure: { code: name, text: `Winsock error ${code}`, icmp: null } };
    }
    return null;
  }

  #error(what: string, code = this.#ws.WSAGetLastError()): ProbeError {
    return new ProbeError(`${what}: Winsock error ${code}`);
  }

  close(): void {
    // Winsock stays started for the process; each probe closes its own socket.
  }
}
