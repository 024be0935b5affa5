/**
 * The Windows collector: iphlpapi's TCP/UDP tables, process images, users and modules, and the
 * Service Control Manager's services, by FFI.
 *
 * @module
 */

import { collectOnceWith, type CollectOptions, type Collector } from "../collector.ts";
import type { Snapshot } from "../../model/endpoint.ts";
import { WindowsCollector } from "./collector.ts";

export { WindowsCollector } from "./collector.ts";

/** A Windows collector, for collectors/platform.ts. */
export function createCollector(): Collector {
  return new WindowsCollector();
}

/** One snapshot, for collectors/platform.ts. */
export function collectOnce(options: CollectOptions): Promise<Snapshot> {
  return collectOnceWith(createCollector, options);
}
