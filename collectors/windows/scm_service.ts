/**
 * The monitor as a Windows service, through the Service Control Manager: created to start
 * automatically (or by hand, `--start manual`) as LocalSystem (every process's table entries and
 * owners), described, and started if automatic; stopped and deleted on uninstall. Its log directory is
 * Administrators' and SYSTEM's only. The service runs `portset monitor … --windows-service`,
 * which speaks the SCM's protocol (service_dispatcher.ts).
 *
 * @module
 */

import {
  type ServiceManager,
  type ServiceSettings,
  type ServiceStatus,
  type ServiceStep,
  ServiceUnavailableError,
} from "../service.ts";
import {
  ADMINISTRATORS_AND_SYSTEM_ONLY,
  DirectoryAclError,
  setDirectoryAcl,
} from "./directory_acl.ts";
import { loadWin32, wideString, type Win32 } from "./ffi.ts";

export const SERVICE_NAME = "portset";
const DISPLAY_NAME = "portset Port Reporter";
const DESCRIPTION = "Logs TCP/UDP port activity and changes (PR-INITIAL, PR-PORTS, PR-PIDS logs).";

const SC_MANAGER_ALL_ACCESS = 0xf003f, SC_MANAGER_CONNECT = 0x1;
const SERVICE_ALL_ACCESS = 0xf01ff, SERVICE_QUERY_STATUS = 0x4;
const SERVICE_WIN32_OWN_PROCESS = 0x10,
  SERVICE_AUTO_START = 2,
  SERVICE_DEMAND_START = 3,
  SERVICE_ERROR_NORMAL = 1;
const SERVICE_CONFIG_DESCRIPTION = 1;
const SERVICE_CONTROL_STOP = 1;
const SERVICE_STOPPED = 1, SERVICE_RUNNING = 4;
/** HKEY_LOCAL_MACHINE, (HKEY)(LONG)0x80000002 sign-extended to 64 bits. */
const HKEY_LOCAL_MACHINE = Deno.UnsafePointer.create(0xffffffff80000002n);
const SERVICE_KEY = `SYSTEM\\CurrentControlSet\\Services\\${SERVICE_NAME}`;
const REG_MULTI_SZ = 7, RRF_RT_REG_MULTI_SZ = 0x20, ERROR_FILE_NOT_FOUND = 2;
/**
 * What the SCM adds to the service's environment (its key's `Environment` value): Deno's own
 * update check is a DNS query, and the monitor makes no network calls of its own.
 */
export const SERVICE_ENVIRONMENT: readonly string[] = ["DENO_NO_UPDATE_CHECK=1"];
const ERROR_SERVICE_DOES_NOT_EXIST = 1060,
  ERROR_SERVICE_NOT_ACTIVE = 1062,
  ERROR_SERVICE_EXISTS = 1073;

