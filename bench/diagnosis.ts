/**
 * Explains portset's wall time by measuring its parts: the Deno runtime's start-up alone (an empty
 * script), start-up plus loading the CLI's modules (`--version`), and each phase of a collection
 * timed inside fresh processes by `collect_profile.ts`.
 *
 * @module
 */

import type { Profile } from "./collect_profile.ts";
import { REPO_ROOT } from "./contenders.ts";
import { progress } from "./progress.ts";
import { median } from "./stats.ts";
import { timedRun } from "./timed_run.ts";

/** Medians over the diagnosis rounds; times in milliseconds, memory in KiB. */
export interface Diagnosis {
  rounds: number;
  emptyScript: { wallMs: number; maxRssKib: number };
  version: { wallMs: number; maxRssKib: number };
  /** The profile script in `pipeline` mode: wall time outside, phases inside. */
  pipelineWallMs: number;
  pipeline: Profile;
  split: Profile;
}

const deno = Deno.execPath();
const PROFILE_SCRIPT = "bench/collect_profile.ts";

/** Medians of each field over several profiles. */
function medianProfile(profiles: readonly Profile[]): Profile {
  const keys = new Set(profiles.flatMap((profile) => Object.keys(profile)));
  return Object.fromEntries(
    [...keys].map((key) => [key, median(profiles.map((profile) => profile[key] ?? NaN))]),
  );
}

/** Runs the diagnosis commands round-robin, `warmup` untimed rounds first. */
export async function diagnose(
  rounds: number,
  warmup: number,
  timeoutMs: number,
): Promise<Diagnosis> {
  const out = await Deno.makeTempFile({ prefix: "portset-bench-profile-", suffix: ".json" });
  try {
    const run = async (args: string[]) => {
      const result = await timedRun([deno, ...args], { cwd: REPO_ROOT, timeoutMs });
      if (!result.ok) throw new Error(`deno ${args.join(" ")}: ${result.failure}`);
      return result;
    };
    const profile = async (mode: string) => {
      const result = await run([
        "run",
        "--allow-all",
        PROFILE_SCRIPT,
        "--mode",
        mode,
        "--out",
        out,
      ]);
      return { result, profile: JSON.parse(await Deno.readTextFile(out)) as Profile };
    };

    const empty = [], version = [], pipelineWall = [], pipeline = [], split = [];
    for (let round = 0; round < warmup + rounds; round++) {
      progress(`diagnosis round ${round + 1} of ${warmup + rounds}`);
      const emptyRun = await run(["run", "--allow-all", "bench/noop.ts"]);
      const versionRun = await run(["run", "--allow-all", "main.ts", "--version"]);
      const pipelineRun = await profile("pipeline");
      const splitRun = await profile("split");
      if (round < warmup) continue;
      empty.push(emptyRun);
      version.push(versionRun);
      pipelineWall.push(pipelineRun.result.wallMs);
      pipeline.push(pipelineRun.profile);
      split.push(splitRun.profile);
    }
    return {
      rounds,
      emptyScript: {
        wallMs: median(empty.map((run) => run.wallMs)),
        maxRssKib: median(empty.map((run) => run.maxRssKib)),
      },
      version: {
        wallMs: median(version.map((run) => run.wallMs)),
        maxRssKib: median(version.map((run) => run.maxRssKib)),
      },
      pipelineWallMs: median(pipelineWall),
      pipeline: medianProfile(pipeline),
      split: medianProfile(split),
    };
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}
