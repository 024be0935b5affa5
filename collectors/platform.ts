/**
 * The collector of the running OS, loaded when it is asked for: a command on Linux loads neither
 * the Windows nor the macOS code, nor any service manager or prober.
 *
 * @module
 */

import type { Snapshot } from "../model/endpoint.ts";
import {
  type CollectOptions,
  type Collector,
  CollectorUnavailableError,
  type PlatformCollectors,
} from "./collector.ts";

/** The running OS's collector folder. */
function platform(): Promise<PlatformCollectors> {
  switch (Deno.build.os) {
    case "linux":
      return import("./linux/mod.ts");
    case "windows":
      return import("./windows/mod.ts");
    case "darwin":
      return import("./darwin/mod.ts");
    default:
      return Promise.reject(
        new CollectorUnavailableError(
          `portset has no collector for ${Deno.build.os} in this build`,
        ),
      );
  }
}

/** The collector for this OS. Rejects with {@linkcode CollectorUnavailableError} where there is none. */
export async function createCollector(): Promise<Collector> {
  return await (await platform()).createCollector();
}

/**
 * One snapshot of this OS's sockets, for a command that looks once and exits; the watch modes and
 * the monitor use {@linkcode createCollector}. Rejects with {@linkcode CollectorUnavailableError}
 * where there is no collector.
 */
export async function collectOnce(options: CollectOptions = {}): Promise<Snapshot> {
  return (await platform()).collectOnce(options);
}

/**
 * Whether names (processes, paths, users) compare case-sensitively on this OS, for rules that say
 * `casesensitive="platform"`: everywhere but Windows.
 */
export const PLATFORM_CASE_SENSITIVE: boolean = Deno.build.os !== "windows";

/** The OS as reports name it: `linux 6.18.44 (x86_64)`. */
export function describeOperatingSystem(): string {
  return `${Deno.build.os} ${Deno.osRelease()} (${Deno.build.arch})`;
}
