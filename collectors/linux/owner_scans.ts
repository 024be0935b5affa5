/**
 * Which way a look finds the sockets' owners: the kernel's fd iterator (bpf_owners.ts) where it
 * can load and pays for its loading, otherwise the /proc fd tables (proc_owners.ts). Both give the
 * same {@linkcode SocketOwnership}: the tests hold one against the other, and both against `ss`.
 *
 * @module
 */

import { CollectorUnavailableError } from "../collector.ts";
import type { BpfOwnerScan } from "./bpf_owners.ts";
import type { Libc } from "./ffi.ts";
import type { SocketOwnership } from "./proc_owners.ts";

/**
 * `bpf`: the iterator (a warning when it cannot load, and /proc); `proc`: the fd tables; `auto`:
 * the iterator as root on a host with at least {@linkcode BUSY_FILES} open files.
 */
export type OwnerScanChoice = "auto" | "bpf" | "proc";

/** The environment variable that chooses, when the caller does not. */
export const OWNER_SCAN_VARIABLE = "PORTSET_OWNER_SCAN";

/**
 * Open files on the host (the first count of /proc/sys/fs/file-nr) from which `auto` loads the
 * iterator: loading it costs about 3 ms, and the /proc scan reads about 350 files a millisecond.
 */
export const BUSY_FILES = 2000;

/**
 * The inode of the initial pid namespace (PROC_PID_INIT_INO): the iterator reports pids as that
 * namespace numbers them, which are /proc's only when portset runs there.
 */
const INIT_PID_NAMESPACE = "pid:[4026531836]";

/** The choice for a collector's looks, and the iterator once loaded. */
export class OwnerScans {
  #libc: Libc;
  #choice: OwnerScanChoice;
  /** Undefined until loaded; null once it could not be (then /proc, for good). */
  #iterator: BpfOwnerScan | null | undefined = undefined;
  /**
   * The iterator's code, imported by the first look that may use it: a run on a quiet host, or
   * with `proc`, loads none of it (three modules, 0.7 ms of every start).
   */
  #module: typeof import("./bpf_owners.ts") | null = null;
  #loading: Promise<void> | null = null;
  /** Why the iterator's code could not be imported, to be said by the next look. */
  #importFailure: unknown = null;

  constructor(libc: Libc, choice: OwnerScanChoice | undefined = choiceFromEnvironment()) {
    this.#libc = libc;
    this.#choice = choice;
  }

  /**
   * Imports the iterator's code when a look may use it (`bpf`, or `auto` as root on a busy host):
   * a look made once waits for it; a repeated look that finds it missing starts it and reads
   * /proc meanwhile.
   */
  load(): Promise<void> {
    if (this.#module || this.#iterator === null || this.#choice === "proc") {
      return Promise.resolve();
    }
    if (this.#choice === "auto" && !this.#worthLoading()) return Promise.resolve();
    return this.#loading ??= import("./bpf_owners.ts").then(
      (module) => {
        this.#module = module;
      },
      (error) => {
        this.#importFailure = error;
      },
    );
  }

  /**
   * True when this look's owners will come from the iterator, which is loaded now if it is the
   * first such look and its code is in ({@linkcode load}). `warnings` hears why not when `bpf`
   * was asked for.
   */
  prepare(warnings: string[]): boolean {
    if (this.#iterator) return true;
    if (this.#iterator === null || this.#choice === "proc") return false;
    if (this.#importFailure !== null) {
      this.#giveUp(this.#importFailure, warnings);
      return false;
    }
    if (!this.#module) {
      this.load().catch(() => {}); // for the next look
      return false;
    }
    try {
      const namespace = Deno.readLinkSync("/proc/self/ns/pid");
      if (namespace !== INIT_PID_NAMESPACE) {
        throw new Error("portset runs in a pid namespace of its own");
      }
      this.#iterator = this.#module.BpfOwnerScan.open(this.#libc);
    } catch (error) {
      this.#giveUp(error, warnings);
    }
    return this.#iterator !== null;
  }

  /** Every socket's holders from the iterator; null when this look reads /proc instead. */
  scan(warnings: string[]): SocketOwnership | null {
    if (!this.prepare(warnings)) return null;
    try {
      return this.#iterator!.scan();
    } catch (error) {
      this.#giveUp(error, warnings);
      return null;
    }
  }

  close(): void {
    this.#iterator?.close();
    this.#iterator = null;
  }

  #giveUp(error: unknown, warnings: string[]): void {
    this.#iterator?.close();
    this.#iterator = null;
    if (this.#choice === "bpf") {
      warnings.push(
        `${OWNER_SCAN_VARIABLE}=bpf: the kernel's fd iterator is unavailable ` +
          `(${(error as Error).message}); the owners come from /proc`,
      );
    }
  }

  /** Root, on a host with enough open files for the iterator to be the quicker. */
  #worthLoading(): boolean {
    if (this.#libc.geteuid() !== 0) return false;
    try {
      const open = parseInt(Deno.readTextFileSync("/proc/sys/fs/file-nr"), 10);
      return open >= BUSY_FILES;
    } catch {
      return false;
    }
  }
}

/** The choice `PORTSET_OWNER_SCAN` makes: `auto` when it is unset or cannot be read. */
function choiceFromEnvironment(): OwnerScanChoice {
  let value: string | undefined;
  try {
    value = Deno.env.get(OWNER_SCAN_VARIABLE);
  } catch {
    return "auto"; // no --allow-env: the default
  }
  if (value === undefined || value === "") return "auto";
  if (value === "auto" || value === "bpf" || value === "proc") return value;
  throw new CollectorUnavailableError(
    `${OWNER_SCAN_VARIABLE} must be auto, bpf or proc, not ${JSON.stringify(value)}`,
  );
}
