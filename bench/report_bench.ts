/**
 * `deno task bench:report`: how `portset report` copes with a month of logs. Writes synthetic
 * monitor logs of two sizes (a quarter and all of `--megabytes`, default 400), then times
 * `portset report DIR --json` on each beside two floors that only read the same bytes (`wc -l`
 * and an `awk` tally of PR-PORTS by port), all in one run on this machine, and reports
 *
 * - throughput, and time as a ratio to each floor;
 * - peak resident memory for both sizes, and the target: memory does not grow with the logs.
 *   Peak RSS alone cannot show that (V8 sizes its heap by how fast garbage is made, so it moves
 *   by tens of MiB from run to run), so each size is also read once with V8's heap capped at
 *   HEAP_CAP_MIB: both complete only if what the analysis keeps stays small, whatever the length.
 *
 * Logs are kept in `~/.cache/portset-bench/` between runs (`--fresh` rewrites them).
 *
 * @module
 */

import { generateLogs } from "./log_generator.ts";
import { measureShell, upperMedian } from "./shell_measure.ts";
import { scriptArgs } from "./script_args.ts";

const values = scriptArgs(
  "bench:report",
  "deno task bench:report [--megabytes N] [--rounds N] [--fresh]",
  {
    megabytes: { type: "string", default: "400" },
    rounds: { type: "string", default: "3" },
    fresh: { type: "boolean", default: false },
  },
);
const megabytes = Number(values.megabytes);
const rounds = Number(values.rounds);
if (!(megabytes >= 4) || !(rounds >= 1)) {
  console.error("bench:report: --megabytes must be at least 4 and --rounds at least 1");
  Deno.exit(2);
}
const REPO = new URL("../", import.meta.url).pathname;
const cache = `${Deno.env.get("HOME") ?? "/tmp"}/.cache/portset-bench`;

async function logs(size: number): Promise<{ directory: string; bytes: number; files: string[] }> {
  const directory = `${cache}/logs-${size}M`;
  let ready = false;
  try {
    ready = !values.fresh && Deno.statSync(`${directory}/.complete`).isFile;
  } catch {
    // not written yet
  }
  if (!ready) {
    await Deno.remove(directory, { recursive: true }).catch(() => {});
    console.error(`writing ${size} MB of logs to ${directory} ...`);
    await generateLogs({ directory, bytes: size * 1024 * 1024 });
    Deno.writeTextFileSync(`${directory}/.complete`, "");
  }
  const files = [...Deno.readDirSync(directory)].map((entry) => entry.name)
    .filter((name) => name.endsWith(".log")).sort();
  const bytes = files.reduce((sum, name) => sum + Deno.statSync(`${directory}/${name}`).size, 0);
  return { directory, bytes, files };
}

/** V8's old-space limit for the bounded-memory check, MiB: a tenth of the smaller logs. */
const HEAP_CAP_MIB = 24;

const deno = Deno.execPath();
const sizes = [Math.max(4, Math.round(megabytes / 4)), megabytes];
const rows: string[][] = [];
const peaks: number[] = [];
const capped: { size: number; ok: boolean; peakKib: number }[] = [];
for (const size of sizes) {
  const { directory, bytes, files } = await logs(size);
  const ports = files.filter((name) => name.startsWith("PR-PORTS-")).map((name) =>
    `'${directory}/${name}'`
  )
    .join(" ");
  const commands = {
    portset: `'${deno}' run --allow-all '${REPO}main.ts' report '${directory}' --json`,
    wc: `cat '${directory}'/*.log | wc -l`,
    awk: `awk -F, 'NF>9 {n[$3" "$4]++} END {for (k in n) print k, n[k]}' ${ports}`,
  };
  const times: Record<string, number[]> = { portset: [], wc: [], awk: [] };
  let peak = 0;
  for (let round = 0; round < rounds; round++) {
    for (const [name, command] of Object.entries(commands)) {
      const result = await measureShell(command);
      times[name].push(result.seconds);
      if (name === "portset") peak = Math.max(peak, result.peakKib);
    }
  }
  peaks.push(peak);
  try {
    const result = await measureShell(
      `'${deno}' run --allow-all --v8-flags=--max-old-space-size=${HEAP_CAP_MIB} ` +
        `'${REPO}main.ts' report '${directory}' --json`,
    );
    capped.push({ size, ok: true, peakKib: result.peakKib });
  } catch {
    capped.push({ size, ok: false, peakKib: 0 });
  }
  const seconds = upperMedian(times.portset);
  rows.push([
    `${(bytes / 1024 ** 2).toFixed(0)} MiB, ${files.length} files`,
    `${(bytes / 1024 ** 2 / seconds).toFixed(0)} MiB/s`,
    (seconds / upperMedian(times.wc)).toFixed(1),
    (seconds / upperMedian(times.awk)).toFixed(2),
    `${(peak / 1024).toFixed(0)} MiB`,
  ]);
}

console.log(`portset report on a month of synthetic monitor logs, median of ${rounds} rounds\n`);
console.log(
  "| logs | portset report --json | ÷ `wc -l` | ÷ `awk` tally of PR-PORTS | peak memory |",
);
console.log("|---|---|---|---|---|");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
const growth = peaks[1] / peaks[0];
console.log(
  `\npeak memory: ${sizes[1]} MB of logs ÷ ${sizes[0]} MB: ${growth.toFixed(2)}× for ${
    (sizes[1] / sizes[0]).toFixed(0)
  }× the logs (V8's heap sizing, not what is kept; see the capped runs)`,
);
const pass = capped.every((run) => run.ok);
for (const run of capped) {
  console.log(
    `heap capped at ${HEAP_CAP_MIB} MiB, ${run.size} MB of logs: ${
      run.ok ? `completed, peak ${(run.peakKib / 1024).toFixed(0)} MiB` : "FAILED (out of memory)"
    }`,
  );
}
console.log(
  `memory: ${pass ? "PASS" : "FAIL"} (target: does not grow with the logs; both sizes complete ` +
    `within the same ${HEAP_CAP_MIB} MiB heap)`,
);
if (!pass) Deno.exit(1);
