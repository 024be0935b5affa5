/**
 * The service manager of the running OS, loaded when it is asked for (`portset service`, and the
 * monitor run as a Windows service), so that no other command loads one.
 *
 * @module
 */

import { type ServiceManager, ServiceUnavailableError } from "./service.ts";

/** The service manager of this OS, with its files under `root` (`/`, or a staging directory). */
export async function createServiceManager(root = "/"): Promise<ServiceManager> {
  switch (Deno.build.os) {
    case "linux":
      return new (await import("./linux/systemd_service.ts")).SystemdServiceManager(root);
    case "darwin":
      return new (await import("./darwin/launchd_service.ts")).LaunchdServiceManager(root);
    case "windows":
      if (root !== "/") {
        throw new ServiceUnavailableError("--root stages files; a Windows service has none");
      }
      return new (await import("./windows/scm_service.ts")).ScmServiceManager();
    default:
      throw new ServiceUnavailableError(
        `installing the service on ${Deno.build.os} is not available in this build`,
      );
  }
}

/**
 * Runs `body` as the installed service under an OS that asks services to speak its protocol
 * (Windows' Service Control Manager); `body` stops when the OS says so. systemd and launchd run
 * ordinary programs: there this is refused.
 */
export async function runAsService(
  name: string,
  body: (stop: AbortSignal) => Promise<number>,
): Promise<number> {
  if (Deno.build.os === "windows") {
    return (await import("./windows/service_dispatcher.ts")).runAsWindowsService(name, body);
  }
  throw new ServiceUnavailableError(
    `--windows-service is for the Windows service; on ${Deno.build.os} the service manager runs portset monitor as it is`,
  );
}
