/**
 * Running under the Windows Service Control Manager: `StartServiceCtrlDispatcherW` on a thread of
 * its own (a nonblocking FFI call), `ServiceMain` and the control handler as thread-safe callbacks,
 * status reports as the SCM expects them. Found out under Wine: the callbacks only hand work to
 * the JavaScript thread, which registers the handler and reports status itself; reporting STOPPED
 * waits until the control handler has returned to the dispatcher.
 *
 * @module
 */

import { ServiceUnavailableError } from "../service.ts";
import { wideString } from "./ffi.ts";

const SERVICE_WIN32_OWN_PROCESS = 0x10;
const SERVICE_STOPPED = 1, SERVICE_STOP_PENDING = 3, SERVICE_RUNNING = 4;
const SERVICE_ACCEPT_STOP = 0x1, SERVICE_ACCEPT_SHUTDOWN = 0x4;
const SERVICE_CONTROL_STOP = 1, SERVICE_CONTROL_SHUTDOWN = 5, SERVICE_CONTROL_INTERROGATE = 4;
const NO_ERROR = 0, ERROR_CALL_NOT_IMPLEMENTED = 120;

const DISPATCHER_SYMBOLS = {
  /** BOOL StartServiceCtrlDispatcherW(const SERVICE_TABLE_ENTRYW *lpServiceStartTable) */
  StartServiceCtrlDispatcherW: { parameters: ["buffer"], result: "i32", nonblocking: true },
  /** SERVICE_STATUS_HANDLE RegisterServiceCtrlHandlerExW(LPCWSTR lpServiceName, LPHANDLER_FUNCTION_EX lpHandlerProc, LPVOID lpContext) */
  RegisterServiceCtrlHandlerExW: {
    parameters: ["buffer", "function", "pointer"],
    result: "pointer",
  },
  /** BOOL SetServiceStatus(SERVICE_STATUS_HANDLE hServiceStatus, LPSERVICE_STATUS lpServiceStatus) */
  SetServiceStatus: { parameters: ["pointer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * Runs `body` as the Windows service `name` until the SCM stops it (or `body` ends); returns
 * `body`'s exit code. Throws when the process was not started by the SCM.
 */
export async function runAsWindowsService(
  name: string,
  body: (stop: AbortSignal) => Promise<number>,
): Promise<number> {
  const advapi32 = Deno.dlopen("advapi32.dll", DISPATCHER_SYMBOLS).symbols;
  const serviceName = wideString(name);
  const stop = new AbortController();
  let statusHandle: Deno.PointerValue = null;
  const report = (state: number, exitCode = 0) => {
    // SERVICE_STATUS: type, current state, controls accepted, exit code, specific, checkpoint, wait hint
    const accepted = state === SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    const status = new Uint32Array([
      SERVICE_WIN32_OWN_PROCESS,
      state,
      accepted,
      exitCode,
      0,
      0,
      state === SERVICE_STOP_PENDING ? 30_000 : 0,
    ]);
    advapi32.SetServiceStatus(statusHandle, new Uint8Array(status.buffer));
  };

  let serviceMainCalled: () => void = () => {};
  const started = new Promise<void>((resolve) => serviceMainCalled = resolve);
  const serviceMain = Deno.UnsafeCallback.threadSafe(
    { parameters: ["u32", "pointer"], result: "void" },
    () => serviceMainCalled(),
  );
  const handler = Deno.UnsafeCallback.threadSafe(
    { parameters: ["u32", "u32", "pointer", "pointer"], result: "u32" },
    (control) => {
      if (control === SERVICE_CONTROL_STOP || control === SERVICE_CONTROL_SHUTDOWN) {
        report(SERVICE_STOP_PENDING);
        // After this handler has returned to the dispatcher: it must be free for what follows.
        setTimeout(() => stop.abort("SCM stop"), 0);
        return NO_ERROR;
      }
      return control === SERVICE_CONTROL_INTERROGATE ? NO_ERROR : ERROR_CALL_NOT_IMPLEMENTED;
    },
  );
  // SERVICE_TABLE_ENTRYW[2]: { LPWSTR name; LPSERVICE_MAIN_FUNCTIONW main; } and a null entry.
  const table = new BigUint64Array(4);
  table[0] = BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(serviceName)));
  table[1] = BigInt(Deno.UnsafePointer.value(serviceMain.pointer));
  const dispatcher = advapi32.StartServiceCtrlDispatcherW(new Uint8Array(table.buffer));
  try {
    const first = await Promise.race([
      started.then(() => "started" as const),
      dispatcher.then(() => "ended" as const),
    ]);
    if (first === "ended") {
      throw new ServiceUnavailableError(
        "not started by the Service Control Manager: --windows-service is for the installed service",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 0)); // let ServiceMain return first
    statusHandle = advapi32.RegisterServiceCtrlHandlerExW(serviceName, handler.pointer, null);
    report(SERVICE_RUNNING);
    let code = 1;
    try {
      code = await body(stop.signal);
    } finally {
      report(SERVICE_STOPPED, code);
    }
    await dispatcher;
    return code;
  } finally {
    serviceMain.close();
    handler.close();
  }
}
