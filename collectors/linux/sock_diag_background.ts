/**
 * A sock_diag dump of every TCP and UDP socket made by threads of Deno's blocking pool while this
 * thread does other work, for a snapshot taken once (the /proc fd scan runs meanwhile).
 *
 * The kernel does a dump's work inside the calls that ask for it: it walks its socket tables in
 * the `sendto` of the request, and fills each buffer of replies in the `recv` that takes the last
 * one. Each dump (the host's {@linkcode DUMPS}, or those another namespace's counts call for) gets
 * a socket of its own; its request goes out through a nonblocking `sendto`, then one nonblocking
 * `recvmmsg` with MSG_WAITFORONE gathers all of its replies, one kernel message per 32 KiB slot,
 * into a buffer sized by the socket counts (/proc/net/sockstat for the host's). Two calls on the
 * pool per dump where a synchronous dump makes one receive per 32 KiB of replies; this thread
 * parses afterwards. A dump expected to list only a few sockets (another namespace's, as a rule)
 * is read on this thread instead, by then already written (see {@linkcode READ_HERE_MAX}).
 *
 * The buffers are given back as soon as they are read: V8 counts them against the heap's limit,
 * and a few MiB of them left for the collector to find were enough to start a full garbage
 * collection in the middle of writing the JSON (30 ms of a 16,000-socket run).
 *
 * A pool thread's errno cannot be read here: a call that fails is reported without its reason,
 * and the collector then dumps synchronously, where the reason is known.
 *
 * @module
 */

import { AddressTexts } from "./address_texts.ts";
import { HOST_LITTLE_ENDIAN, type Libc } from "./ffi.ts";
import { type DiagSocket, type InterfaceNamer, visitDumpReplies } from "./netlink.ts";
import {
  type DumpRequest,
  DUMPS,
  KERNEL_ADDRESS,
  openSockDiagSocket,
  receiveDump,
  SockDiagUnavailableError,
} from "./sock_diag.ts";

/** recvmmsg: after the first message, take only what is queued (the dump's end: EAGAIN). */
const MSG_WAITFORONE = 0x10000;
/** The kernel makes each dump message at most 32 KiB (less its overhead): one slot holds one. */
const SLOT_BYTES = 32 * 1024;
/** A socket's reply: nlmsghdr, inet_diag_msg and its attributes, with room to spare. */
const REPLY_BYTES = 144;
/** Sockets that may open between reading the host's counts and the dump. */
const COUNT_SLACK = 256;
/** At most 8 MiB of replies per dump in one call; a longer dump is finished on this thread. */
const MAX_SLOTS = 256;
/**
 * A dump expected to list this many sockets or fewer is read on this thread when its replies are
 * wanted, with no call on the pool: its request's sendto has had the kernel write them (its first
 * reply message holds some 30 sockets), and a pool call costs this thread more than reading them
 * does, a thread started for it (some 70 µs) against a few µs. Another namespace's dumps are
 * such, as a rule: 20 containers, 40 pool calls fewer.
 */
export const READ_HERE_MAX = 16;
/** struct mmsghdr on LP64: struct msghdr (56 bytes), unsigned int msg_len, padding. */
const MMSGHDR_BYTES = 64;
const MSG_IOV = 16, MSG_IOVLEN = 24, MSG_LEN = 56;
/** struct iovec: void *iov_base, size_t iov_len. */
const IOVEC_BYTES = 16;

/** A dump to make in the background: what to ask, the socket to ask through, how many it lists. */
export interface BackgroundRequest {
  dump: DumpRequest;
  /** An open NETLINK_SOCK_DIAG socket, this request's alone. */
  fd: number;
  /**
   * The sockets the dump is expected to list, by the namespace's counts; 0 when unknown, which
   * has it read on this thread (see {@linkcode READ_HERE_MAX}), as before a few pool slots were
   * filled and the rest read here.
   */
  expected: number;
}

/** One dump's socket, request and reply buffers. */
interface Pending {
  dump: DumpRequest;
  fd: number;
  request: Uint8Array<ArrayBuffer>;
  sent: Promise<number | bigint>;
  slots: number;
  replies: Uint8Array<ArrayBuffer>;
  iovecs: BigUint64Array<ArrayBuffer>;
  headers: Uint8Array<ArrayBuffer>;
  received?: Promise<number>;
  /** Read on this thread, by {@linkcode receiveDump}, with no buffers of its own. */
  readHere: boolean;
}

