/**
 * What the report flags: ports, processes, modules, users and remote addresses of interest, the
 * directories known programs should run from, and directories nothing should run from. Defaults
 * cover the usual suspects; a JSON file (`--interests FILE`) adds to them key by key, or replaces
 * them with `"defaults": false`. Names and paths are PortSet globs (`*`, `?`), matched without
 * regard to case, since Windows names are not case-sensitive and a Linux name in odd case is
 * itself odd.
 *
 * @module
 */

import { compileGlob, type Glob } from "../rules/glob.ts";
import { readInputText } from "../text/input_file.ts";

/** The interests file's contents, every key optional. */
export interface InterestsFile {
  /** false: start from nothing instead of the defaults. */
  defaults?: boolean;
  /** `4444` (TCP and UDP), `"tcp/4444"`, `"udp/69"`. */
  ports?: (number | string)[];
  /** Globs on a process name (`nc`, `ncat*`) that flag the process. */
  processes?: string[];
  /** Globs on a loaded module's path. */
  modules?: string[];
  /** Globs on a user name (`guest`, `*\\guest`) that flag a socket run as that user. */
  users?: string[];
  /** Globs on a remote address that flag a connection to it. */
  remoteAddresses?: string[];
  /** Process name → the directories (globs) its executable may be in. */
  expectedDirectories?: Record<string, string[]>;
  /** Globs on an executable's path that flag any process. */
  suspiciousPaths?: string[];
}

/** The interests, compiled. */
export interface Interests {
  /** Where they came from: a file's path, or "defaults". */
  source: string;
  /** `TCP 4444` / `UDP 69` → why. */
  ports: Set<string>;
  /** The `processes` globs, compiled to match without regard to case. */
  processes: Glob[];
  /** The `modules` globs, compiled to match without regard to case. */
  modules: Glob[];
  /** The `users` globs, compiled to match without regard to case. */
  users: Glob[];
  /** The `remoteAddresses` globs, compiled to match without regard to case. */
  remoteAddresses: Glob[];
  /** Lower-cased process name → globs its directory must match. */
  expectedDirectories: Map<string, Glob[]>;
  /** Globs on an executable's path that flag any process run from it. */
  suspiciousPaths: Glob[];
}

/** Windows system programs live here (and in SysWOW64 for 32-bit ones). */
const SYSTEM32 = ["?:\\Windows\\System32", "?:\\Windows\\SysWOW64"];

/** The defaults, as an interests file would spell them. */
export const DEFAULT_INTERESTS: Required<Omit<InterestsFile, "defaults">> = {
  ports: [
    "tcp/21", // FTP: credentials in clear text
    "tcp/23", // telnet
    "tcp/2323",
    "udp/69", // TFTP: no authentication at all
    "tcp/512", // rexec, rlogin, rsh
    "tcp/513",
    "tcp/514",
    "tcp/1080", // SOCKS proxies, a common pivot
    "tcp/1524", // ingreslock, an old backdoor port
    "tcp/4444", // Metasploit's default handler
    "tcp/5555", // Android debug bridge over the network
    "tcp/5900", // VNC
    "tcp/5901",
    "tcp/6666", // IRC, long a botnet control channel
    "tcp/6667",
    "tcp/6697",
    "tcp/9001", // Tor relays and SOCKS
    "tcp/9050",
    "tcp/12345", // NetBus
    "tcp/20034",
    "tcp/27374", // SubSeven
    31337, // Back Orifice, and every "elite" backdoor since
  ],
  processes: [
    "nc",
    "nc.exe",
    "nc.openbsd",
    "nc.traditional",
    "ncat*",
    "netcat*",
    "socat",
    "*telnetd",
    "*tftpd*",
    "mimikatz*",
    "psexe*",
    "procdump*",
    "plink*",
    "chisel*",
    "frpc*",
    "ngrok*",
    "xmrig*",
    "minerd",
    "tor",
    "tor.exe",
  ],
  modules: [
    "/tmp/*",
    "/var/tmp/*",
    "/dev/shm/*",
    "*\\AppData\\Local\\Temp\\*",
    "*\\Windows\\Temp\\*",
  ],
  users: ["guest", "*\\guest", "anonymous*"],
  remoteAddresses: [],
  expectedDirectories: {
    sshd: ["/usr/sbin", "/sbin"],
    nginx: ["/usr/sbin", "/usr/local/nginx/sbin"],
    apache2: ["/usr/sbin"],
    httpd: ["/usr/sbin"],
    named: ["/usr/sbin"],
    dnsmasq: ["/usr/sbin"],
    chronyd: ["/usr/sbin"],
    ntpd: ["/usr/sbin"],
    cupsd: ["/usr/sbin"],
    "avahi-daemon": ["/usr/sbin"],
    rpcbind: ["/usr/sbin", "/sbin"],
    mysqld: ["/usr/sbin"],
    mariadbd: ["/usr/sbin"],
    postgres: ["/usr/lib/postgresql/*/bin", "/usr/bin", "/usr/local/pgsql/bin"],
    "redis-server": ["/usr/bin"],
    "systemd-resolved": ["/usr/lib/systemd", "/lib/systemd"],
    "systemd-networkd": ["/usr/lib/systemd", "/lib/systemd"],
    systemd: ["/usr/lib/systemd", "/lib/systemd"],
    "svchost.exe": SYSTEM32,
    "lsass.exe": SYSTEM32,
    "services.exe": SYSTEM32,
    "csrss.exe": SYSTEM32,
    "wininit.exe": SYSTEM32,
    "winlogon.exe": SYSTEM32,
    "smss.exe": SYSTEM32,
    "spoolsv.exe": SYSTEM32,
    "taskhostw.exe": SYSTEM32,
    "dllhost.exe": SYSTEM32,
    "rundll32.exe": SYSTEM32,
    "conhost.exe": SYSTEM32,
    "explorer.exe": ["?:\\Windows"],
  },
  suspiciousPaths: [
    "/tmp/*",
    "/var/tmp/*",
    "/dev/shm/*",
    "* (deleted)", // Linux: the executable was removed while it runs
    "*\\AppData\\Local\\Temp\\*",
    "?:\\Windows\\Temp\\*",
    "?:\\Users\\Public\\*",
    "*\\$Recycle.Bin\\*",
  ],
};

