/**
 * The quiet-host case, timed before the farms open their sockets: `portset -local --json`
 * against an empty `deno run` (the runtime's own start-up and exit, which every invocation pays)
 * and `ss -tuanp`, round-robin, with a census of what the host holds meanwhile.
 *
 * @module
 */

import type { Contender } from "./contenders.ts";
import { progress } from "./progress.ts";
import { runRounds } from "./rounds.ts";
import { countProcessesAndFds, countSsSockets } from "./socket_census.ts";
import type { RunResult } from "./timed_run.ts";

/** The quiet host's timings, and what it held while they were taken. */
export interface QuietHost {
  rounds: number;
  warmup: number;
  /** `ss -Htuan` lines, processes in /proc and their open descriptors, before the rounds. */
  sockets: number;
  processes: number;
  fds: number;
  contenders: readonly Contender[];
  results: Map<Contender, RunResult[]>;
}

/** Times `contenders` round-robin on the host as it is. */
export async function measureQuietHost(
  contenders: readonly Contender[],
  options: { rounds: number; warmup: number; timeoutMs: number },
): Promise<QuietHost> {
  const sockets = await countSsSockets();
  const { processes, fds } = countProcessesAndFds();
  progress(
    `quiet host: ${sockets} sockets, ${processes} processes, ${fds} open descriptors; ` +
      `${options.rounds} rounds`,
  );
  const results = await runRounds(contenders, options);
  return { ...options, sockets, processes, fds, contenders, results };
}
