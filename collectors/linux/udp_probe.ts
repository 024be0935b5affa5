/**
 * UDP probes on Linux through libc: a non-blocking datagram socket, bound to the source port when
 * one is asked for, connected to the target so the kernel hands it the ICMP errors about that
 * peer (a "port unreachable" becomes ECONNREFUSED), then send, and poll(2) on a worker thread for
 * the answer. IPv4 and IPv6.
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
import { errno, errnoText, type Libc, loadLibc } from "./ffi.ts";

const FAMILIES = { inet: 2, inet6: 10 };
const SOCK_DGRAM = 2, SOCK_NONBLOCK = 0o4000, SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1, SO_REUSEADDR = 2;
const POLLIN = 0x001;
const MSG_DONTWAIT = 0x40;
const EINTR = 4, EAGAIN = 11, ENETUNREACH = 101, ECONNREFUSED = 111, EHOSTUNREACH = 113;
const EADDRINUSE = 98;

/** The Linux {@linkcode UdpProber}. */
export class LinuxUdpProber implements UdpProber {
  #libc: Libc = loadLibc();
  /**
   * One receive buffer for all probes, concurrent ones too: each recv copies its datagram out
   * before anything else can run.
   */
  #buffer = new Uint8Array(UDP_RECEIVE_SIZE);

  async probe(request: UdpProbeRequest): Promise<UdpProbeOutcome> {
    const libc = this.#libc;
    const target = parseIpAddress(request.address);
    if (!target) throw new ProbeError(`not a numeric address: ${request.address}`);
    const fd = libc.socket(
      target.family === 4 ? FAMILIES.inet : FAMILIES.inet6,
      SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
      0,
    );
    if (fd < 0) throw this.#error("cannot open a UDP socket");
    try {
      if (request.sourcePort !== null) {
        // Every probe of a run binds the same source port; SO_REUSEADDR lets the connected
        // sockets share it, and the kernel still routes each answer to the socket connected to
        // its sender.
        const one = new Uint8Array(new Int32Array([1]).buffer);
        libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4);
        const local = encodeSockaddr(anyAddress(target.family), request.sourcePort, FAMILIES);
        if (libc.bind(fd, local, local.length) !== 0) {
          const code = errno(libc);
          throw new ProbeError(
            `cannot send from UDP source port ${request.sourcePort}: ${errnoText(libc, code)}` +
              (code === EADDRINUSE ? " (a socket without SO_REUSEADDR holds it)" : ""),
          );
        }
      }
      const peer = encodeSockaddr(target, request.port, FAMILIES);
      if (libc.connect(fd, peer, peer.length) !== 0) {
        const outcome = this.#failure("connect");
        if (outcome) return outcome;
      }
      return await sendPayloads(
        request.payloads,
        (data, length) =>
          Number(libc.send(fd, data, BigInt(length), 0)) < 0 ? this.#failure("send") : null,
        () => this.#await(fd, request.waitMs),
      );
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
      const received = Number(libc.recv(fd, buffer, BigInt(buffer.length), MSG_DONTWAIT));
      if (received >= 0) return buffer.slice(0, received);
      const code = errno(libc);
      if (code === EAGAIN || code === EINTR) continue;
      const outcome = this.#outcomeOf(code);
      if (outcome) return outcome;
      throw this.#error("cannot receive", code);
    }
  }

  /** The outcome an errno from connect or send stands for, or a thrown ProbeError. */
  #failure(call: string): UdpProbeOutcome | null {
    const code = errno(this.#libc);
    const outcome = this.#outcomeOf(code);
    if (outcome) return outcome;
    if (code === EAGAIN) return null; // the send buffer is full: the wait decides
    throw this.#error(`cannot ${call}`, code);
  }

  #outcomeOf(code: number): UdpProbeOutcome | null {
    if (code === ECONNREFUSED) return { kind: "refused" };
    if (code === EHOSTUNREACH || code === ENETUNREACH) {
      return { kind: "unreachable", reason: errnoText(this.#libc, code) };
    }
    return null;
  }

  #error(what: string, code = errno(this.#libc)): ProbeError {
    return new ProbeError(`${what}: ${errnoText(this.#libc, code)}`);
  }

  close(): void {
    // libc stays loaded for the process; each probe closes its own socket.
  }
}
