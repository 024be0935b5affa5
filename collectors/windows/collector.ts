/**
 * The Windows collector: the TCP and UDP tables of iphlpapi (OWNER_MODULE where the system has
 * it, OWNER_PID otherwise), each owning process's image, user and modules, and the services of
 * the Service Control Manager, all by FFI.
 *
 * Access denied on a process (System, protected processes) is normal: what can be read is
 * filled, the rest stays null, and the dump goes on.
 *
 * @module
 */

import type { Endpoint, Module, ProcessInfo, Service, Snapshot } from "../../model/endpoint.ts";
import { makeSnapshot } from "../../model/snapshot.ts";
import type { CollectOptions, Collector } from "../collector.ts";
import { loadWin32, pointerAt, wideStringAt, wideStringIn, type Win32 } from "./ffi.ts";
import { parseTable, type TableLayout, type TableRow } from "./tables.ts";

const AF_INET = 2, AF_INET6 = 23;
const TCP_TABLE_OWNER_PID_ALL = 5, TCP_TABLE_OWNER_MODULE_ALL = 8;
const UDP_TABLE_OWNER_PID = 1, UDP_TABLE_OWNER_MODULE = 2;
const NO_ERROR = 0, ERROR_INSUFFICIENT_BUFFER = 122, ERROR_MORE_DATA = 234;
const PROCESS_QUERY_LIMITED_INFORMATION = 0x1000;
const PROCESS_QUERY_INFORMATION = 0x0400, PROCESS_VM_READ = 0x0010;
const TOKEN_QUERY = 0x0008, TOKEN_USER = 1;
const SC_MANAGER_ENUMERATE_SERVICE = 0x0004, SC_ENUM_PROCESS_INFO = 0;
const SERVICE_WIN32 = 0x30, SERVICE_ACTIVE = 1, SERVICE_WIN32_SHARE_PROCESS = 0x20;
/** x64 ENUM_SERVICE_STATUS_PROCESSW: two pointers, then SERVICE_STATUS_PROCESS (9 DWORDs), padded. */
const SERVICE_ENTRY_SIZE = 56;
const LIST_MODULES_ALL = 3;
const TCPIP_OWNER_MODULE_INFO_BASIC = 0;

/** One table to read: the function, family, classes to try, and the layout each gives. */
const TABLES = [
  {
    tcp: true,
    family: AF_INET,
    classes: [[TCP_TABLE_OWNER_MODULE_ALL, "tcp-module"], [TCP_TABLE_OWNER_PID_ALL, "tcp-pid"]],
  },
  {
    tcp: true,
    family: AF_INET6,
    classes: [[TCP_TABLE_OWNER_MODULE_ALL, "tcp6-module"], [TCP_TABLE_OWNER_PID_ALL, "tcp6-pid"]],
  },
  {
    tcp: false,
    family: AF_INET,
    classes: [[UDP_TABLE_OWNER_MODULE, "udp-module"], [UDP_TABLE_OWNER_PID, "udp-pid"]],
  },
  {
    tcp: false,
    family: AF_INET6,
    classes: [[UDP_TABLE_OWNER_MODULE, "udp6-module"], [UDP_TABLE_OWNER_PID, "udp6-pid"]],
  },
] as const;

/** A table as read: its bytes (for the module lookups), layout and rows. */
interface ReadTable {
  bytes: Uint8Array<ArrayBuffer>;
  layout: TableLayout;
  rows: TableRow[];
}

/** Collects endpoints and owners on Windows. */
export class WindowsCollector implements Collector {
  #win32: Win32;
  /** Account names by SID bytes: a lookup can be slow (a domain controller), and SIDs repeat. */
  #users = new Map<string, string>();

  constructor() {
    // A library that cannot load is a CollectorUnavailableError: one line, no stack trace.
    this.#win32 = loadWin32();
  }

