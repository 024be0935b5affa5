/**
 * The commands the benchmark times: portset and the usual tools that list the same sockets with
 * their owning processes (and `ss -tuan`, the floor: the same netlink dump with no owners).
 *
 * @module
 */

import { ensureTool, type Tool } from "./tools.ts";

/** The repository root, where `main.ts` is. */
export const REPO_ROOT = new URL("..", import.meta.url).pathname;

/** Debian's Python, not a pyenv or venv one on PATH: python3-psutil installs for this one. */
const DEBIAN_PYTHON = "/usr/bin/python3";

/** One timed command. */
export interface Contender {
  /** The name in the report. */
  name: string;
  argv: readonly string[];
  cwd?: string;
  tool?: Tool;
}

/** The portset run being measured, as a user runs it from a checkout. */
export const PORTSET: Contender = {
  name: "portset -local --json",
  argv: [Deno.execPath(), "run", "--allow-all", "main.ts", "-local", "--json"],
  cwd: REPO_ROOT,
};

/** The default text report, which the same target holds for. */
export const PORTSET_TEXT: Contender = {
  name: "portset -local (text report)",
  argv: [Deno.execPath(), "run", "--allow-all", "main.ts", "-local"],
  cwd: REPO_ROOT,
};

/**
 * An empty script run the same way: the Deno runtime's own start-up and exit, which every
 * invocation pays. On a quiet host portset is held to 1.5x of it.
 */
export const EMPTY_RUN: Contender = {
  name: "deno run of an empty script",
  argv: [Deno.execPath(), "run", "--allow-all", "bench/noop.ts"],
  cwd: REPO_ROOT,
};

/**
 * The quiet host's floor: the system calls `-local --json` cannot do without (libc loaded, the
 * sock_diag dumps, a readlink of every open descriptor), from a script with no module.
 */
export const FLOOR_RUN: Contender = {
  name: "deno run of the same system calls, no module",
  argv: [Deno.execPath(), "run", "--allow-all", "bench/quiet_floor.ts"],
  cwd: REPO_ROOT,
};

/** The modules `-local --json` loads, loaded and nothing run: what portset's code costs to load. */
export const MODULES_RUN: Contender = {
  name: "deno run loading the modules of -local --json, nothing run",
  argv: [Deno.execPath(), "run", "--allow-all", "bench/quiet_modules.ts"],
  cwd: REPO_ROOT,
};

/** The reference `portset -local --json` must not be slower than. */
export const SS_WITH_OWNERS = "ss -tuanp";

/** The same dump without owners: the floor for any tool reading sock_diag. */
export const SS_WITHOUT_OWNERS = "ss -tuan";

/** Every timed command on the busy host, portset first. */
export const CONTENDERS: readonly Contender[] = [
  PORTSET,
  PORTSET_TEXT,
  {
    name: SS_WITH_OWNERS,
    argv: ["ss", "-tuanp"],
    tool: { name: "ss", probe: ["ss", "-V"], aptPackage: "iproute2" },
  },
  {
    name: SS_WITHOUT_OWNERS,
    argv: ["ss", "-tuan"],
    tool: { name: "ss", probe: ["ss", "-V"], aptPackage: "iproute2" },
  },
  {
    name: "netstat -tuanp",
    argv: ["netstat", "-tuanp"],
    tool: { name: "netstat", probe: ["netstat", "--version"], aptPackage: "net-tools" },
  },
  {
    name: "lsof -i -nP",
    argv: ["lsof", "-i", "-nP"],
    tool: { name: "lsof", probe: ["lsof", "-v"], aptPackage: "lsof" },
  },
  {
    name: "psutil.net_connections('inet')",
    argv: [DEBIAN_PYTHON, "-c", "import psutil; psutil.net_connections('inet')"],
    tool: {
      name: "python3-psutil",
      probe: [DEBIAN_PYTHON, "-c", "import psutil"],
      aptPackage: "python3-psutil",
    },
  },
];

/** The commands timed on the quiet host, before the farms open their sockets. */
export const QUIET_CONTENDERS: readonly Contender[] = [
  PORTSET,
  EMPTY_RUN,
  FLOOR_RUN,
  MODULES_RUN,
  CONTENDERS.find((contender) => contender.name === SS_WITH_OWNERS)!,
];

/** GNU time itself, which every measurement needs. */
export const GNU_TIME_TOOL: Tool = {
  name: "GNU time",
  probe: ["/usr/bin/time", "-f", "%e", "true"],
  aptPackage: "time",
};

/** Each contender with null when it can run, or why it cannot. */
export async function checkContenders(
  contenders: readonly Contender[],
): Promise<Map<Contender, string | null>> {
  const availability = new Map<Contender, string | null>();
  for (const contender of contenders) {
    availability.set(contender, contender.tool ? await ensureTool(contender.tool) : null);
  }
  return availability;
}
