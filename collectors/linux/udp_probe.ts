/**
 * UDP probes on Linux through libc: a non-blocking datagram socket, bound to the source port when
 * one is asked for, connected to the target so the kernel hands it the ICMP errors about that
 * peer (a "port unreachable" becomes ECONNREFUSED), then send, and poll(2) on a worker thread for
 * the answer. IPv4 and IPv6.
 *
 * Each socket asks for every ICMP error on its error queue (IP_RECVERR): without it the kernel
 * keeps a host or network unreachable from a UDP socket as transient, and the port would read
 * "LISTENING or FILTERED" instead of FILTERED; with it, the probe also says which ICMP message
 * came and from whom. A socket the kernel connected to itself (this host, source port = target
 * port) would hear its own datagram as the answer: without `-sp` the probe takes another port,
 * with `-sp` it reports the fact.
 *
 * @module
 */

import { type IpAddress, parseIpAddress } from "../../model/address.ts";
import {
  ProbeError,
  sendPayloads,
  UDP_RECEIVE_SIZE,
  type UdpProbeOutcome,
  type UdpProber,
  type UdpProbeRequest,
} from "../probe.ts";
import { anyAddress, encodeSockaddr } from "../sockaddr.ts";
import { errnoCell, errnoText, loadProbeLibc, type ProbeLibc } from "./ffi.ts";
import {
  enableErrorQueue,
  Errno,
  ErrorQueueReader,
  failureOf,
  FAMILIES,
  isConnectedToItself,
  MSG_DONTWAIT,
  SO_REUSEADDR,
  SOCK_CLOEXEC,
  SOCK_DGRAM,
  SOCK_NONBLOCK,
  SOL_SOCKET,
} from "./probe_socket.ts";

const POLLIN = 0x001;
/** How often a probe takes another port after the kernel connected its socket to itself. */
const MAX_SELF_RETRIES = 8;

/** The Linux {@linkcode UdpProber}. */
export class LinuxUdpProber implements UdpProber {
  #libc: ProbeLibc = loadProbeLibc();
  #errors = new ErrorQueueReader(this.#libc);
  /** errno, read straight after each call (see errnoCell). */
  #errno = errnoCell(this.#libc);
  #scratch = new Uint8Array(new ArrayBuffer(128));
  /**
   * One receive buffer for all probes, concurrent ones too: each recv copies its datagram out
   * before anything else can run.
   */
  #buffer = new Uint8Array(UDP_RECEIVE_SIZE);

