/**
 * The libc socket calls the tests and the benchmark's socket farms make to open real sockets
 * with options Deno's networking does not offer (SO_REUSEPORT groups, IPV6_V6ONLY, connected UDP,
 * SO_LINGER). One symbol table for both; the program's own libc table is collectors/linux/ffi.ts.
 *
 * @module
 */

/** libc's socket calls. */
export const libc = Deno.dlopen(
  "libc.so.6",
  {
    /** int socket(int domain, int type, int protocol) */
    socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
    /** int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen) */
    setsockopt: { parameters: ["i32", "i32", "i32", "buffer", "u32"], result: "i32" },
    /** int bind(int fd, const struct sockaddr *addr, socklen_t addrlen) */
    bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
    /** int listen(int fd, int backlog) */
    listen: { parameters: ["i32", "i32"], result: "i32" },
    /** int connect(int fd, const struct sockaddr *addr, socklen_t addrlen) */
    connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
    /** int accept4(int fd, struct sockaddr *addr, socklen_t *addrlen, int flags) */
    accept4: { parameters: ["i32", "pointer", "pointer", "i32"], result: "i32" },
    /** int getsockname(int fd, struct sockaddr *addr, socklen_t *addrlen) */
    getsockname: { parameters: ["i32", "buffer", "buffer"], result: "i32" },
    /** int close(int fd) */
    close: { parameters: ["i32"], result: "i32" },
    /** int getrlimit(int resource, struct rlimit *rlim) */
    getrlimit: { parameters: ["i32", "buffer"], result: "i32" },
    /** int setrlimit(int resource, const struct rlimit *rlim) */
    setrlimit: { parameters: ["i32", "buffer"], result: "i32" },
    /** int *__errno_location(void) */
    __errno_location: { parameters: [], result: "pointer" },
    /** char *strerror(int errnum) */
    strerror: { parameters: ["i32"], result: "pointer" },
  } as const satisfies Deno.ForeignLibraryInterface,
).symbols;

/** `result`, or an error saying which call failed and why (libc's text for errno). */
export function check(result: number, what: string): number {
  if (result >= 0) return result;
  const location = libc.__errno_location();
  const code = location ? new Deno.UnsafePointerView(location).getInt32() : 0;
  const text = libc.strerror(code);
  const reason = text ? Deno.UnsafePointerView.getCString(text) : `errno ${code}`;
  throw new Error(`${what} failed: ${reason}`);
}
