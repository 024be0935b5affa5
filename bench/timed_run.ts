/**
 * Runs one command under GNU time for its wall time and peak memory, with its stdout thrown away.
 *
 * Wall time is taken here with performance.now() around the whole run, because GNU time's `%e`
 * has only 10 ms resolution; the spawn of /usr/bin/time itself adds the same small cost to every
 * command, so comparisons stay fair. Peak memory is GNU time's `%M`: the command's maximum
 * resident set size in KiB, which nothing outside the process can see after it exits.
 *
 * @module
 */

/** GNU time, not the shell keyword: only the binary reports peak memory. */
export const GNU_TIME = "/usr/bin/time";

/** One run of one command. */
export interface RunResult {
  /** Wall time from spawn to exit, milliseconds. */
  wallMs: number;
  /** Peak resident set size, KiB; NaN when the command did not get to report it. */
  maxRssKib: number;
  /** The command exited 0 within its time limit. */
  ok: boolean;
  /** Why it is not ok: exit status or signal, time-out, the start of its stderr. */
  failure: string | null;
}

/** How one command is run. */
export interface RunOptions {
  cwd?: string;
  /** Killed after this long; a hung command must not hang the benchmark. */
  timeoutMs: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

const STDERR_EXCERPT = 300;

/**
 * Tags GNU time's line in the stderr it shares with the command. Reading it from there, rather than
 * from an `-o` file, leaves nothing behind when the benchmark is interrupted mid-run.
 */
const TIME_MARK = "portset-bench-time:";

/** Runs `argv` once under GNU time. */
export async function timedRun(argv: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const process = new Deno.Command(GNU_TIME, {
    args: ["-f", `${TIME_MARK} %e %M`, ...argv],
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killTimedCommand(process.pid);
  }, options.timeoutMs);
  const [status, stderr] = await Promise.all([
    process.status,
    new Response(process.stderr).text(),
  ]);
  const wallMs = performance.now() - started;
  clearTimeout(timer);

  const mark = stderr.lastIndexOf(TIME_MARK);
  const maxRssKib = mark < 0 ? NaN : Number(stderr.slice(mark).trim().split(/\s+/)[2]);
  let failure: string | null = null;
  if (timedOut) failure = `timed out after ${options.timeoutMs} ms`;
  else if (!status.success) {
    // GNU time adds "Command exited with non-zero status N" or "terminated by signal N".
    const output = (mark < 0 ? stderr : stderr.slice(0, mark)).trim();
    failure = `exit code ${status.code}: ${output.slice(-STDERR_EXCERPT)}`;
  }
  return { wallMs, maxRssKib, ok: failure === null, failure };
}

/**
 * Kills the command GNU time is waiting for, then GNU time. Killing only GNU time would leave the
 * command running, still loading the machine for the next measurement.
 */
function killTimedCommand(timePid: number): void {
  let children: number[] = [];
  try {
    children = Deno.readTextFileSync(`/proc/${timePid}/task/${timePid}/children`)
      .trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // GNU time already exited
  }
  for (const pid of children) {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
  try {
    Deno.kill(timePid, "SIGKILL");
  } catch {
    // exited meanwhile
  }
}

/**
 * The wall time {@linkcode timedRun} adds to any command: spawning GNU time and `true`. Printed
 * with the results so a reader can tell how much of a short command's time is the harness.
 */
export async function harnessOverheadMs(runs = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    times.push((await timedRun(["true"], { timeoutMs: 10_000 })).wallMs);
  }
  times.sort((a, b) => a - b);
  return times[runs >> 1];
}
