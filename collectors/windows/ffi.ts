/**
 * The Windows DLLs the Windows collector calls: one symbol table per library, and the one place
 * that loads them.
 *
 * @module
 */

import { CollectorUnavailableError } from "../collector.ts";

/** iphlpapi.dll: the TCP and UDP tables. */
export const IPHLPAPI_SYMBOLS = {
  /** DWORD GetExtendedTcpTable(PVOID pTcpTable, PDWORD pdwSize, BOOL bOrder, ULONG ulAf, TCP_TABLE_CLASS TableClass, ULONG Reserved) */
  GetExtendedTcpTable: {
    parameters: ["buffer", "buffer", "i32", "u32", "i32", "u32"],
    result: "u32",
  },
  /** DWORD GetExtendedUdpTable(PVOID pUdpTable, PDWORD pdwSize, BOOL bOrder, ULONG ulAf, UDP_TABLE_CLASS TableClass, ULONG Reserved) */
  GetExtendedUdpTable: {
    parameters: ["buffer", "buffer", "i32", "u32", "i32", "u32"],
    result: "u32",
  },
  /** DWORD GetOwnerModuleFromTcpEntry(PMIB_TCPROW_OWNER_MODULE pTcpEntry, TCPIP_OWNER_MODULE_INFO_CLASS Class, PVOID pBuffer, PDWORD pdwSize); absent from Wine */
  GetOwnerModuleFromTcpEntry: {
    parameters: ["buffer", "i32", "buffer", "buffer"],
    result: "u32",
    optional: true,
  },
  /** DWORD GetOwnerModuleFromTcp6Entry(PMIB_TCP6ROW_OWNER_MODULE pTcpEntry, TCPIP_OWNER_MODULE_INFO_CLASS Class, PVOID pBuffer, PDWORD pdwSize) */
  GetOwnerModuleFromTcp6Entry: {
    parameters: ["buffer", "i32", "buffer", "buffer"],
    result: "u32",
    optional: true,
  },
  /** DWORD GetOwnerModuleFromUdpEntry(PMIB_UDPROW_OWNER_MODULE pUdpEntry, TCPIP_OWNER_MODULE_INFO_CLASS Class, PVOID pBuffer, PDWORD pdwSize) */
  GetOwnerModuleFromUdpEntry: {
    parameters: ["buffer", "i32", "buffer", "buffer"],
    result: "u32",
    optional: true,
  },
  /** DWORD GetOwnerModuleFromUdp6Entry(PMIB_UDP6ROW_OWNER_MODULE pUdpEntry, TCPIP_OWNER_MODULE_INFO_CLASS Class, PVOID pBuffer, PDWORD pdwSize) */
  GetOwnerModuleFromUdp6Entry: {
    parameters: ["buffer", "i32", "buffer", "buffer"],
    result: "u32",
    optional: true,
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** kernel32.dll: processes, their images and modules. */
export const KERNEL32_SYMBOLS = {
  /** HANDLE OpenProcess(DWORD dwDesiredAccess, BOOL bInheritHandle, DWORD dwProcessId) */
  OpenProcess: { parameters: ["u32", "i32", "u32"], result: "pointer" },
  /** BOOL CloseHandle(HANDLE hObject) */
  CloseHandle: { parameters: ["pointer"], result: "i32" },
  /** BOOL QueryFullProcessImageNameW(HANDLE hProcess, DWORD dwFlags, LPWSTR lpExeName, PDWORD lpdwSize) */
  QueryFullProcessImageNameW: { parameters: ["pointer", "u32", "buffer", "buffer"], result: "i32" },
  /** BOOL K32EnumProcessModulesEx(HANDLE hProcess, HMODULE *lphModule, DWORD cb, LPDWORD lpcbNeeded, DWORD dwFilterFlag) */
  K32EnumProcessModulesEx: {
    parameters: ["pointer", "buffer", "u32", "buffer", "u32"],
    result: "i32",
  },
  /** DWORD K32GetModuleFileNameExW(HANDLE hProcess, HMODULE hModule, LPWSTR lpFilename, DWORD nSize) */
  K32GetModuleFileNameExW: { parameters: ["pointer", "pointer", "buffer", "u32"], result: "u32" },
  /** DWORD GetLastError(void) */
  GetLastError: { parameters: [], result: "u32" },
  /** HLOCAL LocalFree(HLOCAL hMem): frees what the security descriptor calls allocate */
  LocalFree: { parameters: ["pointer"], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

/** advapi32.dll: process tokens, account names, the Service Control Manager, file ACLs, the registry. */
export const ADVAPI32_SYMBOLS = {
  /** BOOL OpenProcessToken(HANDLE ProcessHandle, DWORD DesiredAccess, PHANDLE TokenHandle) */
  OpenProcessToken: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  /** BOOL GetTokenInformation(HANDLE TokenHandle, TOKEN_INFORMATION_CLASS TokenInformationClass, LPVOID TokenInformation, DWORD TokenInformationLength, PDWORD ReturnLength) */
  GetTokenInformation: { parameters: ["pointer", "i32", "buffer", "u32", "buffer"], result: "i32" },
  /** BOOL LookupAccountSidW(LPCWSTR lpSystemName, PSID Sid, LPWSTR Name, LPDWORD cchName, LPWSTR ReferencedDomainName, LPDWORD cchReferencedDomainName, PSID_NAME_USE peUse) */
  LookupAccountSidW: {
    parameters: ["pointer", "pointer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** SC_HANDLE OpenSCManagerW(LPCWSTR lpMachineName, LPCWSTR lpDatabaseName, DWORD dwDesiredAccess) */
  OpenSCManagerW: { parameters: ["pointer", "pointer", "u32"], result: "pointer" },
  /** BOOL EnumServicesStatusExW(SC_HANDLE hSCManager, SC_ENUM_TYPE InfoLevel, DWORD dwServiceType, DWORD dwServiceState, LPBYTE lpServices, DWORD cbBufSize, LPDWORD pcbBytesNeeded, LPDWORD lpServicesReturned, LPDWORD lpResumeHandle, LPCWSTR pszGroupName) */
  EnumServicesStatusExW: {
    parameters: [
      "pointer",
      "i32",
      "u32",
      "u32",
      "buffer",
      "u32",
      "buffer",
      "buffer",
      "buffer",
      "pointer",
    ],
    result: "i32",
  },
  /** SC_HANDLE CreateServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, LPCWSTR lpDisplayName, DWORD dwDesiredAccess, DWORD dwServiceType, DWORD dwStartType, DWORD dwErrorControl, LPCWSTR lpBinaryPathName, LPCWSTR lpLoadOrderGroup, LPDWORD lpdwTagId, LPCWSTR lpDependencies, LPCWSTR lpServiceStartName, LPCWSTR lpPassword) */
  CreateServiceW: {
    parameters: [
      "pointer",
      "buffer",
      "buffer",
      "u32",
      "u32",
      "u32",
      "u32",
      "buffer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
      "pointer",
    ],
    result: "pointer",
  },
  /** SC_HANDLE OpenServiceW(SC_HANDLE hSCManager, LPCWSTR lpServiceName, DWORD dwDesiredAccess) */
  OpenServiceW: { parameters: ["pointer", "buffer", "u32"], result: "pointer" },
  /** BOOL ChangeServiceConfig2W(SC_HANDLE hService, DWORD dwInfoLevel, LPVOID lpInfo) */
  ChangeServiceConfig2W: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  /** BOOL StartServiceW(SC_HANDLE hService, DWORD dwNumServiceArgs, LPCWSTR *lpServiceArgVectors) */
  StartServiceW: { parameters: ["pointer", "u32", "pointer"], result: "i32" },
  /** BOOL ControlService(SC_HANDLE hService, DWORD dwControl, LPSERVICE_STATUS lpServiceStatus) */
  ControlService: { parameters: ["pointer", "u32", "buffer"], result: "i32" },
  /** BOOL QueryServiceStatus(SC_HANDLE hService, LPSERVICE_STATUS lpServiceStatus) */
  QueryServiceStatus: { parameters: ["pointer", "buffer"], result: "i32" },
  /** BOOL DeleteService(SC_HANDLE hService) */
  DeleteService: { parameters: ["pointer"], result: "i32" },
  /** BOOL CloseServiceHandle(SC_HANDLE hSCObject) */
  CloseServiceHandle: { parameters: ["pointer"], result: "i32" },
  /** BOOL ConvertStringSecurityDescriptorToSecurityDescriptorW(LPCWSTR StringSecurityDescriptor, DWORD StringSDRevision, PSECURITY_DESCRIPTOR *SecurityDescriptor, PULONG SecurityDescriptorSize) */
  ConvertStringSecurityDescriptorToSecurityDescriptorW: {
    parameters: ["buffer", "u32", "buffer", "pointer"],
    result: "i32",
  },
  /** BOOL ConvertSecurityDescriptorToStringSecurityDescriptorW(PSECURITY_DESCRIPTOR SecurityDescriptor, DWORD RequestedStringSDRevision, SECURITY_INFORMATION SecurityInformation, LPWSTR *StringSecurityDescriptor, PULONG StringSecurityDescriptorLen) */
  ConvertSecurityDescriptorToStringSecurityDescriptorW: {
    parameters: ["pointer", "u32", "u32", "buffer", "pointer"],
    result: "i32",
  },
  /** BOOL GetSecurityDescriptorDacl(PSECURITY_DESCRIPTOR pSecurityDescriptor, LPBOOL lpbDaclPresent, PACL *pDacl, LPBOOL lpbDaclDefaulted) */
  GetSecurityDescriptorDacl: {
    parameters: ["pointer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** DWORD SetNamedSecurityInfoW(LPWSTR pObjectName, SE_OBJECT_TYPE ObjectType, SECURITY_INFORMATION SecurityInfo, PSID psidOwner, PSID psidGroup, PACL pDacl, PACL pSacl) */
  SetNamedSecurityInfoW: {
    parameters: ["buffer", "i32", "u32", "pointer", "pointer", "pointer", "pointer"],
    result: "u32",
  },
  /** LSTATUS RegSetKeyValueW(HKEY hKey, LPCWSTR lpSubKey, LPCWSTR lpValueName, DWORD dwType, LPCVOID lpData, DWORD cbData) */
  RegSetKeyValueW: {
    parameters: ["pointer", "buffer", "buffer", "u32", "buffer", "u32"],
    result: "i32",
  },
  /** LSTATUS RegGetValueW(HKEY hkey, LPCWSTR lpSubKey, LPCWSTR lpValue, DWORD dwFlags, LPDWORD pdwType, PVOID pvData, LPDWORD pcbData) */
  RegGetValueW: {
    parameters: ["pointer", "buffer", "buffer", "u32", "pointer", "buffer", "buffer"],
    result: "i32",
  },
  /** DWORD GetNamedSecurityInfoW(LPCWSTR pObjectName, SE_OBJECT_TYPE ObjectType, SECURITY_INFORMATION SecurityInfo, PSID *ppsidOwner, PSID *ppsidGroup, PACL *ppDacl, PACL *ppSacl, PSECURITY_DESCRIPTOR *ppSecurityDescriptor) */
  GetNamedSecurityInfoW: {
    parameters: ["buffer", "i32", "u32", "pointer", "pointer", "buffer", "pointer", "buffer"],
    result: "u32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * ws2_32.dll: Winsock, for the remote queries' UDP probes. Loaded on its own (see loadWs2_32), so
 * a query does not load the collector's libraries and the collector does not load Winsock.
 */
export const WS2_32_SYMBOLS = {
  /** int WSAStartup(WORD wVersionRequested, LPWSADATA lpWSAData) */
  WSAStartup: { parameters: ["u16", "buffer"], result: "i32" },
  /** int WSAGetLastError(void) */
  WSAGetLastError: { parameters: [], result: "i32" },
  /** SOCKET socket(int af, int type, int protocol); INVALID_SOCKET is ~0 */
  socket: { parameters: ["i32", "i32", "i32"], result: "u64" },
  /** int setsockopt(SOCKET s, int level, int optname, const char *optval, int optlen) */
  setsockopt: { parameters: ["u64", "i32", "i32", "buffer", "i32"], result: "i32" },
  /** int ioctlsocket(SOCKET s, long cmd, u_long *argp) */
  ioctlsocket: { parameters: ["u64", "i32", "buffer"], result: "i32" },
  /** int bind(SOCKET s, const struct sockaddr *name, int namelen) */
  bind: { parameters: ["u64", "buffer", "i32"], result: "i32" },
  /** int connect(SOCKET s, const struct sockaddr *name, int namelen) */
  connect: { parameters: ["u64", "buffer", "i32"], result: "i32" },
  /** int send(SOCKET s, const char *buf, int len, int flags) */
  send: { parameters: ["u64", "buffer", "i32", "i32"], result: "i32" },
  /** int recv(SOCKET s, char *buf, int len, int flags) */
  recv: { parameters: ["u64", "buffer", "i32", "i32"], result: "i32" },
  /**
   * int select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds, const TIMEVAL
   * *timeout): on a worker thread (nonblocking), so a waiting probe leaves the event loop free.
   */
  select: {
    parameters: ["i32", "buffer", "pointer", "buffer", "buffer"],
    result: "i32",
    nonblocking: true,
  },
  /** int closesocket(SOCKET s) */
  closesocket: { parameters: ["u64"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

/** Winsock's symbols. */
export type Ws2_32 = Deno.DynamicLibrary<typeof WS2_32_SYMBOLS>["symbols"];

let ws2_32: Ws2_32 | undefined;

/** Winsock, loaded and started (WSAStartup 2.2) on first use. */
export function loadWs2_32(): Ws2_32 {
  if (ws2_32) return ws2_32;
  let symbols: Ws2_32;
  try {
    symbols = Deno.dlopen("ws2_32.dll", WS2_32_SYMBOLS).symbols;
  } catch (error) {
    throw new Win32UnavailableError(`cannot load ws2_32.dll: ${(error as Error).message}`);
  }
  // WSADATA is 408 bytes on x64; nothing in it is needed.
  const result = symbols.WSAStartup(0x0202, new Uint8Array(408));
  if (result !== 0) throw new Win32UnavailableError(`WSAStartup failed with error ${result}`);
  ws2_32 = symbols;
  return ws2_32;
}

/** The loaded libraries' symbols. */
export interface Win32 {
  iphlpapi: Deno.DynamicLibrary<typeof IPHLPAPI_SYMBOLS>["symbols"];
  kernel32: Deno.DynamicLibrary<typeof KERNEL32_SYMBOLS>["symbols"];
  advapi32: Deno.DynamicLibrary<typeof ADVAPI32_SYMBOLS>["symbols"];
}

/** A DLL could not be loaded; the message names it. */
export class Win32UnavailableError extends CollectorUnavailableError {
  override name = "Win32UnavailableError";
}

let win32: Win32 | undefined;

/** The libraries, loaded on first use. */
export function loadWin32(): Win32 {
  if (win32) return win32;
  const open = <S extends Deno.ForeignLibraryInterface>(name: string, symbols: S) => {
    try {
      return Deno.dlopen(name, symbols).symbols;
    } catch (error) {
      throw new Win32UnavailableError(`cannot load ${name}: ${(error as Error).message}`);
    }
  };
  win32 = {
    iphlpapi: open("iphlpapi.dll", IPHLPAPI_SYMBOLS),
    kernel32: open("kernel32.dll", KERNEL32_SYMBOLS),
    advapi32: open("advapi32.dll", ADVAPI32_SYMBOLS),
  };
  return win32;
}

/** A NUL-terminated UTF-16 string at `pointer`. */
export function wideStringAt(pointer: Deno.PointerValue): string {
  if (pointer === null) return "";
  const view = new Deno.UnsafePointerView(pointer);
  let text = "";
  for (let offset = 0;; offset += 2) {
    const unit = view.getUint16(offset);
    if (unit === 0) return text;
    text += String.fromCharCode(unit);
  }
}

/** The pointer stored at `offset` of `bytes` (x64, little endian). */
export function pointerAt(bytes: Uint8Array, offset: number): Deno.PointerValue {
  const value = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(offset, true);
  return Deno.UnsafePointer.create(value);
}

/** A NUL-terminated UTF-16 copy of `text`, for LPCWSTR parameters. */
export function wideString(text: string): Uint8Array<ArrayBuffer> {
  const units = new Uint16Array(text.length + 1);
  for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
  return new Uint8Array(units.buffer);
}

/** The UTF-16 text in `units` up to its first NUL or `length`. */
export function wideStringIn(units: Uint16Array, length = units.length): string {
  let end = 0;
  while (end < length && units[end] !== 0) end++;
  return String.fromCharCode(...units.subarray(0, end));
}