  async probe(request: UdpProbeRequest): Promise<UdpProbeOutcome> {
    const libc = this.#libc;
    const target = parseIpAddress(request.address);
    if (!target) throw new ProbeError(`not a numeric address: ${request.address}`);
    /** Sockets connected to themselves, held so the kernel picks other ports for the retries. */
    const held: number[] = [];
    let fd = -1;
    try {
      for (;;) {
        fd = this.#open(target, request.sourcePort);
        const peer = encodeSockaddr(target, request.port, FAMILIES);
        const connected = libc.connect(fd, peer, peer.length);
        const code = this.#errno[0];
        if (connected !== 0) {
          const outcome = this.#failure(fd, code, "connect");
          if (outcome) return outcome;
        }
        if (!isConnectedToItself(libc, fd, target, request.port, this.#scratch)) break;
        if (request.sourcePort !== null) {
          libc.close(fd);
          fd = -1;
          return { kind: "self", alone: this.#portIsFree(target, request.port) };
        }
        if (held.length >= MAX_SELF_RETRIES) return { kind: "self", alone: true };
        held.push(fd);
        fd = -1;
      }
      const socket = fd;
      return await sendPayloads(
        request.payloads,
        (data, length) => {
          const sent = libc.send(socket, data, BigInt(length), 0);
          const code = this.#errno[0];
          return Number(sent) < 0 ? this.#failure(socket, code, "send") : null;
        },
        () => this.#await(socket, request.waitMs),
      );
    } finally {
      if (fd >= 0) libc.close(fd);
      for (const socket of held) libc.close(socket);
    }
  }

  /** A UDP socket for `target`'s family, bound to `sourcePort` when one is given. */
  #open(target: IpAddress, sourcePort: number | null): number {
    const libc = this.#libc;
    const fd = libc.socket(
      target.family === 4 ? FAMILIES.inet : FAMILIES.inet6,
      SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
      0,
    );
    if (fd < 0) throw this.#error("cannot open a UDP socket", this.#errno[0]);
    enableErrorQueue(libc, fd, target.family);
    if (sourcePort === null) return fd;
    // Every probe of a run binds the same source port; SO_REUSEADDR lets the connected sockets
    // share it, and the kernel still routes each answer to the socket connected to its sender.
    libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, new Uint8Array(new Int32Array([1]).buffer), 4);
    const local = encodeSockaddr(anyAddress(target.family), sourcePort, FAMILIES);
    if (libc.bind(fd, local, local.length) !== 0) {
      const code = this.#errno[0];
      libc.close(fd);
      throw new ProbeError(
        `cannot send from UDP source port ${sourcePort}: ${errnoText(libc, code)}` +
          (code === Errno.EADDRINUSE ? " (a socket without SO_REUSEADDR holds it)" : ""),
      );
    }
    return fd;
  }

  /**
   * Whether nothing holds UDP `port` on `target`: a socket without SO_REUSEADDR can bind it. The
   * probe's own socket must be closed first, and no other probe of the run may hold the port.
   */
  #portIsFree(target: IpAddress, port: number): boolean {
    const libc = this.#libc;
    const fd = libc.socket(
      target.family === 4 ? FAMILIES.inet : FAMILIES.inet6,
      SOCK_DGRAM | SOCK_CLOEXEC,
      0,
    );
    if (fd < 0) return false;
    try {
      const local = encodeSockaddr(target, port, FAMILIES);
      return libc.bind(fd, local, local.length) === 0;
    } finally {
      libc.close(fd);
    }
  }

  /** Waits up to `waitMs` for a datagram or an ICMP error on `fd`. */
  async #await(fd: number, waitMs: number): Promise<Uint8Array | UdpProbeOutcome> {
    const libc = this.#libc;
    const buffer = this.#buffer;
    const deadline = Date.now() + waitMs;
    // struct pollfd { int fd; short events; short revents; }
    const pollfd = new Uint8Array(8);
    const view = new DataView(pollfd.buffer);
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) return { kind: "silent" };
      view.setInt32(0, fd, true);
      view.setInt16(4, POLLIN, true);
      view.setInt16(6, 0, true);
      const ready = await libc.poll(pollfd, 1n, remaining);
      if (ready === 0) return { kind: "silent" };
      if (ready < 0) continue; // EINTR on the worker thread: wait again for what is left
      const received = libc.recv(fd, buffer, BigInt(buffer.length), MSG_DONTWAIT);
      const code = this.#errno[0];
      if (Number(received) >= 0) return buffer.slice(0, Number(received));
      const outcome = this.#failure(fd, code, "receive");
      if (outcome) return outcome;
    }
  }

  /**
   * The outcome the errno `code` of a failed connect, send or receive stands for, with the ICMP
   * message behind it; null when the call is only to be repeated (EAGAIN, EINTR).
   */
  #failure(fd: number, code: number, call: string): UdpProbeOutcome | null {
    if (code === Errno.EAGAIN || code === Errno.EINTR) return null;
    if (code === Errno.EMFILE || code === Errno.ENFILE || code === Errno.ENOBUFS) {
      throw this.#error(`cannot ${call}`, code);
    }
    const icmp = this.#errors.read(fd);
    if (code === Errno.ECONNREFUSED) return { kind: "refused", icmp };
    return { kind: "failed", failure: failureOf(this.#libc, code, icmp) };
  }

  #error(what: string, code: number): ProbeError {
    return new ProbeError(`${what}: ${errnoText(this.#libc, code)}`);
  }

  close(): void {
    // libc stays loaded for the process; each probe closes its own socket.
  }
}
