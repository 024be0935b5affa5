/**
 * The Linux collector: sockets from netlink sock_diag (or /proc/net when netlink is unavailable),
 * owners from the fd tables in /proc, names from libc.
 *
 * @module
 */

import type { Snapshot } from "../../model/endpoint.ts";
import type { CollectOptions, Collector } from "../collector.ts";
import { LinuxCollector } from "./collector.ts";

export { LinuxCollector, type LinuxCollectorOptions, type SocketDumper } from "./collector.ts";

/** A Linux collector for repeated looks, for collectors/platform.ts. */
export function createCollector(): Promise<Collector> {
  return LinuxCollector.open();
}

/** One snapshot, for collectors/platform.ts: the kernel's share of it on a second core. */
export async function collectOnce(options: CollectOptions): Promise<Snapshot> {
  const collector = new LinuxCollector();
  try {
    return await collector.collectOnce(options);
  } finally {
    collector.close();
  }
}
