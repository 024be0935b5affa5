/**
 * The monitor's steady-state cost (`deno task bench:tick`): with 16,000 sockets open and nothing
 * changing, the CPU time of one tick (a snapshot reusing the owners it knows, the closes the
 * kernel told of since the last, and the diff with the last one, as the monitor's loop makes
 * them) against the CPU time of one `ss -tuan`, the bare netlink dump. Target: ≤ 1.5×. With
 * `--namespaces N`, N network namespaces are made first, each holding a listener and a UDP
 * socket (issue 16): every tick dumps each of them too, which `ss -tuan` does not.
 *
 * @module
 */

import process from "node:process";
import { LinuxCollector } from "../collectors/linux/mod.ts";
import { SocketTracker } from "../monitor/tracker.ts";
import { SocketFarms } from "./farms.ts";
import { BenchNamespaces } from "./namespaces.ts";
import { describeMachine } from "./machine.ts";
import { median } from "./stats.ts";
import { GNU_TIME } from "./timed_run.ts";
import { scriptArgs } from "./script_args.ts";

const values = scriptArgs(
  "bench:tick",
  "deno task bench:tick [--sockets N] [--ticks N] [--namespaces N]",
  {
    sockets: { type: "string", default: "16000" },
    ticks: { type: "string", default: "30" },
    namespaces: { type: "string", default: "0" },
  },
);
const sockets = Number(values.sockets), ticks = Number(values.ticks);
const namespaceCount = Number(values.namespaces);
if (![sockets, ticks, namespaceCount].every((value) => Number.isInteger(value) && value >= 0)) {
  console.error("bench:tick: --sockets, --ticks and --namespaces take whole numbers");
  Deno.exit(2);
}

/** CPU milliseconds (user + system) this process has used. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU milliseconds per run of `ss -tuan`, from GNU time around a loop of `runs` of them. */
async function ssCpuMs(runs: number): Promise<number> {
  const output = await new Deno.Command(GNU_TIME, {
    args: [
      "-f",
      "%U %S",
      "sh",
      "-c",
      `i=0; while [ $i -lt ${runs} ]; do ss -tuan >/dev/null; i=$((i+1)); done`,
    ],
    stderr: "piped",
  }).output();
  const [user, system] = new TextDecoder().decode(output.stderr).trim().split("\n").at(-1)!.split(
    " ",
  ).map(Number);
  return ((user + system) * 1000) / runs;
}

const farms = new SocketFarms();
const namespaces = new BenchNamespaces();
const stop = () => Promise.all([farms.stop(), namespaces.stop()]);
Deno.addSignalListener("SIGINT", stop);
try {
  await namespaces.start(namespaceCount);
  const opened = await farms.start(4, sockets, 60_000);
  const machine = await describeMachine();
  const collector = await LinuxCollector.open();
  const tracker = new SocketTracker();
  // As the monitor does: subscribed to the kernel's closes before the first look, drained after
  // each (every namespace's own subscription included).
  collector.takeDestroyed();
  const tick = () => {
    const endpoints = collector.collect({ reuseOwners: true }).endpoints;
    collector.takeDestroyed();
    return tracker.update(endpoints).length;
  };
  const first = collector.collect({ reuseOwners: true });
  collector.takeDestroyed();
  tracker.reset(first.endpoints);
  for (let i = 0; i < 3; i++) tick();

  const cpu: number[] = [], wall: number[] = [];
  let changes = 0;
  for (let i = 0; i < ticks; i++) {
    const cpuBefore = cpuMs(), wallBefore = performance.now();
    changes += tick();
    cpu.push(cpuMs() - cpuBefore);
    wall.push(performance.now() - wallBefore);
  }
  collector.close();
  const ss = await ssCpuMs(ticks);
  const tickCpu = cpu.reduce((a, b) => a + b, 0) / ticks;
  const ratio = tickCpu / ss;

  const inNamespaces = namespaceCount > 0
    ? `, and ${namespaceCount} network namespaces holding ${namespaces.sockets} more`
    : "";
  console.log(`# Monitor tick cost: ${opened} sockets${inNamespaces}, no churn\n`);
  console.log(`- date: ${new Date().toISOString()}`);
  console.log(
    `- machine: ${machine.system}; CPU ${machine.cpu}; nproc ${machine.cpus}; Deno ${Deno.version.deno}`,
  );
  console.log(
    `- ${first.endpoints.length} endpoints per snapshot; ${changes} changes seen in ${ticks} ticks (other activity on the host)\n`,
  );
  console.log("| measure | portset tick | ss -tuan |");
  console.log("| --- | ---: | ---: |");
  console.log(`| CPU per run, mean (ms) | ${tickCpu.toFixed(1)} | ${ss.toFixed(1)} |`);
  console.log(`| wall per tick, median (ms) | ${median(wall).toFixed(1)} | |\n`);
  console.log(
    `tick CPU / ss -tuan CPU = ${ratio.toFixed(2)} (target ≤ 1.5): ${
      ratio <= 1.5 ? "PASS" : "FAIL"
    }`,
  );
} finally {
  Deno.removeSignalListener("SIGINT", stop);
  await farms.stop();
  await namespaces.stop();
}
