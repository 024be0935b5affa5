/**
 * Picks the collector for the running OS.
 *
 * @module
 */

import { type Collector, CollectorUnavailableError } from "./collector.ts";
import { LinuxCollector } from "./linux/mod.ts";

export type { CollectOptions, Collector } from "./collector.ts";
export { CollectorUnavailableError } from "./collector.ts";

/** The collector for this OS. Throws {@linkcode CollectorUnavailableError} where there is none. */
export function createCollector(): Collector {
  switch (Deno.build.os) {
    case "linux":
      return new LinuxCollector();
    default:
      throw new CollectorUnavailableError(
        `portset has no collector for ${Deno.build.os} in this build`,
      );
  }
}

/**
 * Whether names (processes, paths, users) compare case-sensitively on this OS, for rules that say
 * `casesensitive="platform"`: everywhere but Windows.
 */
export const PLATFORM_CASE_SENSITIVE: boolean = Deno.build.os !== "windows";
