/**
 * The libc symbols the Linux collector and the probes call, and the one place that loads libc.
 *
 * @module
 */

import { CollectorUnavailableError } from "../collector.ts";

/**
 * What the /proc fd scan calls, and all that a helper thread scanning fds loads: Deno compiles a
 * call stub for every symbol a table names when it is loaded (about 0.15 ms each), so each user
 * loads the table it calls and no more.
 */
export const FD_SCAN_SYMBOLS = {
  /** ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t bufsiz) */
  readlinkat: { parameters: ["i32", "buffer", "buffer", "usize"], result: "isize" },
  /** int open(const char *path, int flags, mode_t mode) */
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  /** long syscall(long number, ...): used for getdents64(int fd, void *dirp, size_t count) */
  syscall: { parameters: ["i64", "i32", "buffer", "usize"], result: "i64" },
  /** int close(int fd) */
  close: { parameters: ["i32"], result: "i32" },
  /** int *__errno_location(void) */
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** libc functions used by the Linux collector: the fd scan's, sock_diag's, names'. */
export const LIBC_SYMBOLS = {
  ...FD_SCAN_SYMBOLS,
  /** int socket(int domain, int type, int protocol) */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int bind(int fd, const struct sockaddr *addr, socklen_t addrlen) */
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *addr, socklen_t addrlen) */
  sendto: { parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"], result: "isize" },
  /** ssize_t recv(int fd, void *buf, size_t len, int flags) */
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /**
   * sendto again, on a thread of Deno's blocking pool (nonblocking): a sock_diag request makes
   * the kernel walk its socket tables before the call returns, which a one-shot snapshot lets
   * happen while this thread scans /proc (sock_diag_background.ts).
   */
  sendto_async: {
    name: "sendto",
    parameters: ["i32", "buffer", "usize", "i32", "buffer", "u32"],
    result: "isize",
    nonblocking: true,
  },
  /**
   * int recvmmsg(int fd, struct mmsghdr *msgvec, unsigned int vlen, int flags, struct timespec
   * *timeout), on a thread of Deno's blocking pool: one call gathers a whole sock_diag dump.
   */
  recvmmsg_async: {
    name: "recvmmsg",
    parameters: ["i32", "buffer", "u32", "i32", "pointer"],
    result: "i32",
    nonblocking: true,
  },
  /** int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen) */
  setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
  /** int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen, struct passwd **result) */
  getpwuid_r: { parameters: ["u32", "buffer", "buffer", "usize", "buffer"], result: "i32" },
  /** char *if_indextoname(unsigned int ifindex, char *ifname) */
  if_indextoname: { parameters: ["u32", "buffer"], result: "pointer" },
  /** uid_t geteuid(void) */
  geteuid: { parameters: [], result: "u32" },
  /** long sysconf(int name) */
  sysconf: { parameters: ["i32"], result: "i64" },
  /** char *strerror(int errnum) */
  strerror: { parameters: ["i32"], result: "pointer" },
  /**
   * int setns(int fd, int nstype): moves the calling thread into another network namespace and
   * back, to open a sock_diag socket there (netns_sock_diag.ts).
   */
  setns: { parameters: ["i32", "i32"], result: "i32" },
  /**
   * int ioctl(int fd, unsigned long request, struct ifreq *ifr): SIOCGIFNAME on a socket made in
   * another network namespace names an interface index of that namespace (names.ts).
   */
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** libc functions used by the remote TCP and UDP probes. */
export const PROBE_SYMBOLS = {
  /** int socket(int domain, int type, int protocol) */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int bind(int fd, const struct sockaddr *addr, socklen_t addrlen) */
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
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
  /** int *__errno_location(void) */
  __errno_location: { parameters: [], result: "pointer" },
  /** char *strerror(int errnum) */
  strerror: { parameters: ["i32"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** True on little-endian hosts: how the kernel lays out its numbers in netlink and getdents. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The collector's libc symbols. */
export type Libc = Deno.DynamicLibrary<typeof LIBC_SYMBOLS>["symbols"];

/** The fd scan's libc symbols. */
export type FdScanLibc = Deno.DynamicLibrary<typeof FD_SCAN_SYMBOLS>["symbols"];

/** The probes' libc symbols. */
export type ProbeLibc = Deno.DynamicLibrary<typeof PROBE_SYMBOLS>["symbols"];

/** libc's file names, glibc first, then musl's. */
const LIBC_NAMES = ["libc.so.6", "libc.so", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"];

/** Raised when libc cannot be opened (no FFI permission, or an unusual system). */
export class LibcUnavailableError extends CollectorUnavailableError {
  override name = "LibcUnavailableError";
}

/** Each symbol table's loaded symbols, by table: each table is loaded once per thread. */
const loaded = new Map<Deno.ForeignLibraryInterface, unknown>();

/** libc with `symbols`, loading it on first use. */
function openLibc<S extends Deno.ForeignLibraryInterface>(
  symbols: S,
): Deno.DynamicLibrary<S>["symbols"] {
  const known = loaded.get(symbols);
  if (known) return known as Deno.DynamicLibrary<S>["symbols"];
  const failures: string[] = [];
  for (const name of LIBC_NAMES) {
    try {
      const library = Deno.dlopen(name, symbols).symbols;
      loaded.set(symbols, library);
      return library;
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

/** The collector's libc symbols, loading libc on first use. */
export function loadLibc(): Libc {
  return openLibc(LIBC_SYMBOLS);
}

/** The fd scan's libc symbols alone, for a thread that does nothing else. */
export function loadFdScanLibc(): FdScanLibc {
  return openLibc(FD_SCAN_SYMBOLS);
}

/** The probes' libc symbols, loading libc on first use. */
export function loadProbeLibc(): ProbeLibc {
  return openLibc(PROBE_SYMBOLS);
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
export function errnoCell(symbols: Pick<FdScanLibc, "__errno_location">): Int32Array {
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
export function errno(symbols: Pick<FdScanLibc, "__errno_location">): number {
  return errnoCell(symbols)[0];
}

/** libc's text for an errno value, e.g. `Permission denied`. */
export function errnoText(symbols: Pick<Libc, "strerror">, code: number): string {
  const text = symbols.strerror(code);
  return text ? Deno.UnsafePointerView.getCString(text) : `errno ${code}`;
}

/** A NUL-terminated copy of `text` for passing as `const char *`. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length * 3 + 1);
  const { written } = new TextEncoder().encodeInto(text, bytes);
  return bytes.subarray(0, written + 1);
}
