/**
 * What a collector that looks again and again (the watch modes, the monitor) keeps from its last
 * look at the owners, and when it must look again: a scan of every process's fd table is the
 * costly part of a snapshot, so a look reuses the last scan and the owning processes' records
 * while nothing suggests they are stale.
 *
 * @module
 */

import type { ProcessRecord } from "./endpoint_assembly.ts";
import type { SocketOwnership } from "./proc_owners.ts";
import { parseProcStat, processName, type ProcStat } from "./proc_process.ts";
import type { DiagDump } from "./sock_diag.ts";

/** Snapshots that may reuse owners before a full scan is made anyway (new holders after fork). */
export const FULL_SCAN_EVERY = 30;

/** The last scan of the owners and the owning processes' records, while they may be reused. */
export class OwnerCache {
  #ownership: SocketOwnership | null = null;
  #reuses = 0;
  /** The owning processes of the last snapshot that reused owners. */
  #records = new Map<number, ProcessRecord>();

  /**
   * Who holds which socket for a look at `dumps`: the last scan when `reuse` allows and nothing
   * suggests it is stale (a socket it never saw, an owner gone or running another program, or
   * {@linkcode FULL_SCAN_EVERY} looks since it was made), otherwise `scan()`'s new one. `scanned`
   * says which: names looked up by number are to be forgotten after a new scan.
   */
  ownership(
    dumps: readonly DiagDump[],
    reuse: boolean,
    scan: () => SocketOwnership,
  ): { ownership: SocketOwnership; scanned: boolean } {
    const cached = this.#ownership;
    if (
      reuse && cached !== null && this.#reuses < FULL_SCAN_EVERY &&
      this.#ownersStillAlive() && !hasNewSockets(dumps, cached)
    ) {
      this.#reuses++;
      return { ownership: cached, scanned: false };
    }
    const ownership = scan();
    this.#forgetChangedRecords();
    if (reuse) {
      // Sockets with no visible holder (another user's, the kernel's) are not new next time.
      ownership.markSeen(
        dumps.flatMap(({ sockets }) => sockets.map((socket) => socket.inode)).filter(Boolean),
      );
    }
    this.#ownership = reuse ? ownership : null;
    this.#reuses = 0;
    return { ownership, scanned: true };
  }

  /** The kept record of the process numbered `pid`, if the last snapshot kept one. */
  record(pid: number): ProcessRecord | undefined {
    return this.#records.get(pid);
  }

  /** The first process the last kept scan found holding the socket `inode`. */
  firstHolder(inode: number): number | undefined {
    return this.#ownership?.firstHolder(inode);
  }

  /** Keeps `records` (a snapshot's owning processes) in place of the last ones. */
  keep(records: ReadonlyMap<number, ProcessRecord>): void {
    this.#records = new Map(records);
  }

  /** True when every process the kept records name is still the same running program. */
  #ownersStillAlive(): boolean {
    for (const [pid, record] of this.#records) {
      if (!recordIsCurrent(pid, record, false)) return false;
    }
    return true;
  }

  /**
   * Forgets the kept records of processes that are no longer what they say, so that a full look
   * reads them again: a pid another process now has (its owner exited), or a process that has
   * exec'd another program keeping its sockets (its name or path changed). Kept records are
   * otherwise reused for as long as their process holds a socket, so such an owner would be
   * named as it was for ever.
   */
  #forgetChangedRecords(): void {
    for (const [pid, record] of this.#records) {
      if (!recordIsCurrent(pid, record, true)) this.#records.delete(pid);
    }
  }
}

/**
 * Whether `record` still describes the process numbered `pid`: the same start (not another
 * process given the number) and the same program (an exec changes the name; with `withPath`,
 * the executable's path is read too).
 */
function recordIsCurrent(pid: number, record: ProcessRecord, withPath: boolean): boolean {
  let stat: ProcStat | null = null;
  try {
    stat = parseProcStat(Deno.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return false; // gone
  }
  if (stat === null || stat.startTicks !== record.startTicks) return false;
  if (processName(stat.comm, record.path) !== record.process) return false;
  if (!withPath) return true;
  let path: string | null = null;
  try {
    path = Deno.readLinkSync(`/proc/${pid}/exe`);
  } catch {
    // unreadable, as it was when the record was made if its path is null
  }
  return path === record.path;
}

/** True when a dumped socket has an inode the cached ownership has never seen. */
function hasNewSockets(dumps: readonly DiagDump[], cached: SocketOwnership): boolean {
  for (const { sockets } of dumps) {
    for (const socket of sockets) {
      if (socket.inode !== 0 && !cached.saw(socket.inode)) return true;
    }
  }
  return false;
}
