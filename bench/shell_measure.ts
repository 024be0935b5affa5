/**
 * A shell command timed as the log benches time it: wall seconds and peak resident memory
 * under GNU time, its output thrown away, from the repository's root.
 *
 * @module
 */

const REPO = new URL("../", import.meta.url).pathname;

/** Runs `command` under /usr/bin/time: wall seconds and peak resident KiB. */
export async function measureShell(command: string): Promise<{ seconds: number; peakKib: number }> {
  const started = performance.now();
  const output = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%M", "sh", "-c", `${command} >/dev/null`],
    stdout: "null",
    stderr: "piped",
    cwd: REPO,
  }).output();
  const lines = new TextDecoder().decode(output.stderr).trim().split("\n");
  if (!output.success) throw new Error(`${command} failed:\n${lines.join("\n")}`);
  return { seconds: (performance.now() - started) / 1000, peakKib: Number(lines.at(-1)) };
}

/** The middle of `values`, the upper one of the two middles when their number is even. */
export function upperMedian(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