/**
 * The dumps of every TCP and UDP socket, their requests sent from the blocking pool, their replies
 * gathered there too or, for a dump of a few sockets, read on this thread.
 */
export class BackgroundDump {
  #libc: Libc;
  #pending: Pending[];
  #receiving: Promise<void> | null = null;
  #failure: SockDiagUnavailableError | null = null;

  private constructor(libc: Libc, pending: Pending[]) {
    this.#libc = libc;
    this.#pending = pending;
  }

  /**
   * Sends each dump's request from a pool thread, with room for `counts` sockets in each (see
   * {@linkcode expectedCounts}). Throws {@linkcode SockDiagUnavailableError} when the sockets
   * cannot be opened.
   */
  static start(libc: Libc, counts = expectedCounts()): BackgroundDump {
    const requests: BackgroundRequest[] = [];
    try {
      for (const [index, dump] of DUMPS.entries()) {
        requests.push({ dump, fd: openSockDiagSocket(libc), expected: counts?.[index] ?? 0 });
      }
    } catch (error) {
      for (const { fd } of requests) libc.close(fd);
      throw error;
    }
    return BackgroundDump.of(libc, requests, COUNT_SLACK);
  }

  /**
   * Sends each of `requests` through its own socket from a pool thread, with room for its
   * `expected` sockets and `slack` more when its replies are to be gathered on the pool (none
   * when it is read on this thread). The dump owns the sockets from then on: {@linkcode close}
   * closes them.
   */
  static of(libc: Libc, requests: readonly BackgroundRequest[], slack: number): BackgroundDump {
    const pending: Pending[] = [];
    for (const { dump, fd, expected } of requests) {
      const request = dump.request(1);
      const readHere = expected <= READ_HERE_MAX;
      const slots = readHere
        ? 0
        : Math.min(MAX_SLOTS, Math.ceil((expected + slack) * REPLY_BYTES / SLOT_BYTES) + 1);
      pending.push({
        dump,
        fd,
        request,
        sent: libc.sendto_async(fd, request, BigInt(request.length), 0, KERNEL_ADDRESS, 12),
        slots,
        replies: new Uint8Array(slots * SLOT_BYTES),
        iovecs: new BigUint64Array(slots * 2),
        headers: new Uint8Array(slots * MMSGHDR_BYTES),
        readHere,
      });
    }
    return new BackgroundDump(libc, pending);
  }

  /**
   * Waits for the requests to have gone out (the kernel's walk of its tables), then has pool
   * threads gather the replies of the dumps not read on this thread. A request that could not be
   * sent is reported by {@linkcode forEachSocket}.
   */
  receive(): Promise<void> {
    this.#receiving ??= this.#receiveOnce();
    return this.#receiving;
  }