  collect(options: CollectOptions = {}): Snapshot {
    const warnings: string[] = [];
    const tables = TABLES.map((table) =>
      this.#readTable(table.tcp, table.family, table.classes, warnings)
    );
    const services = this.#services(warnings);
    const processes = new Map<number, ProcessInfo>();
    const denied = new Set<number>();
    const info = (pid: number): ProcessInfo => {
      let process = processes.get(pid);
      if (!process) {
        process = this.#process(pid, options.modules ?? false, services.get(pid) ?? []);
        if (process.path === null) denied.add(pid);
        processes.set(pid, process);
      }
      return process;
    };

    const endpoints: Endpoint[] = [];
    for (const table of tables) {
      if (!table) continue;
      for (const row of table.rows) {
        const owner = row.pid === 0 ? null : info(row.pid);
        const module = owner ? this.#owningModule(table, row) : null;
        endpoints.push({
          protocol: row.protocol,
          localAddress: row.localAddress,
          localPort: row.localPort,
          remoteAddress: row.remoteAddress,
          remotePort: row.remotePort,
          state: row.state,
          pid: row.pid === 0 ? null : row.pid,
          // The module that owns the port (a service DLL in svchost) when Windows says so.
          process: module?.name ?? owner?.process ?? null,
          path: module?.path ?? owner?.path ?? null,
          user: owner?.user ?? null,
          inode: null,
          socketUid: null,
          receiveQueue: null,
          sendQueue: null,
          interface: null,
          v6only: null,
          created: row.created?.toISOString() ?? null,
        });
      }
    }
    if (denied.size > 0) {
      warnings.push(
        `the image and user of ${denied.size} processes could not be read (access denied: ` +
          `run as Administrator for more); their sockets, ports and pids are complete`,
      );
    }
    return makeSnapshot(endpoints, processes.values(), warnings, "iphlpapi");
  }

  processExists(pid: number): boolean {
    const handle = this.#win32.kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
    if (handle === null) return this.#win32.kernel32.GetLastError() === 5; // access denied: it exists
    this.#win32.kernel32.CloseHandle(handle);
    return true;
  }

  close(): void {}

