/**
 * Counts the host's sockets two independent ways, `ss` and portset's JSON, to check that the farms
 * are up before timing starts and that portset sees what `ss` sees; and its processes and open
 * file descriptors, which the owner scan reads.
 *
 * @module
 */

import type { Contender } from "./contenders.ts";

async function stdoutOf(argv: readonly string[], cwd?: string): Promise<string> {
  const { success, code, stdout, stderr } = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!success) {
    const message = new TextDecoder().decode(stderr).trim();
    throw new Error(`${argv.join(" ")} exited with code ${code}: ${message}`);
  }
  return new TextDecoder().decode(stdout);
}

function lines(text: string): string[] {
  return text.split("\n").filter((line) => line.trim() !== "");
}

/** The TCP and UDP sockets `ss -Htuan` lists (all states, no header). */
export async function countSsSockets(): Promise<number> {
  return lines(await stdoutOf(["ss", "-Htuan"])).length;
}

/**
 * The sockets `ss -Htuanp` attributes to any of `pids`: exactly the farms' sockets, whatever else
 * the host has open meanwhile.
 */
export async function countOwnedBy(pids: readonly number[]): Promise<number> {
  const wanted = new Set(pids);
  let owned = 0;
  for (const line of lines(await stdoutOf(["ss", "-Htuanp"]))) {
    for (const match of line.matchAll(/pid=(\d+)/g)) {
      if (wanted.has(Number(match[1]))) {
        owned++;
        break;
      }
    }
  }
  return owned;
}

/**
 * The endpoints in portset's JSON output: those of the network namespace it runs in (the ones
 * `ss -tuan` lists too) and those of every other namespace on the host.
 */
export async function countPortsetEndpoints(
  portset: Contender,
): Promise<{ current: number; others: number }> {
  const output = JSON.parse(await stdoutOf(portset.argv, portset.cwd));
  if (!Array.isArray(output?.endpoints)) {
    throw new Error(`${portset.name} printed JSON without an endpoints array`);
  }
  const endpoints = output.endpoints as { netns?: { current?: boolean } | null }[];
  const current = endpoints.filter(({ netns }) => !netns || netns.current).length;
  return { current, others: endpoints.length - current };
}

/**
 * The processes in /proc and their open file descriptors: what portset's owner scan reads (one
 * readlink per descriptor), so what a "quiet" host's figures depend on.
 */
export function countProcessesAndFds(): { processes: number; fds: number } {
  let processes = 0, fds = 0;
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    processes++;
    try {
      for (const _ of Deno.readDirSync(`/proc/${entry.name}/fd`)) fds++;
    } catch {
      // exited, or not ours to read
    }
  }
  return { processes, fds };
}
