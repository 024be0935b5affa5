/**
 * The macOS collector: sockets and their owners through libproc, by FFI.
 *
 * @module
 */

import { collectOnceWith, type CollectOptions, type Collector } from "../collector.ts";
import type { Snapshot } from "../../model/endpoint.ts";
import { DarwinCollector } from "./collector.ts";

export { DarwinCollector } from "./collector.ts";

/** A macOS collector, for collectors/platform.ts. */
export function createCollector(): Collector {
  return new DarwinCollector();
}

/** One snapshot, for collectors/platform.ts. */
export function collectOnce(options: CollectOptions): Promise<Snapshot> {
  return collectOnceWith(createCollector, options);
}
