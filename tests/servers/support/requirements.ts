/**
 * What a server test needs from the host (root, network namespaces, the Debian packages of its
 * daemon and reference clients), and a `Deno.test` wrapper that skips a test with one line
 * naming what is missing, so that the stage passes on a host without the packages.
 *
 * @module
 */

/** Directories searched for tools besides `PATH`: daemons live in sbin, which a plain user's
 * `PATH` may lack even though the tests run them as root. */
const EXTRA_DIRS = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

/** The script that installs every package the stage uses. */
export const INSTALLER = "scripts/install_server_packages.sh";

/** The absolute path of an executable called `name`, or null when there is none. */
export function findTool(name: string): string | null {
  const path = Deno.env.get("PATH") ?? "";
  for (const dir of [...path.split(":").filter((dir) => dir !== ""), ...EXTRA_DIRS]) {
    const candidate = `${dir}/${name}`;
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && ((info.mode ?? 0) & 0o111) !== 0) return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

/**
 * Debian's python3 where there is one: a python3 earlier in PATH (pyenv's shims, say) may not run
 * outside its user's environment.
 */
export function systemPython(): string {
  try {
    if (Deno.statSync("/usr/bin/python3").isFile) return "/usr/bin/python3";
  } catch {
    // not installed from Debian's package
  }
  return "python3";
}

/**
 * A tool a test runs, and the Debian package that ships it (named in the skip line); or, with no
 * tool, a package that must be installed for what it ships besides executables (Samba's schema
 * files and modules, say).
 */
export interface Need {
  /** The executable, looked up in PATH and the sbin directories. */
  tool?: string;
  /** The Debian package. */
  pkg: string;
}

/** Whether dpkg says `pkg` is installed; false where there is no dpkg. */
async function packageInstalled(pkg: string): Promise<boolean> {
  const dpkgQuery = findTool("dpkg-query");
  if (dpkgQuery === null) return false;
  const output = await new Deno.Command(dpkgQuery, {
    args: ["-W", "-f=${Status}", pkg],
    stdout: "piped",
    stderr: "null",
  }).output();
  return output.success && new TextDecoder().decode(output.stdout).endsWith(" installed");
}

/** Tools found by name, as absolute paths. */
export type Tools = Record<string, string>;

/**
 * Whether network namespaces can be made here: root, `ip`, and an `ip netns add` that works
 * (a container without CAP_SYS_ADMIN has the first two and not the third). Asked once.
 */
let namespaceSupport: Promise<string | null> | null = null;

function checkNamespaces(): Promise<string | null> {
  namespaceSupport ??= (async () => {
    if (Deno.build.os !== "linux") return "Linux (network namespaces)";
    if (Deno.uid() !== 0) return "root (to make network namespaces)";
    const ip = findTool("ip");
    if (ip === null) return "ip (package iproute2)";
    const name = `portset-check-${Deno.pid}`;
    const add = await new Deno.Command(ip, {
      args: ["netns", "add", name],
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!add.success) {
      return `a working 'ip netns add' (${new TextDecoder().decode(add.stderr).trim()})`;
    }
    await new Deno.Command(ip, { args: ["netns", "del", name], stdout: "null", stderr: "null" })
      .output();
    return null;
  })();
  return namespaceSupport;
}

/** The package every server test needs, whatever its daemon. */
const BASE_NEEDS: Need[] = [{ tool: "ip", pkg: "iproute2" }, { tool: "ss", pkg: "iproute2" }];

/**
 * What is missing for `needs`, in the words of the skip line, or null when nothing is; and the
 * tools' paths.
 */
export async function findNeeds(needs: readonly Need[]): Promise<
  { missing: string | null; tools: Tools }
> {
  const tools: Tools = {};
  const missingPackages = new Set<string>();
  const missingTools: string[] = [];
  for (const need of [...BASE_NEEDS, ...needs]) {
    if (need.tool === undefined) {
      if (!await packageInstalled(need.pkg)) {
        missingTools.push(`package ${need.pkg}`);
        missingPackages.add(need.pkg);
      }
      continue;
    }
    const path = findTool(need.tool);
    if (path === null) {
      missingTools.push(need.tool);
      missingPackages.add(need.pkg);
    } else {
      tools[need.tool] = path;
    }
  }
  const namespaces = await checkNamespaces();
  const parts: string[] = [];
  if (namespaces !== null) parts.push(namespaces);
  if (missingTools.length > 0) {
    parts.push(
      `${missingTools.join(", ")} (Debian packages ${
        [...missingPackages].join(", ")
      }; ${INSTALLER} installs them)`,
    );
  }
  return { missing: parts.length > 0 ? parts.join("; ") : null, tools };
}

/** Options of {@linkcode serverTest}. */
export interface ServerTestOptions {
  /** The tools the test runs besides `ip` and `ss`. */
  needs: readonly Need[];
  /** The test, given the tools' paths by name. */
  fn: (tools: Tools, t: Deno.TestContext) => Promise<void>;
}

/**
 * Registers a test that runs only where its needs are met; elsewhere it is ignored, after one
 * `skip:` line saying what is missing (Deno's own report of an ignored test says nothing of why).
 */
export async function serverTest(name: string, options: ServerTestOptions): Promise<void> {
  const { missing, tools } = await findNeeds(options.needs);
  if (missing !== null) console.log(`skip: ${name}: needs ${missing}`);
  Deno.test({
    name,
    ignore: missing !== null,
    fn: (t) => options.fn(tools, t),
  });
}
