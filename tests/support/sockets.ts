/**
 * Real sockets for tests, opened through libc so a test controls what Deno's own networking
 * cannot: SO_REUSEPORT groups, IPV6_V6ONLY, connected UDP, half-closed TCP.
 *
 * @module
 */

import { check, libc } from "./libc.ts";

const AF_INET = 2, AF_INET6 = 10;
const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1, SO_REUSEADDR = 2, SO_REUSEPORT = 15;
const IPPROTO_IPV6 = 41, IPV6_V6ONLY = 26;

/** Parses `127.0.0.1`, `::1`, `::`, `fe80::1` (no scope) into bytes and family. */
export function parseAddress(text: string): { family: number; bytes: Uint8Array } {
  if (!text.includes(":")) {
    const parts = text.split(".").map(Number);
    if (parts.length !== 4 || parts.some((part) => !(part >= 0 && part <= 255))) {
      throw new Error(`not an IPv4 address: ${text}`);
    }
    return { family: AF_INET, bytes: new Uint8Array(parts) };
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, null];
  const words = (part: string) => (part === "" ? [] : part.split(":").map((w) => parseInt(w, 16)));
  const front = words(head), back = tail === null ? [] : words(tail);
  const all = [...front, ...new Array(8 - front.length - back.length).fill(0), ...back];
  const bytes = new Uint8Array(16);
  all.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return { family: AF_INET6, bytes };
}

function sockaddr(address: string, port: number): Uint8Array<ArrayBuffer> {
  const { family, bytes } = parseAddress(address);
  const buffer = new Uint8Array(family === AF_INET ? 16 : 28);
  const view = new DataView(buffer.buffer);
  view.setUint16(0, family, true);
  view.setUint16(2, port, false);
  buffer.set(bytes, family === AF_INET ? 4 : 8);
  return buffer;
}

/** Options for a socket's creation. */
export interface SocketOptions {
  reusePort?: boolean;
  /**
   * SO_REUSEADDR (default true). Off, a bound socket reserves its address and port: no other
   * socket, with or without the option, can bind them while it is open.
   */
  reuseAddr?: boolean;
  /** For IPv6 sockets: accept IPv4 too (false) or not (true). Default: true. */
  v6only?: boolean;
}

/** A set of sockets a test opens and closes together. */
export class TestSockets {
  #open = new Set<number>();

