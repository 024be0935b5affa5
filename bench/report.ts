/**
 * The benchmark's Markdown report: the setting, one table row per command, the pass/fail lines of
 * the targets, and the diagnosis of portset's time.
 *
 * @module
 */

import { type Contender, FLOOR_RUN, MODULES_RUN, SS_WITHOUT_OWNERS } from "./contenders.ts";
import type { Diagnosis } from "./diagnosis.ts";
import type { Machine } from "./machine.ts";
import type { QuietHost } from "./quiet_host.ts";
import { median, range } from "./stats.ts";
import type { RunResult } from "./timed_run.ts";

/** The targets. */
export const TARGET_RATIO_TO_SS = 1.0;
export const TARGET_PEAK_MIB = 100;
/** On a quiet host: portset ÷ an empty `deno run`. */
export const TARGET_QUIET_RATIO = 1.5;
/** How far portset's endpoint count may be from `ss`'s: sockets open and close between the two. */
export const ENDPOINT_TOLERANCE = 5;

/** Everything the report shows. */
export interface ReportInput {
  machine: Machine;
  /** What the harness adds to every run's wall time. */
  overheadMs: number;
  rounds: number;
  warmup: number;
  farms: number;
  /** Sockets the farms said they opened, and how many of them `ss -p` attributed to the farms. */
  opened: number;
  ownedByFarms: number;
  /** `ss -Htuan` lines before the farms started and once they were ready. */
  ssBaseline: number;
  ssWithFarms: number;
  /** The correctness check: `ss -Htuan` lines just before and after one portset run. */
  endpointCheck: {
    ssBefore: number;
    /** portset's endpoints in its own network namespace, and in all the others. */
    portset: { current: number; others: number };
    ssAfter: number;
    /** The sockets the bench's own namespaces hold, among portset's `others`. */
    namespaces: number;
  };
  contenders: readonly Contender[];
  /** Null where the contender ran, else why it could not. */
  availability: Map<Contender, string | null>;
  results: Map<Contender, RunResult[]>;
  portset: Contender;
  /** The text report, held to the same target as the JSON. */
  portsetText: Contender;
  ssWithOwners: Contender;
  diagnosis: Diagnosis | null;
  /** The quiet host's rounds, taken before the farms started; null when skipped. */
  quiet: QuietHost | null;
}

const MIB = 1024;

function ms(value: number): string {
  return Number.isNaN(value) ? "–" : value.toFixed(1);
}

function mib(kib: number): string {
  return Number.isNaN(kib) ? "–" : (kib / MIB).toFixed(1);
}

function verdict(pass: boolean): string {
  return pass ? "PASS" : "FAIL";
}

interface Summary {
  medianMs: number;
  minMs: number;
  maxMs: number;
  medianRssKib: number;
  peakRssKib: number;
  succeeded: number;
  failed: number;
}

/** Statistics over a command's successful runs; failed runs would time an error path. */
function summarize(runs: readonly RunResult[]): Summary {
  const good = runs.filter((run) => run.ok);
  const wall = good.map((run) => run.wallMs), rss = good.map((run) => run.maxRssKib);
  const { min, max } = range(wall);
  return {
    medianMs: median(wall),
    minMs: min,
    maxMs: max,
    medianRssKib: median(rss),
    peakRssKib: range(rss).max,
    succeeded: good.length,
    failed: runs.length - good.length,
  };
}