const KEYS = new Set([
  "defaults",
  "ports",
  "processes",
  "modules",
  "users",
  "remoteAddresses",
  "expectedDirectories",
  "suspiciousPaths",
]);

/** An interests file that cannot be used; the message names the file and what is wrong. */
export class InterestsError extends Error {
  /** The error's name, as traces and `String(error)` show it. */
  override name = "InterestsError";
}

/** The defaults, compiled. */
export function defaultInterests(): Interests {
  return compileInterests(DEFAULT_INTERESTS, "defaults");
}

/** Reads and checks an interests file, merged onto the defaults unless it says otherwise. */
export function loadInterests(path: string): Interests {
  let text: string;
  try {
    text = readInputText(path, { what: "interests file", maxBytes: 1 << 20 });
  } catch (error) {
    throw new InterestsError((error as Error).message, { cause: error });
  }
  return parseInterests(text, path);
}

/** Parses an interests file's text; `path` is for messages. */
export function parseInterests(text: string, path: string): Interests {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InterestsError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new InterestsError(`${path}: expected a JSON object of interests`);
  }
  const file = data as Record<string, unknown>;
  for (const key of Object.keys(file)) {
    if (!KEYS.has(key)) {
      throw new InterestsError(
        `${path}: unknown key '${key}'; expected one of ${[...KEYS].join(", ")}`,
      );
    }
  }
  const wrong = (key: string, what: string) =>
    new InterestsError(`${path}: '${key}' must be ${what}`);
  if (file.defaults !== undefined && typeof file.defaults !== "boolean") {
    throw wrong("defaults", "true or false");
  }
  const base = file.defaults === false ? null : DEFAULT_INTERESTS;
  const strings = (key: keyof typeof DEFAULT_INTERESTS) => {
    const value = file[key];
    if (value === undefined) return (base?.[key] ?? []) as string[];
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      throw wrong(key, "an array of strings");
    }
    return [...((base?.[key] ?? []) as string[]), ...value];
  };
  let ports = base?.ports ?? [];
  if (file.ports !== undefined) {
    if (
      !Array.isArray(file.ports) ||
      file.ports.some((item) => typeof item !== "number" && typeof item !== "string")
    ) {
      throw wrong("ports", 'an array of ports: 4444, "tcp/4444" or "udp/69"');
    }
    ports = [...ports, ...file.ports];
  }
  let expected = base?.expectedDirectories ?? {};
  if (file.expectedDirectories !== undefined) {
    const value = file.expectedDirectories;
    if (
      typeof value !== "object" || value === null || Array.isArray(value) ||
      Object.values(value).some((list) =>
        !Array.isArray(list) || list.some((item) => typeof item !== "string")
      )
    ) {
      throw wrong("expectedDirectories", "an object of process name → array of directories");
    }
    expected = { ...expected, ...(value as Record<string, string[]>) };
  }
  const merged = {
    ports,
    processes: strings("processes"),
    modules: strings("modules"),
    users: strings("users"),
    remoteAddresses: strings("remoteAddresses"),
    expectedDirectories: expected,
    suspiciousPaths: strings("suspiciousPaths"),
  };
  try {
    return compileInterests(merged, path);
  } catch (error) {
    throw new InterestsError(`${path}: ${(error as Error).message}`);
  }
}

function compileInterests(
  file: Required<Omit<InterestsFile, "defaults">>,
  source: string,
): Interests {
  const globs = (patterns: string[]) => patterns.map((pattern) => compileGlob(pattern, false));
  const ports = new Set<string>();
  for (const entry of file.ports) {
    const match = /^(?:(tcp|udp)\/)?(\d{1,5})$/i.exec(String(entry).trim());
    const port = Number(match?.[2]);
    if (!match || !(port >= 1 && port <= 65535)) {
      throw new Error(`'${entry}' is not a port: write 4444, "tcp/4444" or "udp/69"`);
    }
    const protocols = match[1] ? [match[1].toUpperCase()] : ["TCP", "UDP"];
    for (const protocol of protocols) ports.add(`${protocol} ${port}`);
  }
  return {
    source,
    ports,
    processes: globs(file.processes),
    modules: globs(file.modules),
    users: globs(file.users),
    remoteAddresses: globs(file.remoteAddresses),
    expectedDirectories: new Map(
      Object.entries(file.expectedDirectories).map(([name, directories]) => [
        name.toLowerCase(),
        globs(directories),
      ]),
    ),
    suspiciousPaths: globs(file.suspiciousPaths),
  };
}

/** The first glob in `globs` that matches `text`, if any. */
export function firstMatch(globs: readonly Glob[], text: string): Glob | undefined {
  if (globs.length === 0) return undefined;
  const folded = text.toLowerCase();
  return globs.find((glob) => glob.matchesFolded(folded));
}
