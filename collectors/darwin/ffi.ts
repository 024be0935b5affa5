/**
 * The macOS libraries the macOS collector calls: libproc's process and file descriptor queries
 * and the user database, all in libSystem.
 *
 * @module
 */

import { CollectorUnavailableError } from "../collector.ts";

/** libSystem.B.dylib: libproc and getpwuid_r. */
export const LIBSYSTEM_SYMBOLS = {
  /** int proc_listpids(uint32_t type, uint32_t typeinfo, void *buffer, int buffersize) */
  proc_listpids: { parameters: ["u32", "u32", "buffer", "i32"], result: "i32" },
  /** int proc_pidinfo(int pid, int flavor, uint64_t arg, void *buffer, int buffersize) */
  proc_pidinfo: { parameters: ["i32", "i32", "u64", "buffer", "i32"], result: "i32" },
  /** int proc_pidfdinfo(int pid, int fd, int flavor, void *buffer, int buffersize) */
  proc_pidfdinfo: { parameters: ["i32", "i32", "i32", "buffer", "i32"], result: "i32" },
  /** int proc_pidpath(int pid, void *buffer, uint32_t buffersize) */
  proc_pidpath: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** int proc_name(int pid, void *buffer, uint32_t buffersize) */
  proc_name: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen, struct passwd **result) */
  getpwuid_r: { parameters: ["u32", "buffer", "buffer", "usize", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** The loaded symbols. */
export type LibSystem = Deno.DynamicLibrary<typeof LIBSYSTEM_SYMBOLS>["symbols"];

/** libSystem could not be loaded. */
export class LibSystemUnavailableError extends CollectorUnavailableError {
  override name = "LibSystemUnavailableError";
}

let libSystem: LibSystem | undefined;

/** libSystem's symbols, loaded on first use. */
export function loadLibSystem(): LibSystem {
  if (libSystem) return libSystem;
  try {
    libSystem = Deno.dlopen("/usr/lib/libSystem.B.dylib", LIBSYSTEM_SYMBOLS).symbols;
    return libSystem;
  } catch (error) {
    throw new LibSystemUnavailableError(`cannot load libSystem: ${(error as Error).message}`);
  }
}
