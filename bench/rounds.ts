/**
 * Times commands round-robin: every round runs each command once. Interleaving spreads slow
 * drifts of the machine (other load, cache state, thermal limits) over all commands alike, where
 * running all of one command and then all of the next would hand the drift to one of them.
 *
 * @module
 */

import { progress } from "./progress.ts";
import { type RunResult, timedRun } from "./timed_run.ts";

/** A command to time. */
export interface Timed {
  name: string;
  argv: readonly string[];
  cwd?: string;
}

/** How many rounds, and the limit for one run. */
export interface RoundOptions {
  warmup: number;
  rounds: number;
  timeoutMs: number;
}

/**
 * Runs `warmup` untimed rounds, then `rounds` timed ones, and returns each command's timed runs.
 * Each round starts one command later than the one before, so no command always runs first
 * (straight after a heavy one, or with the caches just filled by its own previous run).
 */
export async function runRounds<T extends Timed>(
  commands: readonly T[],
  options: RoundOptions,
): Promise<Map<T, RunResult[]>> {
  const results = new Map<T, RunResult[]>(commands.map((command) => [command, []]));
  const total = options.warmup + options.rounds;
  for (let round = 0; round < total; round++) {
    const warming = round < options.warmup;
    progress(
      warming
        ? `warm-up round ${round + 1} of ${options.warmup}`
        : `round ${round - options.warmup + 1} of ${options.rounds}`,
    );
    for (let i = 0; i < commands.length; i++) {
      const command = commands[(round + i) % commands.length];
      const result = await timedRun(command.argv, {
        cwd: command.cwd,
        timeoutMs: options.timeoutMs,
      });
      if (!result.ok) progress(`${command.name}: ${result.failure}`);
      if (!warming) results.get(command)!.push(result);
    }
  }
  return results;
}
