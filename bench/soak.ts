/**
 * Soak test of the monitor (`deno task soak`; not part of CI): `portset monitor --log-dir` runs
 * for 10 minutes while this script opens and closes about 500 listeners a second on loopback
 * (about 1,000 socket changes a second), most of them living a fraction of a second, many
 * shorter than the monitor's tick. At the end it checks that
 * - the monitor's memory stayed flat (resident size in the last minute against the second), and
 * - no listener was missed: PR-PORTS has one `listen` line for each listener opened.
 *
 * `--minutes N` and `--rate N` (listeners a second) change the load; `--minutes 1` is a quick run.
 *
 * @module
 */

import { PORTS_FIELDS } from "../port_reporter/layout.ts";
import { check, libc } from "../tests/support/libc.ts";
import { scriptArgs } from "./script_args.ts";

const values = scriptArgs(
  "soak",
  "deno task soak [--minutes N] [--rate N]",
  {
    minutes: { type: "string", default: "10" },
    rate: { type: "string", default: "500" },
  },
);
const minutes = Number(values.minutes), rate = Number(values.rate);
const ADDRESS = [127, 0, 0, 99];
const REPO = new URL("../", import.meta.url).pathname;

/** A TCP listener on 127.0.0.99, port chosen by the kernel. */
function listen(): number {
  const fd = check(libc.socket(2, 1 | 0o2000000, 0), "socket");
  const address = new Uint8Array(16);
  address[0] = 2;
  address.set(ADDRESS, 4);
  check(libc.bind(fd, address, 16), "bind");
  check(libc.listen(fd, 1), "listen");
  return fd;
}

/** Resident set size of `pid`, KiB. */
function rssKib(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(Deno.readTextFileSync(`/proc/${pid}/status`));
  return match ? Number(match[1]) : NaN;
}

const logDirectory = Deno.makeTempDirSync({ prefix: "portset-soak-" }) + "/logs";
const monitor = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--allow-all",
    `${REPO}main.ts`,
    "monitor",
    "--log-dir",
    logDirectory,
    "--interval",
    "1",
  ],
  stdout: "null",
  stderr: "piped",
}).spawn();
const stderr = monitor.stderr.pipeThrough(new TextDecoderStream()).getReader();
let started = "";
while (!started.includes("monitoring every")) {
  const { value, done } = await stderr.read();
  if (done) throw new Error(`the monitor did not start:\n${started}`);
  started += value;
}
// Keep reading, so the monitor never blocks on a full pipe; its last words are printed at the end.
const stderrText = (async () => {
  for (;;) {
    const { value, done } = await stderr.read();
    if (done) return started;
    started += value;
  }
})();

console.error(
  `soak: ${minutes} min, ${rate} listeners/s on 127.0.0.99, monitor pid ${monitor.pid}, logs in ${logDirectory}`,
);
const open: { fd: number; until: number }[] = [];
let opened = 0;
const samples: { second: number; rssKib: number }[] = [];
const start = Date.now(), end = start + minutes * 60_000;
let nextSample = start;
try {
  while (Date.now() < end) {
    const now = Date.now();
    // Open this slice's share of listeners, each to live 0 to 1.5 s.
    const due = Math.floor(((now - start) / 1000) * rate) - opened;
    for (let i = 0; i < due; i++) {
      open.push({ fd: listen(), until: now + Math.random() * 1500 });
      opened++;
    }
    for (let i = open.length - 1; i >= 0; i--) {
      if (open[i].until <= now) {
        libc.close(open[i].fd);
        open.splice(i, 1);
      }
    }
    if (now >= nextSample) {
      samples.push({ second: Math.round((now - start) / 1000), rssKib: rssKib(monitor.pid) });
      nextSample += 5_000;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
} finally {
  for (const { fd } of open) libc.close(fd);
}
// Two more ticks for the last closes, then a clean stop.
await new Promise((resolve) => setTimeout(resolve, 2_500));
monitor.kill("SIGTERM");
const status = await monitor.status;
console.error((await stderrText).trim());

let listens = 0, closes = 0;
for (const entry of Deno.readDirSync(logDirectory)) {
  if (!entry.name.startsWith("PR-PORTS-")) continue;
  const lines = Deno.readTextFileSync(`${logDirectory}/${entry.name}`).split("\n");
  for (const line of lines.slice(lines.indexOf(PORTS_FIELDS) + 1)) {
    if (!line.includes(",127.0.0.99,")) continue;
    if (line.includes(",listen,")) listens++;
    if (line.includes(",close,")) closes++;
  }
}
const mean = (list: typeof samples) => list.reduce((sum, s) => sum + s.rssKib, 0) / list.length;
const early = samples.filter((s) => s.second >= 60 && s.second < 120);
const late = samples.filter((s) => s.second >= minutes * 60 - 60);
const growth = early.length && late.length ? mean(late) / mean(early) - 1 : NaN;

console.log(`# Monitor soak: ${minutes} min, ${rate} listeners/s\n`);
console.log(`- date: ${new Date().toISOString()}; monitor exit code ${status.code}`);
console.log(
  `- listeners opened: ${opened}; PR-PORTS listen lines: ${listens}; close lines: ${closes}`,
);
console.log(
  `- monitor RSS: ${samples.map((s) => `${s.second}s ${Math.round(s.rssKib / 1024)}M`).join(", ")}`,
);
console.log(
  `no missed listener: ${listens === opened ? "PASS" : `FAIL (${opened - listens} missed)`}`,
);
console.log(
  Number.isNaN(growth)
    ? "memory: run 2 minutes or more to compare"
    : `memory, last minute against the second: ${(growth * 100).toFixed(1)}% (flat: under 10%): ${
      growth < 0.1 ? "PASS" : "FAIL"
    }`,
);
Deno.removeSync(logDirectory.replace(/\/logs$/, ""), { recursive: true });