/** A command line argument quoted as Windows' CommandLineToArgvW reads it. */
export function quoteWindowsArgument(argument: string): string {
  if (argument !== "" && !/[\s"]/.test(argument)) return argument;
  return `"${argument.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, "$1$1")}"`;
}

/**
 * The installed service's `Environment` value (`NAME=value` strings), as the SCM will read it;
 * null when there is none.
 */
export function serviceEnvironment(): string[] | null {
  const { advapi32 } = loadWin32();
  const size = new Uint32Array([64 * 1024]);
  const data = new Uint16Array(size[0] / 2);
  const status = advapi32.RegGetValueW(
    HKEY_LOCAL_MACHINE,
    wideString(SERVICE_KEY),
    wideString("Environment"),
    RRF_RT_REG_MULTI_SZ,
    null,
    new Uint8Array(data.buffer),
    new Uint8Array(size.buffer),
  );
  if (status === ERROR_FILE_NOT_FOUND) return null;
  if (status !== 0) {
    throw new ServiceUnavailableError(`cannot read ${SERVICE_KEY} (error ${status})`);
  }
  return String.fromCharCode(...data.subarray(0, size[0] / 2)).split("\0").filter((s) => s !== "");
}

/** The Windows Service Control Manager. */
export class ScmServiceManager implements ServiceManager {
  readonly name = "Service Control Manager";
  readonly definitionPath = `service ${SERVICE_NAME}`;
  readonly defaultLogDirectory = `${
    Deno.env.get("SystemRoot") ?? "C:\\Windows"
  }\\System32\\LogFiles\\PortReporter`;
  readonly startCommand = `sc start ${SERVICE_NAME}`;

  /** LocalSystem reads and writes every local path; nothing of the service's is hidden. */
  unusable(): string | null {
    return null;
  }

  installSteps(settings: ServiceSettings): ServiceStep[] {
    const commandLine = [...settings.program, ...settings.monitorArgs, "--windows-service"]
      .map(quoteWindowsArgument).join(" ");
    const auto = settings.start === "auto";
    const steps: ServiceStep[] = [
      { kind: "directory", path: settings.logDirectory, mode: 0o700 },
      {
        // The directory above usually lets every user read, and create files; the logs are
        // evidence, so only those who run the machine may read or change them (the original's
        // advice for its own logs).
        kind: "call",
        description: `restrict ${settings.logDirectory} to Administrators and SYSTEM ` +
          `(${ADMINISTRATORS_AND_SYSTEM_ONLY})`,
        run: () => {
          try {
            setDirectoryAcl(settings.logDirectory);
          } catch (error) {
            if (error instanceof DirectoryAclError) {
              throw new ServiceUnavailableError(error.message);
            }
            throw error;
          }
        },
      },
      {
        kind: "call",
        description: `create service ${SERVICE_NAME} (${
          auto ? "automatic" : "manual"
        } start, LocalSystem, environment ${SERVICE_ENVIRONMENT.join(" ")}): ${commandLine}`,
        run: () =>
          this.#withManager(SC_MANAGER_ALL_ACCESS, (win32, manager) => {
            const service = win32.advapi32.CreateServiceW(
              manager,
              wideString(SERVICE_NAME),
              wideString(DISPLAY_NAME),
              SERVICE_ALL_ACCESS,
              SERVICE_WIN32_OWN_PROCESS,
              auto ? SERVICE_AUTO_START : SERVICE_DEMAND_START,
              SERVICE_ERROR_NORMAL,
              wideString(commandLine),
              null,
              null,
              null,
              null,
              null,
            );
            if (service === null) {
              const error = win32.kernel32.GetLastError();
              throw new ServiceUnavailableError(
                error === ERROR_SERVICE_EXISTS
                  ? `service ${SERVICE_NAME} exists already: 'portset service uninstall' first`
                  : `cannot create service ${SERVICE_NAME} (error ${error})`,
              );
            }
            // SERVICE_DESCRIPTIONW { LPWSTR lpDescription; }
            const description = wideString(DESCRIPTION);
            const info = new BigUint64Array([
              BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(description))),
            ]);
            win32.advapi32.ChangeServiceConfig2W(
              service,
              SERVICE_CONFIG_DESCRIPTION,
              new Uint8Array(info.buffer),
            );
            win32.advapi32.CloseServiceHandle(service);
            // REG_MULTI_SZ: each string NUL-terminated, and one more NUL at the end.
            const environment = wideString(SERVICE_ENVIRONMENT.join("\0") + "\0");
            const status = win32.advapi32.RegSetKeyValueW(
              HKEY_LOCAL_MACHINE,
              wideString(SERVICE_KEY),
              wideString("Environment"),
              REG_MULTI_SZ,
              environment,
              environment.byteLength,
            );
            if (status !== 0) {
              throw new ServiceUnavailableError(
                `cannot set the environment of service ${SERVICE_NAME} (error ${status}): ` +
                  `'portset service uninstall', then install again`,
              );
            }
          }),
      },
    ];
    if (!auto) return steps;
    steps.push(
      {
        kind: "call",
        description: `start service ${SERVICE_NAME} and wait until it runs`,
        run: () =>
          this.#withService(SERVICE_ALL_ACCESS, async (win32, service) => {
            if (!win32.advapi32.StartServiceW(service, 0, null)) {
              throw new ServiceUnavailableError(
                `cannot start service ${SERVICE_NAME} (error ${win32.kernel32.GetLastError()})`,
              );
            }
            if (await this.#waitFor(service, SERVICE_RUNNING) !== SERVICE_RUNNING) {
              throw new ServiceUnavailableError(
                `service ${SERVICE_NAME} did not reach the running state`,
              );
            }
          }),
      },
    );
    return steps;
  }

  uninstallSteps(): ServiceStep[] {
    return [
      {
        kind: "call",
        description: `stop service ${SERVICE_NAME} and wait until it stops`,
        run: () =>
          this.#withService(SERVICE_ALL_ACCESS, async (win32, service) => {
            const status = new Uint32Array(7);
            if (
              win32.advapi32.ControlService(
                service,
                SERVICE_CONTROL_STOP,
                new Uint8Array(status.buffer),
              )
            ) {
              await this.#waitFor(service, SERVICE_STOPPED);
            } else if (win32.kernel32.GetLastError() !== ERROR_SERVICE_NOT_ACTIVE) {
              throw new ServiceUnavailableError(
                `cannot stop service ${SERVICE_NAME} (error ${win32.kernel32.GetLastError()})`,
              );
            }
          }),
      },
      {
        kind: "call",
        description: `delete service ${SERVICE_NAME}`,
        run: () =>
          this.#withService(SERVICE_ALL_ACCESS, (win32, service) => {
            if (!win32.advapi32.DeleteService(service)) {
              throw new ServiceUnavailableError(
                `cannot delete service ${SERVICE_NAME} (error ${win32.kernel32.GetLastError()})`,
              );
            }
          }),
      },
    ];
  }

  status(): Promise<ServiceStatus> {
    const win32 = loadWin32();
    const manager = win32.advapi32.OpenSCManagerW(null, null, SC_MANAGER_CONNECT);
    if (manager === null) {
      return Promise.resolve({
        installed: false,
        running: null,
        detail: "cannot open the Service Control Manager",
      });
    }
    try {
      const service = win32.advapi32.OpenServiceW(
        manager,
        wideString(SERVICE_NAME),
        SERVICE_QUERY_STATUS,
      );
      if (service === null) {
        const error = win32.kernel32.GetLastError();
        return Promise.resolve({
          installed: false,
          running: false,
          detail: error === ERROR_SERVICE_DOES_NOT_EXIST ? "no such service" : `error ${error}`,
        });
      }
      const status = new Uint32Array(7);
      win32.advapi32.QueryServiceStatus(service, new Uint8Array(status.buffer));
      win32.advapi32.CloseServiceHandle(service);
      return Promise.resolve({
        installed: true,
        running: status[1] === SERVICE_RUNNING,
        detail: `state ${status[1]}`,
      });
    } finally {
      win32.advapi32.CloseServiceHandle(manager);
    }
  }

  async #withManager<T>(
    access: number,
    use: (win32: Win32, manager: Deno.PointerObject) => T | Promise<T>,
  ): Promise<T> {
    const win32 = loadWin32();
    const manager = win32.advapi32.OpenSCManagerW(null, null, access);
    if (manager === null) {
      throw new ServiceUnavailableError(
        `cannot open the Service Control Manager (error ${win32.kernel32.GetLastError()}): run as Administrator`,
      );
    }
    try {
      return await use(win32, manager);
    } finally {
      win32.advapi32.CloseServiceHandle(manager);
    }
  }

  #withService<T>(
    access: number,
    use: (win32: Win32, service: Deno.PointerObject) => T | Promise<T>,
  ): Promise<T> {
    return this.#withManager(SC_MANAGER_CONNECT, async (win32, manager) => {
      const service = win32.advapi32.OpenServiceW(manager, wideString(SERVICE_NAME), access);
      if (service === null) {
        throw new ServiceUnavailableError(
          `cannot open service ${SERVICE_NAME} (error ${win32.kernel32.GetLastError()})`,
        );
      }
      try {
        return await use(win32, service);
      } finally {
        win32.advapi32.CloseServiceHandle(service);
      }
    });
  }

  /** Polls the service's state until `wanted` or 30 seconds; returns the last state. */
  async #waitFor(service: Deno.PointerObject, wanted: number): Promise<number> {
    const win32 = loadWin32();
    const status = new Uint32Array(7);
    const deadline = Date.now() + 30_000;
    for (;;) {
      win32.advapi32.QueryServiceStatus(service, new Uint8Array(status.buffer));
      if (status[1] === wanted || Date.now() > deadline) return status[1];
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