/** Renders the report. */
export function formatReport(input: ReportInput): string {
  const { machine } = input;
  const summaries = new Map<Contender, Summary>();
  for (const contender of input.contenders) {
    summaries.set(contender, summarize(input.results.get(contender) ?? []));
  }
  const portset = summaries.get(input.portset)!;
  const portsetText = summaries.get(input.portsetText);
  const ss = summaries.get(input.ssWithOwners);
  const lines: string[] = [];

  lines.push(
    "# portset -local --json: benchmark",
    "",
    `- date: ${machine.date}`,
    `- machine: ${machine.system}; CPU ${machine.cpu}; nproc ${machine.cpus}; Deno ${machine.deno}`,
    `- sockets: ${input.opened} opened on loopback by ${input.farms} farm processes ` +
      `(ss -tuanp attributes ${input.ownedByFarms} to them); ss -Htuan lists ` +
      `${input.ssWithFarms} sockets in all (${input.ssBaseline} before the farms started)`,
    `- runs: ${input.rounds} timed rounds after ${input.warmup} warm-up round(s), each round ` +
      `running every command once (round-robin, starting one command later each round); ` +
      `stdout to /dev/null`,
    `- time: wall clock from spawn to exit, through GNU time (which adds ` +
      `${ms(input.overheadMs)} ms: its run of \`true\`); memory: peak RSS (GNU time %M)`,
    "",
    "Ratio column: portset ÷ command, i.e. portset's median time divided by the command's " +
      "(below 1.0: portset is faster).",
    "",
    "| command | median (ms) | min–max (ms) | portset ÷ command | median peak RSS (MiB) | " +
      "max peak RSS (MiB) | runs |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const contender of input.contenders) {
    const unavailable = input.availability.get(contender);
    if (unavailable) {
      lines.push(`| ${contender.name} | ${unavailable} | | | | | 0 |`);
      continue;
    }
    const s = summaries.get(contender)!;
    const ratio = portset.medianMs / s.medianMs;
    const runs = s.failed > 0 ? `${s.succeeded} (+${s.failed} failed)` : `${s.succeeded}`;
    lines.push(
      `| ${contender.name} | ${ms(s.medianMs)} | ${ms(s.minMs)}–${ms(s.maxMs)} | ` +
        `${Number.isNaN(ratio) ? "–" : ratio.toFixed(2)} | ${mib(s.medianRssKib)} | ` +
        `${mib(s.peakRssKib)} | ${runs} |`,
    );
  }

  lines.push("");
  if (ss && !input.availability.get(input.ssWithOwners)) {
    const ratio = portset.medianMs / ss.medianMs;
    lines.push(
      `portset / ${input.ssWithOwners.name} = ${ratio.toFixed(2)} ` +
        `(target ≤ ${TARGET_RATIO_TO_SS.toFixed(1)}): ${verdict(ratio <= TARGET_RATIO_TO_SS)}`,
    );
    if (portsetText && portsetText.succeeded > 0) {
      const textRatio = portsetText.medianMs / ss.medianMs;
      lines.push(
        `${input.portsetText.name} / ${input.ssWithOwners.name} = ${textRatio.toFixed(2)} ` +
          `(target ≤ ${TARGET_RATIO_TO_SS.toFixed(1)}): ${
            verdict(textRatio <= TARGET_RATIO_TO_SS)
          }`,
      );
    }
  } else {
    lines.push(`portset / ${input.ssWithOwners.name}: not measured (ss unavailable)`);
  }
  lines.push(
    `portset peak memory = ${mib(portset.peakRssKib)} MiB, the largest of its runs ` +
      `(target ≤ ${TARGET_PEAK_MIB} MiB): ${verdict(portset.peakRssKib / MIB <= TARGET_PEAK_MIB)}`,
  );
  const { ssBefore, portset: endpoints, ssAfter, namespaces } = input.endpointCheck;
  // portset looked between ss's two looks: on a host where sockets come and go (TIME_WAIT ones
  // expiring together, say) its count lies between theirs, within the tolerance. ss reads its
  // own namespace alone: portset's endpoints there are held to it, and those of the others
  // (the bench's namespaces, and whatever containers the host runs) must include the bench's.
  const low = Math.min(ssBefore, ssAfter);
  const high = Math.max(ssBefore, ssAfter);
  const off = endpoints.current < low
    ? low - endpoints.current
    : endpoints.current > high
    ? endpoints.current - high
    : 0;
  const othersHold = endpoints.others >= namespaces;
  lines.push(
    `endpoints: portset's JSON has ${endpoints.current} in its network namespace, ss -tuan ` +
      `lists ${ssBefore} just before and ${ssAfter} just after (header excluded): ` +
      `${verdict(off <= ENDPOINT_TOLERANCE)} (within ${ENDPOINT_TOLERANCE}); ` +
      `${endpoints.others} in other namespaces` +
      (namespaces > 0 ? `, of which the bench's hold ${namespaces}: ${verdict(othersHold)}` : ""),
  );

  if (input.quiet) lines.push("", ...formatQuietHost(input.quiet, input.portset));

  if (input.diagnosis) {
    // ss -tuanp minus ss -tuan: what finding the owners costs ss, to set beside portset's scan.
    const ssPlain = input.contenders.find((contender) => contender.name === SS_WITHOUT_OWNERS);
    const ssScanMs = ss && ssPlain ? ss.medianMs - (summaries.get(ssPlain)?.medianMs ?? NaN) : NaN;
    lines.push("", ...formatDiagnosis(input.diagnosis, portset.medianMs, ssScanMs));
  }
  return lines.join("\n") + "\n";
}

/** The quiet host's table and its target's line. */
function formatQuietHost(quiet: QuietHost, portsetContender: Contender): string[] {
  const [empty] = quiet.contenders.filter((contender) => contender.argv.includes("bench/noop.ts"));
  const portset = summarize(quiet.results.get(portsetContender) ?? []);
  const lines = [
    "## The quiet host (before the farms started)",
    "",
    `- the host held ${quiet.sockets} sockets (ss -Htuan), ${quiet.processes} processes and ` +
    `${quiet.fds} open file descriptors; ${quiet.rounds} timed rounds after ${quiet.warmup} ` +
    `warm-up round(s), round-robin`,
    "",
    "| command | median (ms) | min–max (ms) | portset ÷ command | median peak RSS (MiB) | runs |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const contender of quiet.contenders) {
    const s = summarize(quiet.results.get(contender) ?? []);
    lines.push(
      `| ${contender.name} | ${ms(s.medianMs)} | ${ms(s.minMs)}–${ms(s.maxMs)} | ` +
        `${(portset.medianMs / s.medianMs).toFixed(2)} | ${mib(s.medianRssKib)} | ${s.succeeded} |`,
    );
  }
  if (empty) {
    const emptyMs = summarize(quiet.results.get(empty) ?? []).medianMs;
    const ratio = portset.medianMs / emptyMs;
    lines.push(
      "",
      `quiet host: ${portsetContender.name} / ${empty.name} = ${ratio.toFixed(2)} ` +
        `(target ≤ ${TARGET_QUIET_RATIO.toFixed(1)}): ${verdict(ratio <= TARGET_QUIET_RATIO)}`,
    );
    lines.push(...formatQuietFloor(quiet, emptyMs));
  }
  return lines;
}

