/**
 * The libc symbols the Linux collector calls, and the one place that loads libc.
 *
 * @module
 */

import { CollectorUnavailableError } from "../collector.ts";

/** libc functions used by the Linux collector. */
export const LIBC_SYMBOLS = {
  /** int socket(int domain, int type, int protocol) */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int bind(int fd, const struct sockaddr *addr, socklen_t addrlen) */
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t addrlen) */
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  /** ssize_t recv(int fd, void *buf, size_t len, int flags) */
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /** int connect(int fd, const struct sockaddr *addr, socklen_t addrlen) */
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** ssize_t send(int fd, const void *buf, size_t len, int flags) */
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /**
   * int poll(struct pollfd *fds, nfds_t nfds, int timeout): on a worker thread (nonblocking), so
   * a UDP probe waiting for its answer leaves the event loop free for the others.
   */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  /** int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen) */
  getsockopt: { parameters: ["i32", "i32", "i32", "buffer", "buffer"], result: "i32" },
  /** int getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen) */
  getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
  /**
   * ssize_t recvmsg(int fd, struct msghdr *msg, int flags): the error queue's ICMP reports. Read
   * as an int, the low half of the register the ssize_t comes back in, which holds all of it for
   * the -1 or the few bytes this returns: a range scan calls it for every closed port, and an
   * isize result would be a BigInt each time.
   */
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** int epoll_create1(int flags) */
  epoll_create1: { parameters: ["i32"], result: "i32" },
  /** int epoll_ctl(int epfd, int op, int fd, struct epoll_event *event) */
  epoll_ctl: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  /** int epoll_wait(int epfd, struct epoll_event *events, int maxevents, int timeout): timeout 0 */
  epoll_wait: { parameters: ["i32", "buffer", "i32", "i32"], result: "i32" },
  /**
   * epoll_wait again, on a worker thread (nonblocking): the wait for slow answers leaves the
   * event loop free for the UDP probes running beside it.
   */
  epoll_wait_async: {
    name: "epoll_wait",
    parameters: ["i32", "buffer", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
  /** int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen) */
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  /** int close(int fd) */
  close: { parameters: ["i32"], result: "i32" },
  /** ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t bufsiz) */
  readlinkat: { parameters: ["i32", "buffer", "buffer", "usize"], result: "isize" },
  /** int open(const char *path, int flags, mode_t mode) */
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  /** long syscall(long number, ...): used for getdents64(int fd, void *dirp, size_t count) */
  syscall: { parameters: ["i64", "i32", "buffer", "usize"], result: "i64" },
  /** int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen, struct passwd **result) */
  getpwuid_r: { parameters: ["u32", "buffer", "buffer", "usize", "buffer"], result: "i32" },
  /** char *if_indextoname(unsigned int ifindex, char *ifname) */
  if_indextoname: { parameters: ["u32", "buffer"], result: "pointer" },
  /** uid_t geteuid(void) */
  geteuid: { parameters: [], result: "u32" },
  /** long sysconf(int name) */
  sysconf: { parameters: ["i32"], result: "i64" },
  /** int *__errno_location(void) */
  __errno_location: { parameters: [], result: "pointer" },
  /** char *strerror(int errnum) */
  strerror: { parameters: ["i32"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** True on little-endian hosts: how the kernel lays out its numbers in netlink and getdents. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The loaded libc. */
export type Libc = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];

/** libc's file names, glibc first, then musl's. */
const LIBC_NAMES = ["libc.so.6", "libc.so", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"];

/** Raised when libc cannot be opened (no FFI permission, or an unusual system). */
export class LibcUnavailableError extends CollectorUnavailableError {
  override name = "LibcUnavailableError";
}

let libc: Libc | undefined;

/** libc's symbols, loading the library on first use. */
export function loadLibc(): Libc {
  if (libc) return libc;
  const failures: string[] = [];
  for (const name of LIBC_NAMES) {
    try {
      libc = Deno.dlopen(name, LIBC_SYMBOLS).symbols;
      return libc;
    } catch (error) {
      if (
        error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ) {
        throw new LibcUnavailableError(
          "cannot load libc: FFI is not permitted (run with --allow-ffi)",
        );
      }
      failures.push(`${name}: ${(error as Error).message}`);
    }
  }
  throw new LibcUnavailableError(`cannot load libc (${failures.join("; ")})`);
}

let errnoAlias: Int32Array | null = null;

/**
 * The JavaScript thread's errno, as a one-element array that aliases the C variable itself.
 * Synchronous calls all run on this one thread, so its location never changes.
 *
 * Read `[0]` straight after the call that failed, with no function call in between: entering a
 * JavaScript function is where V8 may collect garbage or compile, and the system calls that makes
 * overwrite errno (seen: a refused connect read as ENOENT). An element load runs nothing else.
 */
export function errnoCell(symbols: Libc): Int32Array {
  if (!errnoAlias) {
    const location = symbols.__errno_location();
    if (!location) throw new LibcUnavailableError("libc gave no errno location");
    errnoAlias = new Int32Array(Deno.UnsafePointerView.getArrayBuffer(location, 4));
  }
  return errnoAlias;
}

/**
 * errno as the last synchronous libc call left it, for error messages; where the value decides
 * what happens next, read {@linkcode errnoCell} at the call instead.
 */
export function errno(symbols: Libc): number {
  return errnoCell(symbols)[0];
}

/** libc's text for an errno value, e.g. `Permission denied`. */
export function errnoText(symbols: Libc, code: number): string {
  const text = symbols.strerror(code);
  return text ? Deno.UnsafePointerView.getCString(text) : `errno ${code}`;
}

/** A NUL-terminated copy of `text` for passing as `const char *`. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length * 3 + 1);
  const { written } = new TextEncoder().encodeInto(text, bytes);
  return bytes.subarray(0, written + 1);
}
