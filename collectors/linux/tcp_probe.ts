/**
 * TCP connection attempts on Linux through libc: non-blocking sockets connecting at once, and one
 * epoll set telling which attempts have ended, all driven from one loop. A whole 1-65535 range
 * then costs the kernel's work per port and a handful of system calls, without a promise, a timer
 * or a socket object per port (which is where a `Deno.connect` per port spends its time and
 * memory).
 *
 * Each socket asks for ICMP errors on its error queue, so a port settled by an ICMP message (a
 * firewall's REJECT, a router's unreachable) says which one; an accepted connection is closed
 * with a reset (SO_LINGER 0), so the probe leaves no TIME_WAIT behind; and a connection that
 * reached its own socket (the target is this host and the kernel picked the target port as the
 * source port) is tried again from another port while the first one is held, as nmap does.
 *
 * This file is the loop; the table of attempts in flight is tcp_probe_slots.ts, and a long batch
 * shares its ports with a worker thread through tcp_probe_share.ts.
 *
 * @module
 */

import { parseIpAddress } from "../../model/address.ts";
import {
  type IcmpMessage,
  ProbeError,
  RESET,
  SELF,
  type TcpConnectBatch,
  type TcpConnectOutcome,
  type TcpProber,
  TIMEOUT,
} from "../probe.ts";
import { anyAddress, encodeSockaddr } from "../sockaddr.ts";
import { errnoCell, errnoText, loadProbeLibc, type ProbeLibc } from "./ffi.ts";
import { HitRate } from "./tcp_probe_hit_rate.ts";
import { connectShared, SHARED_BATCH_MIN } from "./tcp_probe_share.ts";
import { Slots } from "./tcp_probe_slots.ts";
import {
  enableErrorQueue,
  Errno,
  ErrorQueueReader,
  failureOf,
  FAMILIES,
  isConnectedToItself,
  MSG_DONTWAIT,
  SO_ERROR,
  SO_LINGER,
  SO_REUSEADDR,
  SOCK_CLOEXEC,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOL_SOCKET,
} from "./probe_socket.ts";

const EPOLL_CLOEXEC = 0o2000000;
const EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
const EPOLLIN = 0x001, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010, EPOLLRDHUP = 0x2000;
/**
 * sizeof(struct epoll_event): `{ u32 events; u64 data; }`, packed on x86-64 (12 bytes), naturally
 * aligned elsewhere (16 bytes, data at offset 8).
 */
const EVENT_SIZE = Deno.build.arch === "x86_64" ? 12 : 16;
const EVENT_DATA_OFFSET = Deno.build.arch === "x86_64" ? 4 : 8;
/** Events read per epoll_wait. */
const MAX_EVENTS = 256;

/** An accepted connection without a greeting asked for: one shared object for every such port. */
const CONNECTED: TcpConnectOutcome = Object.freeze({ kind: "connected", greeting: null });

/** A deadline later than any: the largest small integer. */
const NEVER = 0x3fffffff;

/** `struct linger { int l_onoff; int l_linger; }` = {1, 0}: close() resets the connection. */
const RESET_ON_CLOSE = new Uint8Array(new Int32Array([1, 0]).buffer);
const ONE = new Uint8Array(new Int32Array([1]).buffer);

/**
 * How often one port's attempt is started again before it settles as it is: after reaching its
 * own socket (each retry holds a port), or after the kernel had no local port free (EAGAIN).
 */
const MAX_RESTARTS = 8;

/** The Linux {@linkcode TcpProber}. */
export class LinuxTcpProber implements TcpProber {
  #libc: ProbeLibc = loadProbeLibc();
  #errors = new ErrorQueueReader(this.#libc);
  #errno = errnoCell(this.#libc);
  #scratch = new Uint8Array(new ArrayBuffer(128));
  #shareLongBatches: boolean;
  #optionLength = new Uint8Array(new ArrayBuffer(4));
  #option = new Uint8Array(new ArrayBuffer(4));
  #optionLengthView = new DataView(this.#optionLength.buffer);
  #optionView = new DataView(this.#option.buffer);