  /** One table, trying its classes in order; null (and a warning) when none can be read. */
  #readTable(
    tcp: boolean,
    family: number,
    classes: readonly (readonly [number, TableLayout])[],
    warnings: string[],
  ): ReadTable | null {
    const get = tcp
      ? this.#win32.iphlpapi.GetExtendedTcpTable
      : this.#win32.iphlpapi.GetExtendedUdpTable;
    let lastError = 0;
    for (const [tableClass, layout] of classes) {
      const size = new Uint32Array([0]);
      let bytes = new Uint8Array(4);
      // The table can grow between the size query and the read: ask again until it fits.
      for (let attempt = 0; attempt < 5; attempt++) {
        const result = get(bytes, new Uint8Array(size.buffer), 0, family, tableClass, 0);
        if (result === NO_ERROR) {
          return {
            bytes,
            layout,
            rows: parseTable(bytes, layout, Math.min(size[0] || bytes.length, bytes.length)),
          };
        }
        lastError = result;
        if (result !== ERROR_INSUFFICIENT_BUFFER) break;
        bytes = new Uint8Array(size[0] + 4096);
        size[0] = bytes.length;
      }
    }
    warnings.push(
      `cannot read the ${tcp ? "TCP" : "UDP"}${
        family === AF_INET6 ? "v6" : ""
      } table (error ${lastError})`,
    );
    return null;
  }

  /** The module that owns a row's socket, where Windows records it (not under Wine). */
  #owningModule(table: ReadTable, row: TableRow): { name: string; path: string } | null {
    if (!table.layout.endsWith("-module")) return null;
    const lookup = {
      "tcp-module": this.#win32.iphlpapi.GetOwnerModuleFromTcpEntry,
      "tcp6-module": this.#win32.iphlpapi.GetOwnerModuleFromTcp6Entry,
      "udp-module": this.#win32.iphlpapi.GetOwnerModuleFromUdpEntry,
      "udp6-module": this.#win32.iphlpapi.GetOwnerModuleFromUdp6Entry,
    }[table.layout as "tcp-module"];
    if (!lookup) return null;
    const buffer = new Uint8Array(2048);
    const size = new Uint32Array([buffer.length]);
    const entry = table.bytes.subarray(row.offset);
    if (
      lookup(entry, TCPIP_OWNER_MODULE_INFO_BASIC, buffer, new Uint8Array(size.buffer)) !== NO_ERROR
    ) return null;
    // TCPIP_OWNER_MODULE_BASIC_INFO: PWCHAR pModuleName, PWCHAR pModulePath (into `buffer`).
    const name = wideStringAt(pointerAt(buffer, 0));
    const path = wideStringAt(pointerAt(buffer, 8));
    return name ? { name, path } : null;
  }

  /** What can be read of a process: image path, user, and with `modules` its modules. */
  #process(pid: number, withModules: boolean, services: Service[]): ProcessInfo {
    const { kernel32 } = this.#win32;
    const info: ProcessInfo = {
      pid,
      process: pid === 4 ? "System" : null,
      path: null,
      user: null,
      uid: null,
      ppid: null,
      started: null,
      services,
      modules: null,
    };
    const handle = kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
    if (handle !== null) {
      try {
        const name = new Uint16Array(32768);
        const length = new Uint32Array([name.length]);
        if (
          kernel32.QueryFullProcessImageNameW(
            handle,
            0,
            new Uint8Array(name.buffer),
            new Uint8Array(length.buffer),
          )
        ) {
          info.path = wideStringIn(name, length[0]);
          info.process = info.path.slice(info.path.lastIndexOf("\\") + 1);
        }
        info.user = this.#user(handle);
      } finally {
        kernel32.CloseHandle(handle);
      }
    }
    if (withModules) {
      const modules = this.#modules(pid);
      if (typeof modules === "string") info.modulesError = modules;
      else info.modules = modules;
    }
    return info;
  }

  /** `DOMAIN\user` of a process's token. */
  #user(process: Deno.PointerValue): string | null {
    const { advapi32, kernel32 } = this.#win32;
    const tokenHandle = new BigUint64Array(1);
    if (!advapi32.OpenProcessToken(process, TOKEN_QUERY, new Uint8Array(tokenHandle.buffer))) {
      return null;
    }
    const token = Deno.UnsafePointer.create(tokenHandle[0]);
    try {
      const buffer = new Uint8Array(1024);
      const needed = new Uint32Array(1);
      if (
        !advapi32.GetTokenInformation(
          token,
          TOKEN_USER,
          buffer,
          buffer.length,
          new Uint8Array(needed.buffer),
        )
      ) {
        return null;
      }
      // TOKEN_USER { SID_AND_ATTRIBUTES User { PSID Sid; DWORD Attributes; } }
      const sid = pointerAt(buffer, 0);
      if (sid === null) return null;
      // A SID is 8 bytes and a 4-byte sub-authority per its count (the byte at offset 1); its
      // bytes, not its address in this call's buffer, name the account.
      const view = new Deno.UnsafePointerView(sid);
      const key = Array.from(
        new Uint8Array(view.getArrayBuffer(8 + 4 * view.getUint8(1))),
        (byte) => byte.toString(16).padStart(2, "0"),
      ).join("");
      const cached = this.#users.get(key);
      if (cached !== undefined) return cached;
      const name = new Uint16Array(256), domain = new Uint16Array(256);
      const nameLength = new Uint32Array([name.length]),
        domainLength = new Uint32Array([domain.length]);
      const use = new Uint32Array(1);
      const found = advapi32.LookupAccountSidW(
        null,
        sid,
        new Uint8Array(name.buffer),
        new Uint8Array(nameLength.buffer),
        new Uint8Array(domain.buffer),
        new Uint8Array(domainLength.buffer),
        new Uint8Array(use.buffer),
      );
      if (!found) return null;
      const user = wideStringIn(name, nameLength[0]);
      const domainName = wideStringIn(domain, domainLength[0]);
      const account = domainName ? `${domainName}\\${user}` : user;
      this.#users.set(key, account);
      return account;
    } finally {
      kernel32.CloseHandle(token);
    }
  }

  /** A process's modules with base addresses, or why they could not be read. */
  #modules(pid: number): Module[] | string {
    const { kernel32 } = this.#win32;
    const handle = kernel32.OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ, 0, pid);
    if (handle === null) {
      return kernel32.GetLastError() === 5 ? "access denied" : "the process could not be opened";
    }
    try {
      let handles = new BigUint64Array(512);
      const needed = new Uint32Array(1);
      for (;;) {
        if (
          !kernel32.K32EnumProcessModulesEx(
            handle,
            new Uint8Array(handles.buffer),
            handles.byteLength,
            new Uint8Array(needed.buffer),
            LIST_MODULES_ALL,
          )
        ) {
          return "the module list could not be read";
        }
        if (needed[0] <= handles.byteLength) break;
        handles = new BigUint64Array(needed[0] / 8 + 64);
      }
      const modules: Module[] = [];
      const name = new Uint16Array(32768);
      for (const module of handles.subarray(0, needed[0] / 8)) {
        const length = kernel32.K32GetModuleFileNameExW(
          handle,
          Deno.UnsafePointer.create(module),
          new Uint8Array(name.buffer),
          name.length,
        );
        if (length > 0) {
          modules.push({
            path: wideStringIn(name, length),
            baseAddress: "0x" + module.toString(16),
          });
        }
      }
      return modules;
    } finally {
      kernel32.CloseHandle(handle);
    }
  }

  /** Running Win32 services by process id, from the Service Control Manager. */
  #services(warnings: string[]): Map<number, Service[]> {
    const { advapi32 } = this.#win32;
    const byPid = new Map<number, Service[]>();
    const manager = advapi32.OpenSCManagerW(null, null, SC_MANAGER_ENUMERATE_SERVICE);
    if (manager === null) {
      warnings.push("the Service Control Manager could not be opened: no service names");
      return byPid;
    }
    try {
      let buffer = new Uint8Array(64 * 1024);
      const needed = new Uint32Array(1), returned = new Uint32Array(1), resume = new Uint32Array(1);
      for (;;) {
        const ok = advapi32.EnumServicesStatusExW(
          manager,
          SC_ENUM_PROCESS_INFO,
          SERVICE_WIN32,
          SERVICE_ACTIVE,
          buffer,
          buffer.length,
          new Uint8Array(needed.buffer),
          new Uint8Array(returned.buffer),
          new Uint8Array(resume.buffer),
          null,
        );
        const view = new DataView(buffer.buffer);
        for (let i = 0; i < returned[0]; i++) {
          const at = i * SERVICE_ENTRY_SIZE;
          const pid = view.getUint32(at + 16 + 7 * 4, true);
          if (pid === 0) continue;
          const service: Service = {
            name: wideStringAt(pointerAt(buffer, at)),
            displayName: wideStringAt(pointerAt(buffer, at + 8)),
            shared: (view.getUint32(at + 16, true) & SERVICE_WIN32_SHARE_PROCESS) !== 0,
          };
          const list = byPid.get(pid);
          if (list) list.push(service);
          else byPid.set(pid, [service]);
        }
        if (ok) break;
        if (this.#win32.kernel32.GetLastError() !== ERROR_MORE_DATA) break;
        if (returned[0] === 0) buffer = new Uint8Array(needed[0] + 4096);
      }
    } finally {
      advapi32.CloseServiceHandle(manager);
    }
    return byPid;
  }
}
