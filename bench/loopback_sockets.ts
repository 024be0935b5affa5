/**
 * Opens loopback sockets straight through libc, for the socket farm.
 *
 * Deno's own networking would do, but each of its sockets is a resource with a task behind it, a
 * farm of thousands would spend memory and start-up time on that, and UDP needs an unstable flag.
 * libc gives exactly one kernel socket per call and nothing else, so the farm's socket count is
 * exact. Addresses can only be built as 127.0.0.0/8 or ::1: the benchmark must never send to, or
 * even bind, any other address.
 *
 * @module
 */

import { check, libc } from "../tests/support/libc.ts";

const AF_INET = 2, AF_INET6 = 10;
const SOCK_STREAM = 1, SOCK_DGRAM = 2, SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1, SO_LINGER = 13;
const RLIMIT_NOFILE = 7;
const LISTEN_BACKLOG = 512;

/** A socket address on the loopback interface, as the bytes of a sockaddr_in or sockaddr_in6. */
export interface LoopbackAddress {
  readonly text: string;
  readonly family: typeof AF_INET | typeof AF_INET6;
}

/** 127.b.c.d: every address of 127.0.0.0/8 is on `lo` on Linux without configuration. */
export function loopbackV4(b: number, c: number, d: number): LoopbackAddress {
  for (const octet of [b, c, d]) {
    if (!Number.isInteger(octet) || octet < 0 || octet > 255) {
      throw new RangeError(`not an address octet: ${octet}`);
    }
  }
  return { text: `127.${b}.${c}.${d}`, family: AF_INET };
}

/** ::1, the only IPv6 loopback address `lo` carries. */
export const LOOPBACK_V6: LoopbackAddress = { text: "::1", family: AF_INET6 };

function sockaddr(address: LoopbackAddress, port: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(address.family === AF_INET ? 16 : 28);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, address.family, true);
  view.setUint16(2, port, false);
  if (address.family === AF_INET) {
    bytes.set(address.text.split(".").map(Number), 4);
  } else {
    bytes[8 + 15] = 1; // ::1
  }
  return bytes;
}

/**
 * Raises this process's soft limit on open files to at least `wanted`. Root could raise the hard
 * limit too, but the benchmark is sized to fit the usual hard limit, so going past it is an error.
 */
export function raiseOpenFileLimit(wanted: number): void {
  const limit = new BigUint64Array(2);
  const bytes = new Uint8Array(limit.buffer);
  check(libc.getrlimit(RLIMIT_NOFILE, bytes), "getrlimit(RLIMIT_NOFILE)");
  if (limit[0] >= BigInt(wanted)) return;
  if (limit[1] < BigInt(wanted)) {
    throw new Error(`needs ${wanted} open files, but RLIMIT_NOFILE's hard limit is ${limit[1]}`);
  }
  limit[0] = BigInt(wanted);
  check(libc.setrlimit(RLIMIT_NOFILE, bytes), "setrlimit(RLIMIT_NOFILE)");
}

/** The sockets one process opened; closing them is left to process exit. */
export class LoopbackSockets {
  #count = 0;
  #linger0 = new Uint8Array(new Int32Array([1, 0]).buffer);

  /** How many sockets are open. */
  get count(): number {
    return this.#count;
  }

  #open(address: LoopbackAddress, type: number): number {
    const fd = check(libc.socket(address.family, type | SOCK_CLOEXEC, 0), "socket");
    this.#count++;
    return fd;
  }

  #bind(fd: number, address: LoopbackAddress): void {
    const bytes = sockaddr(address, 0); // port 0: the kernel picks a free one
    check(libc.bind(fd, bytes, bytes.length), `bind ${address.text}`);
  }

  #port(fd: number): number {
    const bytes = new Uint8Array(28);
    const length = new Uint8Array(new Uint32Array([bytes.length]).buffer);
    check(libc.getsockname(fd, bytes, length), "getsockname");
    return new DataView(bytes.buffer).getUint16(2, false);
  }

  /**
   * Without this, every established socket would go to TIME_WAIT when the farm exits, leaving
   * thousands of sockets (and their ports) behind for a minute after the benchmark.
   */
  #abortOnClose(fd: number): void {
    check(libc.setsockopt(fd, SOL_SOCKET, SO_LINGER, this.#linger0, 8), "SO_LINGER");
  }

  /** A TCP listener on a kernel-chosen port; returns its fd and port. */
  listenTcp(address: LoopbackAddress): { fd: number; port: number } {
    const fd = this.#open(address, SOCK_STREAM);
    this.#bind(fd, address);
    check(libc.listen(fd, LISTEN_BACKLOG), `listen ${address.text}`);
    return { fd, port: this.#port(fd) };
  }

  /** A bound, unconnected UDP socket on a kernel-chosen port. */
  bindUdp(address: LoopbackAddress): void {
    this.#bind(this.#open(address, SOCK_DGRAM), address);
  }

  /**
   * An established TCP connection to a listener of this process: two sockets, the client end and
   * the accepted end. On loopback the handshake completes inside connect(), so the connection is
   * already queued when accept4() runs and neither call waits.
   */
  connectPair(listenerFd: number, address: LoopbackAddress, port: number): void {
    const client = this.#open(address, SOCK_STREAM);
    const target = sockaddr(address, port);
    check(libc.connect(client, target, target.length), `connect ${address.text} port ${port}`);
    this.#abortOnClose(client);
    const server = check(libc.accept4(listenerFd, null, null, SOCK_CLOEXEC), "accept4");
    this.#count++;
    this.#abortOnClose(server);
  }
}