  #socket(address: string, type: number, options: SocketOptions): number {
    const { family } = parseAddress(address);
    const fd = check(libc.socket(family, type | SOCK_CLOEXEC, 0), "socket");
    this.#open.add(fd);
    const one = new Uint8Array(new Int32Array([1]).buffer);
    if (options.reuseAddr !== false) {
      check(libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, one, 4), "SO_REUSEADDR");
    }
    if (options.reusePort) {
      check(libc.setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, one, 4), "SO_REUSEPORT");
    }
    if (family === AF_INET6) {
      const v6only = new Uint8Array(new Int32Array([options.v6only === false ? 0 : 1]).buffer);
      check(libc.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only, 4), "IPV6_V6ONLY");
    }
    return fd;
  }

  #bind(fd: number, address: string, port: number): void {
    const addr = sockaddr(address, port);
    check(libc.bind(fd, addr, addr.length), `bind ${address}:${port}`);
  }

  /** A TCP listener; returns its fd and port. */
  tcpListen(
    address: string,
    port = 0,
    options: SocketOptions & { backlog?: number } = {},
  ): { fd: number; port: number } {
    const bound = this.tcpBind(address, port, options);
    this.listen(bound.fd, options.backlog);
    return bound;
  }

  /**
   * A TCP socket bound to `address:port` (0: the kernel picks) that does not listen: its port is
   * known, and taken, before anything can see a listener on it, and a connection to it is reset
   * as to a closed port.
   */
  tcpBind(address: string, port = 0, options: SocketOptions = {}): { fd: number; port: number } {
    const fd = this.#socket(address, SOCK_STREAM, options);
    try {
      this.#bind(fd, address, port);
    } catch (error) {
      this.close(fd);
      throw error;
    }
    return { fd, port: localPort(fd) };
  }

  /** Makes a bound TCP socket listen. */
  listen(fd: number, backlog = 16): void {
    check(libc.listen(fd, backlog), "listen");
  }

  /** A TCP connection from a new socket to `address:port` (blocking; loopback completes at once). */
  tcpConnect(address: string, port: number): { fd: number; port: number } {
    const fd = this.#socket(address, SOCK_STREAM, {});
    const addr = sockaddr(address, port);
    check(libc.connect(fd, addr, addr.length), `connect ${address}:${port}`);
    return { fd, port: localPort(fd) };
  }

  /** Accepts a pending connection on a listener. */
  accept(listener: number): number {
    return this.acceptPeer(listener).fd;
  }

  /**
   * Accepts a pending connection and says which port the peer connected from, as accept() itself
   * reports it: a peer that has already reset the connection still tells.
   */
  acceptPeer(listener: number): { fd: number; peerPort: number } {
    const address = new Uint8Array(new ArrayBuffer(128));
    const length = new Uint32Array(new ArrayBuffer(4));
    length[0] = address.length;
    const fd = check(
      libc.accept4(
        listener,
        Deno.UnsafePointer.of(address),
        Deno.UnsafePointer.of(length),
        SOCK_CLOEXEC,
      ),
      "accept",
    );
    this.#open.add(fd);
    return { fd, peerPort: (address[2] << 8) | address[3] };
  }

  /** A bound UDP socket, connected to `peer` when given. */
  udp(
    address: string,
    port = 0,
    peer?: { address: string; port: number },
    options: SocketOptions = {},
  ): { fd: number; port: number } {
    const fd = this.#socket(address, SOCK_DGRAM, options);
    this.#bind(fd, address, port);
    if (peer) {
      const addr = sockaddr(peer.address, peer.port);
      check(libc.connect(fd, addr, addr.length), "connect udp");
    }
    return { fd, port: localPort(fd) };
  }

  /**
   * A closed TCP port that stays closed while the test runs: the kernel's pick, kept bound
   * without SO_REUSEADDR and never listening. A port the kernel picked and the test closed again
   * may be any other process's next pick; this one no other socket can take, and a connection to
   * it is reset as to any closed port.
   */
  tcpClosed(address = "127.0.0.1"): number {
    return this.tcpBind(address, 0, { reuseAddr: false }).port;
  }

  /**
   * A closed UDP port that stays closed while the test runs: the kernel's pick, kept bound
   * without SO_REUSEADDR and connected to the discard port, so that a datagram from anywhere
   * else finds no socket and the kernel answers it with ICMP port unreachable, as for any closed
   * port.
   */
  udpClosed(address = "127.0.0.1"): number {
    return this.udp(address, 0, { address, port: 9 }, { reuseAddr: false }).port;
  }

  close(fd: number): void {
    if (this.#open.delete(fd)) libc.close(fd);
  }

  closeAll(): void {
    for (const fd of this.#open) libc.close(fd);
    this.#open.clear();
  }

  [Symbol.dispose](): void {
    this.closeAll();
  }
}

/** True for the error a bind to an address and port already taken fails with. */
export function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && /Address already in use/.test(error.message);
}

/** The kernel's ephemeral port range, `[low, high]` (Linux's default when it cannot be read). */
export function ephemeralPortRange(): [number, number] {
  try {
    const [low, high] = Deno.readTextFileSync("/proc/sys/net/ipv4/ip_local_port_range")
      .trim().split(/\s+/).map(Number);
    if (low > 1024 && high >= low) return [low, high];
  } catch {
    // not Linux, or no procfs: the default range
  }
  return [32768, 60999];
}

/** The local port of a socket. */
export function localPort(fd: number): number {
  const addr = new Uint8Array(28);
  const length = new Uint8Array(new Uint32Array([28]).buffer);
  check(libc.getsockname(fd, addr, length), "getsockname");
  return new DataView(addr.buffer).getUint16(2, false);
}
