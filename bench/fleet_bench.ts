/**
 * `deno task bench:fleet`: the report across hosts. Writes `--hosts` (default 50) hosts' worth of
 * synthetic monitor logs (bench/log_generator.ts, `--megabytes` each, default 4; each host with
 * its own name, clients and times, every tenth one running a backdoor), one folder per host, then
 * times, in round-robin rounds on this machine:
 *
 * - `portset report HOST --json` on one host;
 * - `portset report FLEET --json` on every host at once;
 * - the same hosts one at a time, `portset report HOST --json` per host in a shell loop;
 *
 * and reports time, throughput and peak resident memory for each, and the fleet report's time as
 * a ratio of the one-at-a-time loop's. Memory must not grow with the hosts: the fleet report is
 * also run with V8's heap capped at HEAP_CAP_MIB, as the report bench does, and must complete.
 *
 * Logs are kept in `~/.cache/portset-bench/` between runs (`--fresh` rewrites them).
 *
 * @module
 */

import { generateLogs } from "./log_generator.ts";
import { measureShell, upperMedian } from "./shell_measure.ts";
import { scriptArgs } from "./script_args.ts";

const values = scriptArgs(
  "bench:fleet",
  "deno task bench:fleet [--hosts N] [--megabytes N] [--rounds N] [--fresh]",
  {
    hosts: { type: "string", default: "50" },
    megabytes: { type: "string", default: "4" },
    rounds: { type: "string", default: "3" },
    fresh: { type: "boolean", default: false },
  },
);
const hosts = Number(values.hosts);
const megabytes = Number(values.megabytes);
const rounds = Number(values.rounds);
if (!(hosts >= 2) || !(megabytes >= 1) || !(rounds >= 1)) {
  console.error("bench:fleet: --hosts must be at least 2, --megabytes 1 and --rounds 1");
  Deno.exit(2);
}
const REPO = new URL("../", import.meta.url).pathname;
const cache = `${Deno.env.get("HOME") ?? "/tmp"}/.cache/portset-bench`;
const fleet = `${cache}/fleet-${hosts}x${megabytes}M`;
/** V8's old-space limit for the bounded-memory check, MiB, as in the report bench. */
const HEAP_CAP_MIB = 24;

const names = Array.from({ length: hosts }, (_, i) => `host-${String(i + 1).padStart(2, "0")}`);
let ready = false;
try {
  ready = !values.fresh && Deno.statSync(`${fleet}/.complete`).isFile;
} catch {
  // not written yet
}
if (!ready) {
  await Deno.remove(fleet, { recursive: true }).catch(() => {});
  console.error(`writing ${hosts} hosts of ${megabytes} MB of logs to ${fleet} ...`);
  for (const [i, host] of names.entries()) {
    await generateLogs({
      directory: `${fleet}/${host}/logs`,
      bytes: megabytes * 1024 * 1024,
      days: 7,
      host,
      seed: 1000 + i,
      rogue: i % 10 === 9,
    });
  }
  Deno.writeTextFileSync(`${fleet}/.complete`, "");
}

/** Bytes of log files under `directory`. */
function logBytes(directory: string): number {
  let sum = 0;
  for (const entry of Deno.readDirSync(directory)) {
    const path = `${directory}/${entry.name}`;
    if (entry.isDirectory) sum += logBytes(path);
    else if (entry.name.endsWith(".log")) sum += Deno.statSync(path).size;
  }
  return sum;
}

const deno = Deno.execPath();
const portset = `'${deno}' run --allow-all '${REPO}main.ts' report`;
const runs = [
  {
    name: "1 host: portset report HOST --json",
    bytes: logBytes(`${fleet}/${names[0]}`),
    command: `${portset} '${fleet}/${names[0]}/logs' --json`,
  },
  {
    name: `${hosts} hosts: portset report FLEET --json`,
    bytes: logBytes(fleet),
    command: `${portset} '${fleet}' --json`,
  },
  {
    name: `${hosts} hosts one at a time: a loop of portset report HOST --json`,
    bytes: logBytes(fleet),
    command: `for d in '${fleet}'/host-*/logs; do ${portset} "$d" --json || exit 1; done`,
  },
];
const results = runs.map(() => ({ seconds: [] as number[], peak: 0 }));
for (let round = 0; round < rounds; round++) {
  for (let i = 0; i < runs.length; i++) {
    // Round-robin, starting one run later each round.
    const at = (i + round) % runs.length;
    const result = await measureShell(runs[at].command);
    results[at].seconds.push(result.seconds);
    results[at].peak = Math.max(results[at].peak, result.peakKib);
  }
}
let capped: string;
try {
  const result = await measureShell(
    `'${deno}' run --allow-all --v8-flags=--max-old-space-size=${HEAP_CAP_MIB} ` +
      `'${REPO}main.ts' report '${fleet}' --json`,
  );
  capped = `completed, peak ${(result.peakKib / 1024).toFixed(0)} MiB`;
} catch {
  capped = "FAILED (out of memory)";
}

console.log(
  `portset report across ${hosts} hosts of synthetic monitor logs (${megabytes} MB each), ` +
    `median of ${rounds} rounds\n`,
);
console.log("| run | logs | median time | throughput | peak RSS (max of rounds) |");
console.log("|---|---:|---:|---:|---:|");
runs.forEach((run, i) => {
  const seconds = upperMedian(results[i].seconds);
  console.log(
    `| ${run.name} | ${(run.bytes / 1024 ** 2).toFixed(0)} MiB | ${seconds.toFixed(2)} s | ${
      (run.bytes / 1024 ** 2 / seconds).toFixed(0)
    } MiB/s | ${(results[i].peak / 1024).toFixed(0)} MiB |`,
  );
});
const fleetSeconds = upperMedian(results[1].seconds);
console.log(
  `\nfleet report ÷ one host at a time: ${
    (fleetSeconds / upperMedian(results[2].seconds)).toFixed(2)
  }` +
    `; peak RSS ${hosts} hosts ÷ 1 host: ${(results[1].peak / results[0].peak).toFixed(2)}`,
);
console.log(`heap capped at ${HEAP_CAP_MIB} MiB, ${hosts} hosts: ${capped}`);
const pass = !capped.startsWith("FAILED");
console.log(
  `memory: ${pass ? "PASS" : "FAIL"} (target: does not grow with the hosts; the fleet completes ` +
    `within the ${HEAP_CAP_MIB} MiB heap a single host's report is checked with)`,
);
if (!pass) Deno.exit(1);
