/**
 * The quiet host's floor: the system calls `portset -local --json` cannot do without, made by a
 * script that imports no module at all. It loads libc with the eight functions it calls, asks
 * sock_diag for every TCP socket (both families, one dump) and every UDP socket (one dump a
 * family), lists /proc and reads the link of every open descriptor of every process, and prints
 * how many sockets and socket descriptors it saw. What a run of it takes beyond an empty
 * `deno run` is what the runtime, libc and the kernel charge for that work; what portset takes
 * beyond this is its own code (loading its modules first of all).
 *
 * Deliberately self-contained (no import): a module here would be part of what it measures.
 *
 * @module
 */

const libc = Deno.dlopen("libc.so.6", {
  /** int socket(int domain, int type, int protocol) */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** ssize_t send(int fd, const void *buf, size_t len, int flags) */
  send: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /** ssize_t recv(int fd, void *buf, size_t len, int flags) */
  recv: { parameters: ["i32", "buffer", "usize", "i32"], result: "isize" },
  /** int connect(int fd, const struct sockaddr *addr, socklen_t addrlen) */
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** int open(const char *path, int flags, mode_t mode) */
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  /** long syscall(long number, ...): getdents64(int fd, void *dirp, size_t count) */
  syscall: { parameters: ["i64", "i32", "buffer", "usize"], result: "i64" },
  /** ssize_t readlinkat(int dirfd, const char *path, char *buf, size_t bufsiz) */
  readlinkat: { parameters: ["i32", "buffer", "buffer", "usize"], result: "isize" },
  /** int close(int fd) */
  close: { parameters: ["i32"], result: "i32" },
}).symbols;

const AF_NETLINK = 16, AF_INET = 2, AF_INET6 = 10, IPPROTO_UDP = 17;
const SOCK_RAW_CLOEXEC = 3 | 0o2000000, NETLINK_SOCK_DIAG = 4;
const NLMSG_DONE = 3, NLMSG_ERROR = 2, NLM_F_REQUEST_DUMP = 0x301;
/** TCPDIAG_GETSOCK (struct inet_diag_req, both families) and SOCK_DIAG_BY_FAMILY (v2). */
const TCPDIAG_GETSOCK = 18, SOCK_DIAG_BY_FAMILY = 20;
const O_RDONLY_DIRECTORY_CLOEXEC = 0o200000 | 0o2000000;
const SYS_GETDENTS64 = 217n;

/** One netlink dump through its own socket: the number of socket replies before NLMSG_DONE. */
function dump(type: number, body: Uint8Array): number {
  const fd = libc.socket(AF_NETLINK, SOCK_RAW_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) throw new Error("cannot open a sock_diag socket");
  const kernel = new Uint8Array(12);
  kernel[0] = AF_NETLINK;
  if (libc.connect(fd, kernel, 12) !== 0) throw new Error("cannot address the kernel");
  const request = new Uint8Array(16 + body.length);
  const header = new DataView(request.buffer);
  header.setUint32(0, request.length, true);
  header.setUint16(4, type, true);
  header.setUint16(6, NLM_F_REQUEST_DUMP, true);
  request.set(body, 16);
  libc.send(fd, request, BigInt(request.length), 0);
  const replies = new Uint8Array(64 * 1024);
  const view = new DataView(replies.buffer);
  let sockets = 0;
  for (;;) {
    const length = Number(libc.recv(fd, replies, BigInt(replies.length), 0));
    if (length <= 0) throw new Error("cannot read the sock_diag replies");
    for (let at = 0; at + 16 <= length;) {
      const messageType = view.getUint16(at + 4, true);
      if (messageType === NLMSG_DONE || messageType === NLMSG_ERROR) {
        libc.close(fd);
        return sockets;
      }
      sockets++;
      at += (view.getUint32(at, true) + 3) & ~3;
    }
  }
}

/** struct inet_diag_req for TCPDIAG_GETSOCK: every state, both families. */
function tcpRequest(): Uint8Array {
  const body = new Uint8Array(60);
  body[0] = AF_INET;
  new DataView(body.buffer).setUint32(52, 0xffffffff, true);
  return body;
}

/** struct inet_diag_req_v2 for UDP sockets of one family, every state. */
function udpRequest(family: number): Uint8Array {
  const body = new Uint8Array(56);
  body[0] = family;
  body[1] = IPPROTO_UDP;
  new DataView(body.buffer).setUint32(4, 0xffffffff, true);
  return body;
}

const names = new Uint8Array(32 * 1024);
const nameView = new DataView(names.buffer);

/** The entries of the directory open as `fd` (d_name of each linux_dirent64), dots left out. */
function entries(fd: number): string[] {
  const found: string[] = [];
  for (;;) {
    const length = Number(libc.syscall(SYS_GETDENTS64, fd, names, BigInt(names.length)));
    if (length <= 0) return found;
    for (let at = 0; at < length;) {
      const end = names.indexOf(0, at + 19);
      const name = String.fromCharCode(...names.subarray(at + 19, end));
      if (name !== "." && name !== "..") found.push(name);
      at += nameView.getUint16(at + 16, true);
    }
  }
}

const encoder = new TextEncoder();
const cString = (text: string) => encoder.encode(text + "\0");
const link = new Uint8Array(256);
const SOCKET_PREFIX = encoder.encode("socket:[");

/** Socket descriptors of every process, one readlinkat per open descriptor. */
function socketDescriptors(): number {
  const proc = libc.open(cString("/proc"), O_RDONLY_DIRECTORY_CLOEXEC, 0);
  const pids = entries(proc).filter((name) => /^\d+$/.test(name));
  libc.close(proc);
  let count = 0;
  for (const pid of pids) {
    const fds = libc.open(cString(`/proc/${pid}/fd`), O_RDONLY_DIRECTORY_CLOEXEC, 0);
    if (fds < 0) continue;
    for (const name of entries(fds)) {
      const length = Number(libc.readlinkat(fds, cString(name), link, BigInt(link.length)));
      if (length > SOCKET_PREFIX.length && SOCKET_PREFIX.every((byte, i) => link[i] === byte)) {
        count++;
      }
    }
    libc.close(fds);
  }
  return count;
}

const sockets = dump(TCPDIAG_GETSOCK, tcpRequest()) +
  dump(SOCK_DIAG_BY_FAMILY, udpRequest(AF_INET)) + dump(SOCK_DIAG_BY_FAMILY, udpRequest(AF_INET6));
console.log(JSON.stringify({ sockets, socketDescriptors: socketDescriptors() }));