/**
 * What the runtime allows on the quiet host, from the same rounds: the floor's system calls and
 * the loading of portset's modules, each as its time beyond the empty run, added to that run.
 */
function formatQuietFloor(quiet: QuietHost, emptyMs: number): string[] {
  const medianOf = (contender: Contender) =>
    quiet.contenders.includes(contender)
      ? summarize(quiet.results.get(contender) ?? []).medianMs
      : NaN;
  const floorMs = medianOf(FLOOR_RUN), modulesMs = medianOf(MODULES_RUN);
  if (!Number.isFinite(floorMs) || !Number.isFinite(modulesMs)) return [];
  const bothMs = floorMs + modulesMs - emptyMs;
  return [
    `what the runtime allows: the system calls alone ${(floorMs / emptyMs).toFixed(2)}x the ` +
    `empty run, with portset's modules loaded too (${ms(floorMs - emptyMs)} + ` +
    `${ms(modulesMs - emptyMs)} ms beyond it) ${(bothMs / emptyMs).toFixed(2)}x`,
  ];
}

function formatDiagnosis(d: Diagnosis, portsetMs: number, ssScanMs: number): string[] {
  const p = d.pipeline, s = d.split;
  const iterated = Number.isFinite(s.bpfScanMs);
  const ownersMs = iterated ? s.bpfLoadMs + s.bpfScanMs : s.procFdScanMs;
  const oneThread = s.sockDiagDumpMs + ownersMs;
  const outside = d.pipelineWallMs - p.inProcessTotalMs - p.collectWarmMs;
  const row = (what: string, value: number) => `| ${what} | ${ms(value)} |`;
  return [
    `## Where portset's time goes (medians of ${d.rounds} fresh processes each)`,
    "",
    "| part | ms |",
    "| --- | ---: |",
    row("portset -local --json, whole run (from the table)", portsetMs),
    row(
      `deno run of an empty script: runtime start-up and exit ` +
        `(peak RSS ${mib(d.emptyScript.maxRssKib)} MiB)`,
      d.emptyScript.wallMs,
    ),
    row(
      `deno run main.ts --version: start-up, the CLI's modules, exit ` +
        `(peak RSS ${mib(d.version.maxRssKib)} MiB)`,
      d.version.wallMs,
    ),
    row("in process: runtime time origin → first statement of the script", p.firstStatementMs),
    row("in process: import the collector and the JSON output modules", p.importMs),
    row(
      "in process: collectOnce(), cold, as the CLI runs it (the Linux collector's modules, " +
        "dlopen libc, the sock_diag dump on the blocking pool while the owners are found " +
        "(the kernel's fd iterator as root on a busy host, else the /proc/*/fd scan), " +
        "replies parsed, owners joined, process details, sort)",
      p.collectMs,
    ),
    row(
      "  for comparison: dlopen of the collector's libc symbols (separate process)",
      s.loadLibcMs,
    ),
    row(
      "  for comparison: sock_diag dump alone, on one thread (cold, separate process)",
      s.sockDiagDumpMs,
    ),
    row("  for comparison: /proc/*/fd owner scan alone (cold, separate process)", s.procFdScanMs),
    ...(iterated
      ? [
        row(
          "  for comparison: the kernel's fd iterator: its program found, checked and loaded " +
            "(cold, separate process)",
          s.bpfLoadMs,
        ),
        row("  for comparison: the kernel's fd iterator: one walk of every fd table", s.bpfScanMs),
      ]
      : [row("  the kernel's fd iterator: not measured (it needs root and BTF)", NaN)]),
    row(
      `  for comparison: the dump and the owners (${
        iterated ? "iterator" : "/proc scan"
      }) one after the other, as collect() runs them`,
      oneThread,
    ),
    row(
      "in process: JSON built, encoded and written to /dev/null in chunks, as the CLI does",
      p.jsonMs,
    ),
    row("in process: time origin → output written", p.inProcessTotalMs),
    row("outside: process start before the time origin, and exit", outside),
    row("for comparison: collectOnce() again in the same process (JIT warm)", p.collectWarmMs),
    row("for comparison: ss -tuanp − ss -tuan, what ss spends finding owners", ssScanMs),
    "",
    `Counts: ${s.sockets} sockets dumped, ${s.fdsScanned} file descriptors examined ` +
    `(one readlink each by the /proc scan), ${s.ownedInodes} socket inodes with an owner, ` +
    `${p.endpoints} ` +
    `endpoints, ${(p.jsonBytes / MIB / MIB).toFixed(1)} MiB of JSON.`,
  ];
}
