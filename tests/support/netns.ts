/**
 * Running a shell script inside a network namespace of its own (`unshare -n`, as root): only a
 * loopback interface, brought up by the script's preamble, no listener of the host's, and
 * firewall rules and sysctls that vanish with it. portset runs inside through `PORTSET`, the
 * command line that starts the CLI from the repository.
 *
 * @module
 */

import { exists, isRoot, REPO_ROOT } from "./processes.ts";

/** Why namespace tests cannot run here, or null when they can. */
export function namespaceUnavailable(...commands: string[]): string | null {
  if (!isRoot()) return "needs root to create a network namespace";
  for (const command of ["unshare", "ip", ...commands]) {
    const found = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].some((dir) =>
      exists(`${dir}/${command}`)
    );
    if (!found) return `needs ${command} (apt-get install ${packageOf(command)})`;
  }
  return null;
}

function packageOf(command: string): string {
  return { ip: "iproute2", unshare: "util-linux", ip6tables: "iptables" }[command] ?? command;
}

/** What a script in a namespace printed, and its exit code. */
export interface NamespaceRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` (sh) in a new network namespace whose loopback is up. The script can run
 * portset as `$PORTSET ARGS`.
 */
export async function inNewNamespace(script: string): Promise<NamespaceRun> {
  const portset = `${Deno.execPath()} run --allow-all ${REPO_ROOT}main.ts`;
  const output = await new Deno.Command("unshare", {
    args: ["-n", "sh", "-c", `set -e; ip link set lo up; ${script}`],
    env: { PORTSET: portset, DENO_NO_UPDATE_CHECK: "1" },
    stdin: "null",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** One result line of `portset -n --json`. */
export interface JsonResult {
  protocol: string;
  port: number;
  state: string;
  reason: string | null;
  query: string | null;
  detail: string | null;
}

/** The results of `portset -n ... --json` output; throws with the output when it is not JSON. */
export function jsonResults(run: NamespaceRun): JsonResult[] {
  try {
    return JSON.parse(run.stdout).results;
  } catch {
    throw new Error(`not portset's JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}
