/**
 * Directory listing by `getdents64` through libc's `syscall`, for the /proc walks: entry names
 * stay bytes in one reused buffer, where `Deno.readDirSync` would build an object and a string
 * per entry (16,000 of them on a busy host, the bulk of the owner scan's JavaScript time).
 *
 * @module
 */

import { errno, type FdScanLibc, HOST_LITTLE_ENDIAN } from "./ffi.ts";

const SYS_GETDENTS64 = Deno.build.arch === "aarch64" ? 61n : 217n;
const O_RDONLY = 0;
const O_CLOEXEC = 0o2000000;

/**
 * Called for each entry other than `.` and `..`; the name is `nameLength` bytes of `buffer` from
 * `nameStart`. `directoryFd` is the open directory, for `*at()` calls relative to it.
 */
export type EntryVisitor = (
  buffer: Uint8Array,
  nameStart: number,
  nameLength: number,
  directoryFd: number,
) => void;

/** Lists directories with one reused 64 KiB buffer. */
export class DirectoryReader {
  #libc: FdScanLibc;
  #buffer = new Uint8Array(64 * 1024);
  #view = new DataView(this.#buffer.buffer);

  constructor(libc: FdScanLibc) {
    this.#libc = libc;
  }

  /**
   * Visits each entry of the directory whose NUL-terminated path is `path`. Returns 0, or the
   * errno that stopped the listing (EACCES for another user's /proc/<pid>/fd, ENOENT for a
   * process that has exited).
   */
  list(path: Uint8Array<ArrayBuffer>, visit: EntryVisitor): number {
    const fd = this.#libc.open(path, O_RDONLY | O_CLOEXEC, 0);
    if (fd < 0) return errno(this.#libc);
    try {
      for (;;) {
        const length = Number(
          this.#libc.syscall(SYS_GETDENTS64, fd, this.#buffer, BigInt(this.#buffer.length)),
        );
        if (length === 0) return 0;
        if (length < 0) return errno(this.#libc);
        this.#visitEntries(length, visit, fd);
      }
    } finally {
      this.#libc.close(fd);
    }
  }

  /** Walks `struct linux_dirent64 { u64 ino; s64 off; u16 reclen; u8 type; char name[]; }`. */
  #visitEntries(length: number, visit: EntryVisitor, directoryFd: number): void {
    const buffer = this.#buffer;
    for (let offset = 0; offset < length;) {
      const recordLength = this.#view.getUint16(offset + 16, HOST_LITTLE_ENDIAN);
      const nameStart = offset + 19;
      let nameEnd = nameStart;
      while (buffer[nameEnd] !== 0) nameEnd++;
      const dot = buffer[nameStart] === 46;
      const dotEntry = dot &&
        (nameEnd === nameStart + 1 || (nameEnd === nameStart + 2 && buffer[nameStart + 1] === 46));
      if (!dotEntry) visit(buffer, nameStart, nameEnd - nameStart, directoryFd);
      offset += recordLength;
    }
  }
}
