/**
 * Picks the collector for the running OS.
 *
 * @module
 */

import { type Collector, CollectorUnavailableError } from "./collector.ts";
import { LaunchdServiceManager } from "./darwin/launchd_service.ts";
import { DarwinCollector } from "./darwin/mod.ts";
import { LinuxCollector } from "./linux/mod.ts";
import { WindowsCollector } from "./windows/mod.ts";
import { ScmServiceManager } from "./windows/scm_service.ts";
import { runAsWindowsService } from "./windows/service_dispatcher.ts";
import { SystemdServiceManager } from "./linux/systemd_service.ts";
import { type ServiceManager, ServiceUnavailableError } from "./service.ts";

export type { CollectOptions, Collector } from "./collector.ts";
export { CollectorUnavailableError } from "./collector.ts";
export * from "./service.ts";
export * from "./probe.ts";
export * from "./probers.ts";

/** The collector for this OS. Throws {@linkcode CollectorUnavailableError} where there is none. */
export function createCollector(): Collector {
  switch (Deno.build.os) {
    case "linux":
      return new LinuxCollector();
    case "windows":
      return new WindowsCollector();
    case "darwin":
      return new DarwinCollector();
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

/** The service manager of this OS, with its files under `root` (`/`, or a staging directory). */
export function createServiceManager(root = "/"): ServiceManager {
  switch (Deno.build.os) {
    case "linux":
      return new SystemdServiceManager(root);
    case "darwin":
      return new LaunchdServiceManager(root);
    case "windows":
      if (root !== "/") {
        throw new ServiceUnavailableError("--root stages files; a Windows service has none");
      }
      return new ScmServiceManager();
    default:
      throw new ServiceUnavailableError(
        `installing the service on ${Deno.build.os} is not available in this build`,
      );
  }
}

/** The OS as reports name it: `linux 6.18.44 (x86_64)`. */
export function describeOperatingSystem(): string {
  return `${Deno.build.os} ${Deno.osRelease()} (${Deno.build.arch})`;
}

/**
 * Runs `body` as the installed service under an OS that asks services to speak its protocol
 * (Windows' Service Control Manager); `body` stops when the OS says so. systemd and launchd run
 * ordinary programs: there this is refused.
 */
export function runAsService(
  name: string,
  body: (stop: AbortSignal) => Promise<number>,
): Promise<number> {
  if (Deno.build.os === "windows") return runAsWindowsService(name, body);
  throw new ServiceUnavailableError(
    `--windows-service is for the Windows service; on ${Deno.build.os} the service manager runs portset monitor as it is`,
  );
}