  async #receiveOnce(): Promise<void> {
    const sent = await Promise.all(this.#pending.map(({ sent }) => sent));
    if (this.#pending.some((pending, i) => Number(sent[i]) !== pending.request.length)) {
      this.#failure = new SockDiagUnavailableError("cannot send a sock_diag request");
      return;
    }
    for (const pending of this.#pending) {
      if (pending.readHere) continue;
      const { slots, replies, iovecs, headers } = pending;
      const base = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(replies)));
      const iovecBase = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(iovecs)));
      const view = new DataView(headers.buffer);
      for (let i = 0; i < slots; i++) {
        iovecs[2 * i] = base + BigInt(i * SLOT_BYTES);
        iovecs[2 * i + 1] = BigInt(SLOT_BYTES);
        view.setBigUint64(
          i * MMSGHDR_BYTES + MSG_IOV,
          iovecBase + BigInt(i * IOVEC_BYTES),
          HOST_LITTLE_ENDIAN,
        );
        view.setBigUint64(i * MMSGHDR_BYTES + MSG_IOVLEN, 1n, HOST_LITTLE_ENDIAN);
      }
      pending.received = this.#libc.recvmmsg_async(
        pending.fd,
        headers,
        slots,
        MSG_WAITFORONE,
        null,
      );
    }
  }

  /**
   * Waits for the replies and reads them, handing each socket to `visit` with the protocol its
   * dump was for, in one object read into again for the next (see visitDumpReplies): every
   * socket its dumps list. Throws {@linkcode SockDiagUnavailableError} when a request
   * or a receive failed, and what the parser throws for a reply it cannot read
   * (NetlinkKernelError for a request the kernel refused), possibly after visiting some sockets.
   */
  async forEachSocket(
    interfaceName: InterfaceNamer,
    visit: (protocol: DumpRequest["protocol"], socket: DiagSocket) => void,
  ): Promise<void> {
    await this.receive();
    if (this.#failure) throw this.#failure;
    // Every receive is waited for, failed or not, so that none is left running.
    const counts = await Promise.all(this.#pending.map(({ received }) => received ?? 0));
    if (counts.some((count) => count < 0)) {
      throw new SockDiagUnavailableError("cannot read sock_diag replies");
    }
    const texts = new AddressTexts();
    this.#pending.forEach((pending, i) => {
      const protocol = pending.dump.protocol;
      const take = (socket: DiagSocket) => visit(protocol, socket);
      const view = new DataView(pending.headers.buffer);
      let complete = false;
      for (let message = 0; message < counts[i] && !complete; message++) {
        const length = view.getUint32(message * MMSGHDR_BYTES + MSG_LEN, HOST_LITTLE_ENDIAN);
        const start = message * SLOT_BYTES;
        const replies = pending.replies.subarray(start, start + length);
        complete = visitDumpReplies(replies, length, take, interfaceName, texts);
      }
      if (!complete) {
        // Read here from the start, or more replies than slots: the rest is read here.
        const buffer = pending.readHere
          ? readHereBuffer()
          : pending.replies.subarray(0, 2 * SLOT_BYTES);
        receiveDump(this.#libc, pending.fd, buffer, take, interfaceName, texts);
      }
      pending.replies.buffer.transfer(0); // frees the memory now (see the module's doc)
    });
  }

  /** Closes the sockets; call it once {@linkcode forEachSocket} has settled. */
  close(): void {
    for (const { fd } of this.#pending) this.#libc.close(fd);
    this.#pending = [];
  }

  /**
   * Closes the sockets once every call on the pool has returned, whether or not the replies
   * were read: a call still running may write into buffers only it holds a pointer to, and
   * through a socket a close would hand to the next file opened.
   */
  async closeWhenSettled(): Promise<void> {
    const pending = this.#pending;
    await Promise.allSettled(pending.map(({ sent }) => sent));
    if (this.#receiving) await this.#receiving;
    await Promise.allSettled(pending.map(({ received }) => received ?? 0));
    this.close();
  }
}

let hereBuffer: Uint8Array<ArrayBuffer> | null = null;

/**
 * The one buffer every dump read on this thread is read through, one after another: 64 KiB kept
 * for the process's life, unlike the pool's buffers, which are given back as soon as they are read
 * (those are megabytes on a busy host).
 */
function readHereBuffer(): Uint8Array<ArrayBuffer> {
  hereBuffer ??= new Uint8Array(2 * SLOT_BYTES);
  return hereBuffer;
}

/**
 * The sockets each of the {@linkcode DUMPS} will list, by /proc/net/sockstat and sockstat6: all
 * TCP sockets (`alloc`, both families) and those in TIME_WAIT (`tw`), then UDP's `inuse` for
 * each family. Null where the files cannot be read; the dumps are then read on this thread.
 */
export function expectedCounts(root = "/proc/net"): [number, number, number] | null {
  try {
    const field = (text: string, line: string, name: string) => sockstatCount(text, line, name, 0);
    const v4 = Deno.readTextFileSync(`${root}/sockstat`);
    const v6 = Deno.readTextFileSync(`${root}/sockstat6`);
    return [
      field(v4, "TCP", "alloc") + field(v4, "TCP", "tw"),
      field(v4, "UDP", "inuse"),
      field(v6, "UDP6", "inuse"),
    ];
  } catch {
    return null;
  }
}

/**
 * One count of a sockstat file: `name`'s value on its `line` (`TCP: inuse 12 orphan 0 tw 3`);
 * `missing` when the file has no such count.
 */
export function sockstatCount(text: string, line: string, name: string, missing: number): number {
  const match = new RegExp(`^${line}:.* ${name} (\\d+)`, "m").exec(text);
  return match ? Number(match[1]) : missing;
}
