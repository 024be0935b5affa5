/**
 * Starts the socket farms (child processes running `socket_farm.ts`), waits until every one says
 * it is ready, and stops them again.
 *
 * @module
 */

const FARM_SCRIPT = new URL("./socket_farm.ts", import.meta.url).pathname;

/** How long a farm gets to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** One running farm. */
interface Farm {
  index: number;
  process: Deno.ChildProcess;
  stdin: WritableStreamDefaultWriter<Uint8Array>;
  stderr: Promise<string>;
}

/** Runs `work` with a deadline, so a farm that never reports cannot hang the benchmark. */
async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The socket farms of one benchmark run. */
export class SocketFarms {
  #farms: Farm[] = [];
  #stopping: Promise<void> | null = null;

  /** The farms' process ids, to tell their sockets from the rest of the host's. */
  get pids(): number[] {
    return this.#farms.map((farm) => farm.process.pid);
  }

  /**
   * Starts `count` farms sharing `sockets` between them and waits up to `deadlineMs` for all to
   * report ready. Returns the number of sockets they say they opened. On failure the farms that
   * did start are left for {@linkcode stop}, which the caller runs in `finally`.
   */
  async start(count: number, sockets: number, deadlineMs: number): Promise<number> {
    for (let index = 0; index < count; index++) {
      // Spread the remainder, so the farms' counts add up to exactly `sockets`.
      const share = Math.floor(sockets / count) + (index < sockets % count ? 1 : 0);
      this.#farms.push(this.#spawn(index, share));
    }
    const opened = await withDeadline(
      Promise.all(this.#farms.map((farm) => this.#ready(farm))),
      deadlineMs,
      "waiting for the socket farms to be ready",
    );
    return opened.reduce((sum, n) => sum + n, 0);
  }

  #spawn(index: number, sockets: number): Farm {
    const process = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-ffi", FARM_SCRIPT, "--index", `${index}`, "--sockets", `${sockets}`],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    return {
      index,
      process,
      stdin: process.stdin.getWriter(),
      stderr: new Response(process.stderr).text(),
    };
  }

  /** Reads a farm's `ready <count>` line; a farm that exits first has its stderr reported. */
  async #ready(farm: Farm): Promise<number> {
    const reader = farm.process.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    try {
      while (!text.includes("\n")) {
        const { value, done } = await reader.read();
        if (done) {
          const status = await farm.process.status;
          throw new Error(
            `socket farm ${farm.index} exited (code ${status.code}) before it was ready: ` +
              (await farm.stderr).trim(),
          );
        }
        text += value;
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
    const match = /^ready (\d+)\n/.exec(text);
    if (!match) throw new Error(`socket farm ${farm.index} said ${JSON.stringify(text)}`);
    return Number(match[1]);
  }

  /** Stops every farm; safe to call more than once and from a signal handler. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopAll();
    return this.#stopping;
  }

  async #stopAll(): Promise<void> {
    await Promise.all(this.#farms.map(async (farm) => {
      await farm.stdin.close().catch(() => {}); // the farm exits on end of stdin
      try {
        farm.process.kill("SIGTERM");
      } catch {
        // already exited
      }
      try {
        await withDeadline(farm.process.status, STOP_GRACE_MS, `stopping farm ${farm.index}`);
      } catch {
        try {
          farm.process.kill("SIGKILL");
        } catch {
          // exited at last
        }
        await farm.process.status;
      }
      await farm.stderr.catch(() => "");
    }));
  }
}
