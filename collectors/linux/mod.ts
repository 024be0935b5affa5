/**
 * The Linux collector: sockets from netlink sock_diag (or /proc/net when netlink is unavailable),
 * owners from the fd tables in /proc, names from libc.
 *
 * @module
 */

import type { Snapshot } from "../../model/endpoint.ts";
import { collectOnceWith, type CollectOptions, type Collector } from "../collector.ts";
import { LinuxCollector } from "./collector.ts";

export { LinuxCollector, type LinuxCollectorOptions, type SocketDumper } from "./collector.ts";

/** A Linux collector, for collectors/platform.ts. */
export function createCollector(): Collector {
  return new LinuxCollector();
}

/** One snapshot, for collectors/platform.ts. */
export function collectOnce(options: CollectOptions): Promise<Snapshot> {
  return collectOnceWith(createCollector, options);
}