  /**
   * `shareLongBatches`: whether a long batch may be shared with a worker thread (the worker's own
   * prober does not share again).
   */
  constructor({ shareLongBatches = true } = {}) {
    this.#shareLongBatches = shareLongBatches;
  }

  /**
   * Makes the attempts; a long batch on a machine with more than one core is shared with a
   * worker thread, each with its own sockets and epoll set: the kernel's work per attempt (the
   * handshake or the reset, which against this host runs inside connect() itself) is most of the
   * time, and it runs on the core that asked. Greetings are read here, where their callback is.
   */
  async connectAll(batch: TcpConnectBatch): Promise<TcpConnectOutcome[]> {
    const share = this.#shareLongBatches && batch.ports.length >= SHARED_BATCH_MIN &&
      navigator.hardwareConcurrency >= 2;
    if (!share) {
      return await this.#connectHere(batch);
    }
    return await connectShared(batch, (part) => this.#connectHere(part));
  }

  async #connectHere(batch: TcpConnectBatch): Promise<TcpConnectOutcome[]> {
    const libc = this.#libc;
    const ERRNO = this.#errno;
    const target = parseIpAddress(batch.address);
    if (!target) throw new ProbeError(`not a numeric address: ${batch.address}`);
    const ports = batch.ports;
    const outcomes = new Array<TcpConnectOutcome>(ports.length);
    const epoll = libc.epoll_create1(EPOLL_CLOEXEC);
    if (epoll < 0) {
      throw new ProbeError(`cannot create an epoll set: ${errnoText(libc, ERRNO[0])}`);
    }
    // One sockaddr for every attempt, its port rewritten each time: connect() copies it.
    const peer = encodeSockaddr(target, 0, FAMILIES);
    const peerView = new DataView(peer.buffer);
    const local = batch.sourcePort === null
      ? null
      : encodeSockaddr(anyAddress(target.family), batch.sourcePort, FAMILIES);
    const family = target.family === 4 ? FAMILIES.inet : FAMILIES.inet6;
    const askAtOnce = new HitRate();
    const event = new Uint8Array(new ArrayBuffer(EVENT_SIZE));
    const eventView = new DataView(event.buffer);
    const events = new Uint8Array(new ArrayBuffer(EVENT_SIZE * MAX_EVENTS));
    const eventsView = new DataView(events.buffer);
    const slots = new Slots(Math.max(1, batch.concurrency));
    /** Sockets connected to themselves, held so the kernel picks other ports for the retries. */
    const held: number[] = [];
    const restarts = new Map<number, number>();
    const again: number[] = [];
    let next = 0;
    /**
     * Time is read once a round, not once a port, and kept in whole milliseconds since the batch
     * began: a double made for every one of 65,535 ports is garbage the collector must sweep.
     */
    const origin = performance.now();
    const elapsed = () => Math.ceil(performance.now() - origin);
    let now = 0;
    let earliest = NEVER;

    const watch = (fd: number, op: number, mask: number) => {
      eventView.setUint32(0, mask, true);
      eventView.setUint32(EVENT_DATA_OFFSET, fd, true);
      eventView.setUint32(EVENT_DATA_OFFSET + 4, 0, true);
      return libc.epoll_ctl(epoll, op, fd, event) === 0;
    };

    const settle = (slot: number, outcome: TcpConnectOutcome) => {
      libc.close(slots.fd[slot]);
      outcomes[slots.index[slot]] = outcome;
      slots.release(slot);
    };

    /** Queues `index` to start again; false once it has had its restarts. */
    const restart = (index: number): boolean => {
      const count = (restarts.get(index) ?? 0) + 1;
      restarts.set(index, count);
      if (count > MAX_RESTARTS) return false;
      again.push(index);
      return true;
    };

    /** Starts the attempt for `index`; false when no socket can be had just now. */
    const start = (index: number): boolean => {
      const fd = libc.socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) {
        const code = ERRNO[0];
        const starved = code === Errno.EMFILE || code === Errno.ENFILE ||
          code === Errno.ENOBUFS;
        // Out of descriptors: wait for the attempts in flight to free some, unless there are none.
        if (starved && slots.size > 0) return false;
        throw new ProbeError(`cannot open a TCP socket: ${errnoText(libc, code)}`);
      }
      enableErrorQueue(libc, fd, target.family);
      if (local) {
        // Every attempt of the run binds the same source port; SO_REUSEADDR lets the sockets
        // share it, each connected to another port.
        libc.setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, ONE, 4);
        if (libc.bind(fd, local, local.length) !== 0) {
          const code = ERRNO[0];
          libc.close(fd);
          throw new ProbeError(
            `cannot connect from source port ${batch.sourcePort}: ${errnoText(libc, code)}` +
              (code === Errno.EADDRINUSE ? " (a listener holds it)" : ""),
          );
        }
      }
      peerView.setUint16(2, ports[index], false);
      const slot = slots.take(fd, index, now + batch.timeoutMs);
      const connectResult = libc.connect(fd, peer, peer.length);
      const code = ERRNO[0];
      if (connectResult === 0) {
        connected(slot);
        return true;
      }
      if (code === Errno.EINPROGRESS) {
        // Against this host the handshake (or the reset) has usually run its course before
        // connect() returns: asking at once spares the epoll set a socket that is already done.
        if (askAtOnce.worthIt) {
          const early = this.#socketError(fd);
          askAtOnce.count(early !== 0);
          if (early !== 0) {
            failed(slot, early);
            return true;
          }
        }
        eventView.setUint32(0, EPOLLOUT | EPOLLERR | EPOLLHUP, true);
        eventView.setUint32(EVENT_DATA_OFFSET, fd, true);
        const watched = libc.epoll_ctl(epoll, EPOLL_CTL_ADD, fd, event) === 0;
        const watchError = ERRNO[0];
        if (watched) {
          if (slots.deadline[slot] < earliest) earliest = slots.deadline[slot];
        } else {
          failed(slot, watchError);
        }
        return true;
      }
      // No local port free just now (ports still being released): try this one again later.
      const transient = code === Errno.EAGAIN || (code === Errno.EADDRNOTAVAIL && !local);
      if (transient && restart(index)) {
        libc.close(fd);
        slots.release(slot);
        return true;
      }
      failed(slot, code);
      return true;
    };

    const failed = (slot: number, code: number) => {
      const icmp: IcmpMessage | null = this.#errors.read(slots.fd[slot]);
      if (code === Errno.ECONNREFUSED) {
        return settle(slot, icmp ? { kind: "refused", icmp } : RESET);
      }
      settle(slot, { kind: "failed", failure: failureOf(libc, code, icmp) });
    };

    const connected = (slot: number) => {
      const fd = slots.fd[slot];
      const index = slots.index[slot];
      if (isConnectedToItself(libc, fd, target, ports[index], this.#scratch)) {
        if (local || !restart(index)) return settle(slot, SELF);
        // Hold the socket, and with it its port, so that the retry gets another one.
        watch(fd, EPOLL_CTL_DEL, 0);
        held.push(fd);
        slots.release(slot);
        return;
      }
      const greeting = batch.greeting?.(ports[index]) ?? null;
      if (!greeting) {
        libc.setsockopt(fd, SOL_SOCKET, SO_LINGER, RESET_ON_CLOSE, RESET_ON_CLOSE.length);
        return settle(slot, CONNECTED);
      }
      slots.greeting[slot] = greeting;
      slots.received[slot] = new Uint8Array(greeting.maxBytes);
      slots.deadline[slot] = elapsed() + greeting.waitMs;
      if (slots.deadline[slot] < earliest) earliest = slots.deadline[slot];
      if (!watch(fd, EPOLL_CTL_MOD, EPOLLIN | EPOLLRDHUP | EPOLLERR | EPOLLHUP)) {
        finishGreeting(slot);
      }
    };

    const finishGreeting = (slot: number) => {
      libc.setsockopt(slots.fd[slot], SOL_SOCKET, SO_LINGER, RESET_ON_CLOSE, 8);
      const length = slots.length[slot];
      const greeting = length > 0 ? slots.received[slot]!.slice(0, length) : null;
      settle(slot, greeting ? { kind: "connected", greeting } : CONNECTED);
    };

    const readGreeting = (slot: number) => {
      const buffer = slots.received[slot]!;
      const fd = slots.fd[slot];
      for (;;) {
        const length = slots.length[slot];
        if (length >= buffer.length) return finishGreeting(slot);
        const room = buffer.subarray(length);
        const received = libc.recv(fd, room, BigInt(room.length), MSG_DONTWAIT);
        const code = ERRNO[0];
        const count = Number(received);
        if (count > 0) {
          slots.length[slot] = length + count;
          if (slots.greeting[slot]!.complete(buffer.subarray(0, length + count))) {
            return finishGreeting(slot);
          }
          continue;
        }
        if (count === 0) return finishGreeting(slot); // the server closed
        if (code === Errno.EAGAIN || code === Errno.EINTR) return; // more may come
        return finishGreeting(slot); // reset after the greeting: keep what came
      }
    };

    const ready = (fd: number) => {
      const slot = slots.of(fd);
      if (slot < 0) return;
      if (slots.greeting[slot]) return readGreeting(slot);
      const code = this.#socketError(fd);
      if (code === 0) connected(slot);
      else failed(slot, code);
    };

    const expire = (now: number) => {
      earliest = NEVER;
      for (let slot = 0; slot < slots.fd.length; slot++) {
        if (slots.fd[slot] < 0) continue;
        const deadline = slots.deadline[slot];
        if (deadline <= now) {
          if (slots.greeting[slot]) finishGreeting(slot);
          else settle(slot, TIMEOUT);
        } else if (deadline < earliest) {
          earliest = deadline;
        }
      }
    };

    try {
      while (next < ports.length || again.length > 0 || slots.size > 0) {
        while (!slots.full) {
          const restarting = again.length > 0;
          if (!restarting && next >= ports.length) break;
          const index = restarting ? again.pop()! : next++;
          if (!start(index)) {
            if (restarting) again.push(index);
            else next--;
            break;
          }
        }
        if (slots.size === 0) continue;
        let count = libc.epoll_wait(epoll, events, MAX_EVENTS, 0);
        const waitError = ERRNO[0];
        if (count < 0 && waitError !== Errno.EINTR) {
          throw new ProbeError(`cannot wait for connections: ${errnoText(libc, waitError)}`);
        }
        if (count === 0) {
          const wait = Math.max(1, earliest - elapsed());
          // On a worker thread, whose errno cannot be read here; with a valid epoll set and
          // buffer, the only failure is an interrupted wait, which the next round repeats.
          count = Math.max(0, await libc.epoll_wait_async(epoll, events, MAX_EVENTS, wait));
        }
        for (let i = 0; i < count; i++) {
          ready(eventsView.getInt32(i * EVENT_SIZE + EVENT_DATA_OFFSET, true));
        }
        now = elapsed();
        if (now >= earliest) expire(now);
      }
      return outcomes;
    } finally {
      for (const fd of slots.fd) if (fd >= 0) libc.close(fd);
      for (const fd of held) libc.close(fd);
      libc.close(epoll);
    }
  }

  /** SO_ERROR: how the connection attempt on `fd` ended (0: connected). */
  #socketError(fd: number): number {
    this.#optionLengthView.setUint32(0, 4, true);
    const result = this.#libc.getsockopt(
      fd,
      SOL_SOCKET,
      SO_ERROR,
      this.#option,
      this.#optionLength,
    );
    const code = this.#errno[0];
    if (result !== 0) return code;
    return this.#optionView.getInt32(0, true);
  }

  close(): void {
    // libc stays loaded for the process; each batch closes its own sockets and epoll set.
  }
}
